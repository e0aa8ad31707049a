package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of the body of manifest extension {@link ManifestDescriptor#EXTENSION_PINS} (flags
 * {@link ManifestDescriptor#EXTENSION_WRITERS_MUST_KNOW}): the retention of the store as the writer that committed
 * the manifest applied it, its rules and its pinned snapshots. Every manifest carries it, so each commit carries the
 * pins forward, and a pin or an unpin is durable exactly when the manifest that records it is committed. A writer
 * that ignored it would delete pinned snapshots; a reader may ignore it.
 *
 * <pre>
 *   0  keep last              int32    the writer's StoreOptions.retainedSnapshots, at least 2
 *   4  keep younger than      int64    the writer's StoreOptions.retainedSnapshotAge in milliseconds; 0: no age rule
 *  12  pin count              int32    P, at most {@link #MAX_PINS}
 *  16  P x pin                { int64 generation, int64 expires at (epoch milliseconds; {@link #NEVER}: no expiry),
 *                              uint16 label length, label UTF-8 (1 to {@link #MAX_LABEL_BYTES} bytes) },
 *                              generations strictly increasing, none newer than the manifest's own
 * </pre>
 *
 * A later minor version may append fields after the pins; readers ignore them.
 */
public final class PinsDescriptor
{
    public static final int KEEP_LAST_OFFSET = 0;
    public static final int KEEP_YOUNGER_THAN_OFFSET = KEEP_LAST_OFFSET + SIZE_OF_INT;
    public static final int PIN_COUNT_OFFSET = KEEP_YOUNGER_THAN_OFFSET + SIZE_OF_LONG;
    public static final int FIRST_PIN_OFFSET = PIN_COUNT_OFFSET + SIZE_OF_INT;

    /** Offsets within one pin. */
    public static final int PIN_GENERATION_OFFSET = 0;
    public static final int PIN_EXPIRES_AT_OFFSET = PIN_GENERATION_OFFSET + SIZE_OF_LONG;
    public static final int PIN_LABEL_LENGTH_OFFSET = PIN_EXPIRES_AT_OFFSET + SIZE_OF_LONG;
    public static final int PIN_LABEL_OFFSET = PIN_LABEL_LENGTH_OFFSET + SIZE_OF_SHORT;

    /** Expiry of a pin that does not expire. */
    public static final long NEVER = Long.MAX_VALUE;
    /** Longest pin label, in UTF-8 bytes. */
    public static final int MAX_LABEL_BYTES = 255;
    /** Most pins a store holds: every manifest carries them all, so they stay a few hundred KiB at most. */
    public static final int MAX_PINS = 1024;

    private PinsDescriptor()
    {
    }

    /** @return the length of one pin whose label is {@code labelBytes} long. */
    public static int pinLength(final int labelBytes)
    {
        return PIN_LABEL_OFFSET + labelBytes;
    }
}
