package io.memsnap.internal.format;

import io.memsnap.internal.memory.MemoryRegion;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Writes the fields of a record ({@link RecordDescriptor}) into a buffer: the writer composing a record at the tail,
 * a batch encoding one ahead of it. The checksum is left to the caller (it covers the sequence number, which may be
 * set later). Stateless.
 */
public final class RecordEncoder
{
    private RecordEncoder()
    {
    }

    /** Writes the header of a record at {@code offset}: every field but the CRC. */
    public static void header(final MemoryRegion b, final int offset, final int length, final long sequence,
        final byte type, final int idLength, final int nnz, final int valueLength, final float importance,
        final long storedAtMillis)
    {
        b.putInt(offset + LENGTH_OFFSET, length);
        b.putLong(offset + SEQUENCE_OFFSET, sequence);
        b.putByte(offset + TYPE_OFFSET, type);
        b.putByte(offset + RESERVED_OFFSET, (byte)0);
        b.putShort(offset + ID_LENGTH_OFFSET, (short)idLength);
        b.putInt(offset + NNZ_OFFSET, nnz);
        b.putInt(offset + VALUE_LENGTH_OFFSET, valueLength);
        b.putFloat(offset + IMPORTANCE_OFFSET, importance);
        b.putLong(offset + STORED_AT_OFFSET, storedAtMillis);
    }

    /**
     * Writes the body of the record at {@code offset} (whose header says {@code indices.length} non-zeros and
     * {@code keyLength}): the indices and values (copied in bulk, in the CPU's byte order, which the format's
     * little-endian order is on every CPU a store opens on), the key in UTF-8 and the value.
     */
    public static void body(final MemoryRegion b, final int offset, final int[] indices, final float[] values,
        final CharSequence key, final int keyLength, final byte[] value)
    {
        final int nnz = indices.length;
        b.putInts(indicesOffset(offset), indices, 0, nnz);
        b.putFloats(valuesOffset(offset, nnz), values, 0, nnz);
        final int id = idOffset(offset, nnz);
        Utf8.encode(key, b, id);
        b.putBytes(id + keyLength, value, 0, value.length);
    }
}
