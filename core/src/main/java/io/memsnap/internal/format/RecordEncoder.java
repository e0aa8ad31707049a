package io.memsnap.internal.format;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import static io.memsnap.internal.format.RecordDescriptor.*;
import static org.agrona.BitUtil.SIZE_OF_FLOAT;
import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * Writes the fields of a record ({@link RecordDescriptor}) into a buffer: the writer composing a record at the tail,
 * a batch encoding one ahead of it. The checksum is left to the caller (it covers the sequence number, which may be
 * set later). Stateless.
 */
public final class RecordEncoder
{
    private static final long INT_ARRAY_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final long FLOAT_ARRAY_BASE = UnsafeApi.arrayBaseOffset(float[].class);

    private RecordEncoder()
    {
    }

    /** Writes the header of a record at {@code offset}: every field but the CRC. */
    public static void header(final UnsafeBuffer b, final int offset, final int length, final long sequence,
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
    public static void body(final UnsafeBuffer b, final int offset, final int[] indices, final float[] values,
        final CharSequence key, final int keyLength, final byte[] value)
    {
        final int nnz = indices.length;
        final int p = indicesOffset(offset);
        b.boundsCheck(p, nnz * (SIZE_OF_INT + SIZE_OF_FLOAT));
        UnsafeApi.copyMemory(indices, INT_ARRAY_BASE, b.byteArray(), b.addressOffset() + p, (long)nnz * SIZE_OF_INT);
        UnsafeApi.copyMemory(values, FLOAT_ARRAY_BASE, b.byteArray(), b.addressOffset() + valuesOffset(offset, nnz),
            (long)nnz * SIZE_OF_FLOAT);
        final int id = idOffset(offset, nnz);
        Utf8.encode(key, b, id);
        b.putBytes(id + keyLength, value);
    }
}
