package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of the header of a segment file {@code segment-NNNNNNNNNN.seg}. Each file's size is chosen when it is
 * created (segments of one store may differ: see {@code SegmentSizing}), recorded in the header, and never changes;
 * records follow the header from {@link #HEADER_LENGTH}.
 *
 * <pre>
 *  0  magic            8 bytes  "MSNPSEG\0"
 *  8  major version    uint16
 * 10  minor version    uint16
 * 12  segment id       int32    (also in the file name)
 * 16  first sequence   int64    sequence number of the first record written into this segment
 * 24  file length      int32    size of the file in bytes
 * 28  timeline         int64    the timeline the segment's records belong to (0, the first, in segments written
 *                              before rewinds existed)
 * 36  parent timeline  int64    the timeline that timeline branched from (0 for the first)
 * 44  branch sequence  int64    the last sequence the timeline holds of its parent's: its own records start at the
 *                              next one (0 for the first)
 * 52  reserved         8 bytes  zero
 * 60  CRC32C of [0, 60)
 * 64  first record
 * </pre>
 *
 * <p><b>Timelines.</b> A rewind ({@code MemoryStore.rewind}) makes an older snapshot's state current as a new
 * timeline: its records go into segments numbered above every segment of the store, whose headers name the new
 * timeline, its parent and the branch sequence (the snapshot's last), and whose first sequence continues from it.
 * The same sequence numbers then exist on two timelines; a replay follows a segment into the next one only when both
 * name the same timeline, and verification and salvage follow the newest timeline's chain of parents, each up to
 * where its child branched ({@link io.memsnap.internal.segment.TimelineChain}).
 */
public final class SegmentDescriptor
{
    public static final long MAGIC = 0x0047_4553_504E_534DL; // "MSNPSEG\0" little-endian
    public static final int MAGIC_OFFSET = 0;
    public static final int MAJOR_OFFSET = MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int SEGMENT_ID_OFFSET = MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int FIRST_SEQUENCE_OFFSET = SEGMENT_ID_OFFSET + SIZE_OF_INT;
    public static final int FILE_LENGTH_OFFSET = FIRST_SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int TIMELINE_OFFSET = FILE_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int PARENT_TIMELINE_OFFSET = TIMELINE_OFFSET + SIZE_OF_LONG;
    public static final int BRANCH_SEQUENCE_OFFSET = PARENT_TIMELINE_OFFSET + SIZE_OF_LONG;
    public static final int RESERVED_OFFSET = BRANCH_SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int CRC_OFFSET = RESERVED_OFFSET + SIZE_OF_LONG;
    public static final int HEADER_LENGTH = CRC_OFFSET + SIZE_OF_INT;

    /** The timeline of a store that was never rewound, and of every segment written before rewinds existed. */
    public static final long FIRST_TIMELINE = 0;

    public static final String FILE_PREFIX = "segment-";
    public static final String FILE_SUFFIX = ".seg";

    private SegmentDescriptor()
    {
    }

    public static String fileName(final int segmentId)
    {
        return FileNames.numbered(FILE_PREFIX, segmentId, 10, FILE_SUFFIX);
    }

    /** @return the id in a segment file name, or -1 if the name is not one. */
    public static int parseFileName(final String name)
    {
        if (!name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX) ||
            name.length() != FILE_PREFIX.length() + 10 + FILE_SUFFIX.length())
        {
            return -1;
        }
        try
        {
            return Integer.parseInt(name.substring(FILE_PREFIX.length(), FILE_PREFIX.length() + 10));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
