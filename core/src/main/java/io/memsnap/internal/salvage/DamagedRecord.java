package io.memsnap.internal.salvage;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.Segment;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * The header of a record that failed its checksum but whose fields still hang together: a length that fits, a type,
 * an id length and a payload that add up to it, a positive sequence number and an id that is valid UTF-8. The id
 * may still be wrong (the damage can be anywhere in the record); salvage names it only when its sequence number
 * also lies between the valid records around the damage.
 *
 * <p>Thread safe: immutable.
 */
final class DamagedRecord
{
    final int offset;
    final int length;
    final byte type;
    final long sequence;
    /** The id or state name; null for a PAD. */
    final String key;

    private DamagedRecord(final int offset, final int length, final byte type, final long sequence, final String key)
    {
        this.offset = offset;
        this.length = length;
        this.type = type;
        this.sequence = sequence;
        this.key = key;
    }

    /**
     * @return whether the header at {@code offset} describes a record that fits in the segment: what a valid record
     * must at least be before its checksum is worth computing.
     */
    static boolean plausible(final Segment segment, final int offset)
    {
        return offset <= segment.length() - HEADER_LENGTH &&
            segment.buffer().getInt(offset + LENGTH_OFFSET) <= segment.length() - offset && consistent(segment, offset);
    }

    /**
     * @return the damaged header at {@code offset} if its fields hang together and its id lies in the file (the
     * rest of the record may not: a file cut short), else null.
     */
    static DamagedRecord read(final Segment segment, final int offset)
    {
        final int limit = segment.length();
        if (offset > limit - HEADER_LENGTH || !consistent(segment, offset))
        {
            return null;
        }
        final MemoryRegion b = segment.buffer();
        final long sequence = b.getLong(offset + SEQUENCE_OFFSET);
        final byte type = b.getByte(offset + TYPE_OFFSET);
        final int length = b.getInt(offset + LENGTH_OFFSET);
        if (sequence <= 0)
        {
            return null;
        }
        if (RecordDescriptor.isPadType(type))
        {
            return new DamagedRecord(offset, length, type, sequence, null);
        }
        final int idOffset = RecordDescriptor.idOffset(offset, b.getInt(offset + NNZ_OFFSET));
        final byte[] id = new byte[b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF];
        if (idOffset > limit - id.length)
        {
            return null;
        }
        b.getBytes(idOffset, id, 0, id.length);
        try
        {
            final String key = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(id))
                .toString();
            return new DamagedRecord(offset, length, type, sequence, key);
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
    }

    /** Whether the header's length and fields add up; its header must lie in the segment. */
    private static boolean consistent(final Segment segment, final int offset)
    {
        final MemoryRegion b = segment.buffer();
        final int length = b.getInt(offset + LENGTH_OFFSET);
        return length >= HEADER_LENGTH &&
            RecordDescriptor.fieldsConsistent(b.getByte(offset + TYPE_OFFSET), b.getInt(offset + NNZ_OFFSET),
                b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF, b.getInt(offset + VALUE_LENGTH_OFFSET), length,
                FormatVersion.hasPadRecords(segment.major()));
    }

    /** @return where the record would end, padding included (possibly past the end of its file). */
    long end()
    {
        return offset + (long)RecordDescriptor.alignedLength(length);
    }

    boolean isState()
    {
        return RecordDescriptor.isStateType(type);
    }

    boolean isDelete()
    {
        return RecordDescriptor.isDeleteType(type);
    }
}
