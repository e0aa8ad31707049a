package io.memsnap.internal.segment;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.memory.MemoryRegion;

import java.nio.ByteBuffer;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Decides what lies at one position of a segment: a valid record with the expected sequence number, the clean end
 * of what was written, or a torn (damaged) record. Used by recovery to replay the tail and by verification.
 *
 * <p>Not thread safe: one instance per scanning thread. The fields describe the last position scanned. A valid
 * record is scanned without allocating once its segment has been seen.
 */
public final class RecordScanner
{
    /** A valid record (possibly a PAD, see {@link #type()}); its fields are set. */
    public static final int VALID = 0;
    /** Nothing was ever written here. */
    public static final int CLEAN_END = 1;
    /** Something was written here but it is not a whole, valid record with the expected sequence number. */
    public static final int TORN = 2;

    private final Checksum checksum = new Checksum();
    private final SegmentViews views = new SegmentViews();

    private int length;
    private byte type;
    private long sequence;
    private String problem;
    private long expectedCrc;
    private long actualCrc;

    /**
     * @param segment          the segment to read.
     * @param offset           the position, 8-byte aligned.
     * @param expectedSequence the sequence number a valid record here must carry, or -1 to accept any.
     * @return {@link #VALID}, {@link #CLEAN_END} or {@link #TORN}.
     */
    public int scan(final Segment segment, final int offset, final long expectedSequence)
    {
        return scan(segment, segment.buffer(), views.of(segment), offset, segment.length(), expectedSequence);
    }

    /**
     * As {@link #scan(Segment, int, long)} for the bytes of a record of {@code segment} held in {@code buffer} (the
     * writer's write buffer, say), readable up to {@code limit}.
     *
     * @param view a view of {@code buffer} at the same offsets, whose position and limit this call may change.
     */
    public int scan(final Segment segment, final MemoryRegion buffer, final ByteBuffer view, final int offset,
        final int limit, final long expectedSequence)
    {
        problem = null;
        expectedCrc = -1;
        actualCrc = -1;
        if (offset + LENGTH_OFFSET + 4 > limit)
        {
            return CLEAN_END;
        }
        final int storedCrc = buffer.getInt(offset + CRC_OFFSET);
        length = buffer.getInt(offset + LENGTH_OFFSET);
        if (storedCrc == 0 && length == 0)
        {
            return CLEAN_END;
        }
        if (length < HEADER_LENGTH || length > limit - offset)
        {
            return torn("record has impossible length " + length);
        }
        final int crc = checksum.compute(view, offset + CHECKSUMMED_FROM, length - CHECKSUMMED_FROM);
        if (crc != storedCrc)
        {
            expectedCrc = Checksum.unsigned(storedCrc);
            actualCrc = Checksum.unsigned(crc);
            return torn("record checksum mismatch");
        }
        type = buffer.getByte(offset + TYPE_OFFSET);
        sequence = buffer.getLong(offset + SEQUENCE_OFFSET);
        final int nnz = buffer.getInt(offset + NNZ_OFFSET);
        final int idLength = buffer.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        final int valueLength = buffer.getInt(offset + VALUE_LENGTH_OFFSET);
        if (!RecordDescriptor.fieldsConsistent(type, nnz, idLength, valueLength, length,
            FormatVersion.hasPadRecords(segment.major())))
        {
            return torn("record fields are inconsistent (type " + type + ", nnz " + nnz + ", id length " + idLength +
                ", value length " + valueLength + ", length " + length + ")");
        }
        if (expectedSequence >= 0 && sequence != expectedSequence)
        {
            return torn("record has sequence " + sequence + " where " + expectedSequence + " was expected");
        }
        return VALID;
    }

    private int torn(final String why)
    {
        problem = why;
        return TORN;
    }

    /** @return the unpadded length of the last valid record. */
    public int length()
    {
        return length;
    }

    /** @return the space the last valid record takes. */
    public int alignedLength()
    {
        return RecordDescriptor.alignedLength(length);
    }

    public byte type()
    {
        return type;
    }

    public long sequence()
    {
        return sequence;
    }

    /** @return why the last position was torn. */
    public String problem()
    {
        return problem;
    }

    public long expectedCrc()
    {
        return expectedCrc;
    }

    public long actualCrc()
    {
        return actualCrc;
    }
}
