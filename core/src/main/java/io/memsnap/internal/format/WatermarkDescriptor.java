package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of {@code durable.msw}, the durable watermark: how far the log was acknowledged durable by {@code sync()}
 * or a write with {@code Durability.EVERY_WRITE}, which manifests do not record. Recovery must replay at least up
 * to it: a record below it that does not validate is damage to acknowledged data (refused), not a torn tail (cut).
 * The file also says whether the writer closed the store cleanly, with nothing written after the watermark.
 *
 * <p>Two slots, each in a page of its own ({@link #SLOT_STRIDE} apart), rewritten in place alternately (H2's two
 * store headers, LMDB's two meta pages): a write that a power loss tears damages one slot at most, and the other
 * still holds the previous watermark. The slot with the higher counter that validates wins.
 *
 * <pre>
 *   0  magic              8 bytes  "MSNPWMK\0"
 *   8  major version      uint16
 *  10  minor version      uint16
 *  12  flags              int32    bit 0: closed cleanly (the log ends at the watermark)
 *  16  counter            int64    one more than the other slot's at the time of writing
 *  24  last sequence      int64    every record up to this sequence is durable and acknowledged
 *  32  tail segment       int32    segment of the first record after it
 *  36  tail offset        int32    offset of that record
 *  40  CRC32C of [0, 40)
 * </pre>
 *
 * A slot of zeros was never written. The file is absent in stores whose writer never synced (and in stores written
 * before the watermark existed): the newest manifest is then the only watermark.
 */
public final class WatermarkDescriptor
{
    public static final String FILE_NAME = "durable.msw";

    public static final long MAGIC = 0x004B_4D57_504E_534DL; // "MSNPWMK\0" little-endian
    public static final int MAGIC_OFFSET = 0;
    public static final int MAJOR_OFFSET = MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int FLAGS_OFFSET = MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int COUNTER_OFFSET = FLAGS_OFFSET + SIZE_OF_INT;
    public static final int LAST_SEQUENCE_OFFSET = COUNTER_OFFSET + SIZE_OF_LONG;
    public static final int TAIL_SEGMENT_OFFSET = LAST_SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int TAIL_OFFSET_OFFSET = TAIL_SEGMENT_OFFSET + SIZE_OF_INT;
    public static final int CRC_OFFSET = TAIL_OFFSET_OFFSET + SIZE_OF_INT;
    public static final int SLOT_LENGTH = CRC_OFFSET + SIZE_OF_INT;

    /** Slots lie in separate 4 KiB pages (and so separate sectors): one torn write reaches one slot only. */
    public static final int SLOT_STRIDE = 4096;
    public static final int SLOTS = 2;
    public static final int FILE_LENGTH = SLOT_STRIDE + SLOT_LENGTH;

    public static final int FLAG_CLEAN = 1;

    private WatermarkDescriptor()
    {
    }
}
