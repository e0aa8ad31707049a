package io.memsnap;

import io.memsnap.internal.format.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * A zero-copy view of one stored entry, read straight from the mapped segment. Handed to an {@link EntryVisitor};
 * valid only during that call (the store may unmap the memory afterwards), and not thread safe. Nothing here
 * allocates except {@link #id()}, {@link #toEntry()} and the array-returning copies.
 */
public final class EntryView
{
    private UnsafeBuffer buffer;
    private int offset;
    private int nnz;

    EntryView()
    {
    }

    void wrap(final UnsafeBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.nnz = buffer.getInt(offset + NNZ_OFFSET);
    }

    /** @return the id (allocates a String). */
    public String id()
    {
        return Utf8.decode(buffer, idOffset(offset, nnz), idLength());
    }

    /** @return whether the id equals {@code id}, without allocating. */
    public boolean idEquals(final CharSequence id)
    {
        return Utf8.equals(id, buffer, idOffset(offset, nnz), idLength());
    }

    /** @return the length of the id in UTF-8 bytes. */
    public int idLength()
    {
        return buffer.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
    }

    /** @return the number of non-zero entries of the vector. */
    public int nnz()
    {
        return nnz;
    }

    /** @return the index at position {@code i} (0 to nnz-1). */
    public int index(final int i)
    {
        checkPosition(i);
        return buffer.getInt(indicesOffset(offset) + i * 4);
    }

    /** @return the value at position {@code i} (0 to nnz-1). */
    public float value(final int i)
    {
        checkPosition(i);
        return buffer.getFloat(valuesOffset(offset, nnz) + i * 4);
    }

    private void checkPosition(final int i)
    {
        if (i < 0 || i >= nnz)
        {
            throw new IndexOutOfBoundsException("position " + i + " of a vector with " + nnz + " non-zeros");
        }
    }

    public float importance()
    {
        return buffer.getFloat(offset + IMPORTANCE_OFFSET);
    }

    public long storedAtMillis()
    {
        return buffer.getLong(offset + STORED_AT_OFFSET);
    }

    /** @return the sequence number of the write that stored this version. */
    public long sequence()
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET);
    }

    public int metadataLength()
    {
        return buffer.getInt(offset + VALUE_LENGTH_OFFSET);
    }

    /** Copies the metadata into {@code dst} at {@code dstOffset}; it must have {@link #metadataLength()} room. */
    public void getMetadata(final byte[] dst, final int dstOffset)
    {
        buffer.getBytes(valueOffset(offset, nnz, idLength()), dst, dstOffset, metadataLength());
    }

    /** Copies the indices into {@code dst}, which must have {@link #nnz()} room. */
    public void getIndices(final int[] dst)
    {
        final int base = indicesOffset(offset);
        for (int i = 0; i < nnz; i++)
        {
            dst[i] = buffer.getInt(base + i * 4);
        }
    }

    /** Copies the values into {@code dst}, which must have {@link #nnz()} room. */
    public void getValues(final float[] dst)
    {
        final int base = valuesOffset(offset, nnz);
        for (int i = 0; i < nnz; i++)
        {
            dst[i] = buffer.getFloat(base + i * 4);
        }
    }

    /**
     * @return the dot product of the stored vector with {@code other}, by merging the two sorted index lists.
     */
    public double dot(final SparseVector other)
    {
        final int[] oi = other.indicesUnsafe();
        final float[] ov = other.valuesUnsafe();
        final int ib = indicesOffset(offset);
        final int vb = valuesOffset(offset, nnz);
        double sum = 0;
        int a = 0;
        int b = 0;
        while (a < nnz && b < oi.length)
        {
            final int ia = buffer.getInt(ib + a * 4);
            if (ia == oi[b])
            {
                sum += (double)buffer.getFloat(vb + a * 4) * ov[b];
                a++;
                b++;
            }
            else if (ia < oi[b])
            {
                a++;
            }
            else
            {
                b++;
            }
        }
        return sum;
    }

    /** @return the raw bytes of the record, for advanced zero-copy use; see docs/format.md for the layout. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where in {@link #buffer()} the record starts. */
    public int recordOffset()
    {
        return offset;
    }

    /** @return a detached copy of the entry (allocates). */
    public MemoryEntry toEntry()
    {
        final int[] indices = new int[nnz];
        final float[] values = new float[nnz];
        getIndices(indices);
        getValues(values);
        final byte[] metadata = new byte[metadataLength()];
        getMetadata(metadata, 0);
        return new MemoryEntry(id(), SparseVector.wrap(indices, values), importance(), storedAtMillis(), metadata,
            sequence());
    }
}
