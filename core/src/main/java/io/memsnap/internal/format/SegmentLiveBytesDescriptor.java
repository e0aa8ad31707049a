package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Layout of the body of manifest extension {@link ManifestDescriptor#EXTENSION_SEGMENT_LIVE_BYTES} (flag
 * {@link ManifestDescriptor#EXTENSION_WRITERS_MUST_KNOW}): how many bytes of each segment the records of the
 * manifest's index checkpoint take, and how many bytes of delete records each segment still has to keep.
 *
 * <pre>
 *   0  count              int32    N, segments listed (those not listed have 0 live bytes and no tombstones)
 *   4  N x entry          { int32 segment id, int32 live bytes, int32 tombstone bytes }, ids strictly increasing
 * </pre>
 *
 * <p><b>Live bytes</b> of a segment: the sum of the aligned lengths ({@link RecordDescriptor#alignedLength}) of the
 * records in it that the checkpoint's index points at. Everything else in the file is dead: replaced or deleted
 * records, delete records, PAD records, and the unwritten end.
 *
 * <p><b>Tombstone bytes</b>: the aligned lengths of the DELETE and STATE_DELETE records in the segment that
 * compaction has not yet dealt with (copied forward or dropped); -1 when unknown (a store upgraded from a manifest
 * without this extension). A writer deletes a segment file only when this is 0 or no segment file with a lower id
 * exists: a delete record must outlive every older record of its key, or salvage, which reads every file, would
 * bring the key back.
 *
 * <p>A manifest that carries the table needs segment {@code s} when its live bytes are above 0 or when it lies
 * between the checkpoint's replay segment and the manifest's tail segment; a manifest without it needs every
 * segment it lists.
 */
public final class SegmentLiveBytesDescriptor
{
    public static final int COUNT_OFFSET = 0;
    public static final int ENTRIES_OFFSET = COUNT_OFFSET + SIZE_OF_INT;

    public static final int ENTRY_ID_OFFSET = 0;
    public static final int ENTRY_LIVE_OFFSET = ENTRY_ID_OFFSET + SIZE_OF_INT;
    public static final int ENTRY_TOMBSTONES_OFFSET = ENTRY_LIVE_OFFSET + SIZE_OF_INT;
    public static final int ENTRY_LENGTH = ENTRY_TOMBSTONES_OFFSET + SIZE_OF_INT;

    /** Tombstone bytes of a segment whose delete records were never counted. */
    public static final int UNKNOWN_TOMBSTONES = -1;

    private SegmentLiveBytesDescriptor()
    {
    }

    /** @return the length of a body listing {@code count} segments. */
    public static int length(final int count)
    {
        return ENTRIES_OFFSET + count * ENTRY_LENGTH;
    }
}
