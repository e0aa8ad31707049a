package io.memsnap;

import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.memory.SparseDot;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * A zero-copy view of one stored entry, read straight from the mapped segment. Handed to an {@link EntryVisitor};
 * valid only during that call. Nothing here allocates except {@link #id()}, {@link #toEntry()}, the
 * array-returning copies, the buffers of {@link #byteBuffer()} and {@link #buffer()}, and {@link #dot}'s table the
 * first time a view tables a vector longer than before (the view keeps it).
 *
 * <p><b>Lifetime.</b> Once the visit returns, every method throws {@link IllegalStateException} ("used outside its
 * visitor"), whether the store is still open (the memory may hold a newer version of the entry by then) or closed
 * (the memory is unmapped: a read would crash the JVM). Copy what must outlive the visit ({@link #toEntry()},
 * {@link #getIndices}, ...) inside it. The store may hand the same view object to a later visit on the same thread,
 * which makes it valid again for that visit only; the {@link #byteBuffer()} (or {@link #buffer()}) returned is valid
 * only during the visit too: read after the visit, it may hold a newer record, and once the store has released the
 * memory a read of it crashes the JVM on JDK 17 to 21, and throws {@link IllegalStateException} on JDK 22 and later
 * ({@link #buffer()}'s: crashes on every JDK).
 *
 * <p><b>Concurrency.</b> Not thread safe: use it only on the thread of its visitor. The lifetime check protects that
 * thread; another thread may read a buffer that the store has released, as above.
 */
public final class EntryView
{
    private static final int[] NO_INDICES = new int[0];
    private static final float[] NO_VALUES = new float[0];

    /** The mapped segment (or a copy of the record) during a visit, null outside one. */
    private MemoryRegion buffer;
    private int offset;
    private int nnz;
    /** The query of {@link #dot}, tabled; made at the first. */
    private SparseDot dot;
    /** A copy of the record's vector, for {@link #dot} with a query too long to table; made at the first. */
    private int[] storedIndices = NO_INDICES;
    private float[] storedValues = NO_VALUES;

    EntryView()
    {
    }

    void wrap(final MemoryRegion buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.nnz = buffer.getInt(offset + NNZ_OFFSET);
    }

    /** The store, when the visit ends: from now on every method throws until the next {@link #wrap}. */
    void release()
    {
        buffer = null;
    }

    /** {@return the mapped segment of the entry.} */
    private MemoryRegion mapped()
    {
        final MemoryRegion b = buffer;
        if (b == null)
        {
            throw new IllegalStateException("EntryView used outside its visitor: it is valid only while " +
                "EntryVisitor.visit runs; copy what you need inside the visit (toEntry(), getIndices, getValues)");
        }
        return b;
    }

    /** {@return the id (allocates a String).} */
    public String id()
    {
        return Utf8.decode(mapped(), idOffset(offset, nnz), idLength());
    }

    /**
     * Compares the entry's id with another, reading it in place.
     *
     * @param id the id to compare with.
     * @return whether the id equals {@code id}, without allocating.
     */
    public boolean idEquals(final CharSequence id)
    {
        return Utf8.equals(id, mapped(), idOffset(offset, nnz), idLength());
    }

    /** {@return the length of the id in UTF-8 bytes.} */
    public int idLength()
    {
        return mapped().getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
    }

    /** {@return the number of non-zero entries of the vector.} */
    public int nnz()
    {
        mapped();
        return nnz;
    }

    /**
     * Reads one index of the stored vector, in place.
     *
     * @param i the position, 0 to {@link #nnz()} - 1.
     * @return the index at position {@code i} (0 to nnz-1).
     */
    public int index(final int i)
    {
        final MemoryRegion b = mapped();
        checkPosition(i);
        return b.getInt(indicesOffset(offset) + i * 4);
    }

    /**
     * Reads one value of the stored vector, in place.
     *
     * @param i the position, 0 to {@link #nnz()} - 1.
     * @return the value at position {@code i} (0 to nnz-1).
     */
    public float value(final int i)
    {
        final MemoryRegion b = mapped();
        checkPosition(i);
        return b.getFloat(valuesOffset(offset, nnz) + i * 4);
    }

    private void checkPosition(final int i)
    {
        if (i < 0 || i >= nnz)
        {
            throw new IndexOutOfBoundsException("position " + i + " of a vector with " + nnz + " non-zeros");
        }
    }

    /**
     * {@return the importance the entry was written with.}
     */
    public float importance()
    {
        return mapped().getFloat(offset + IMPORTANCE_OFFSET);
    }

    /**
     * {@return when the entry was written, in epoch milliseconds (as the writer gave it).}
     */
    public long storedAtMillis()
    {
        return mapped().getLong(offset + STORED_AT_OFFSET);
    }

    /** {@return the sequence number of the record holding this version: its write, or a compaction's copy of it.} */
    public long sequence()
    {
        return mapped().getLong(offset + SEQUENCE_OFFSET);
    }

    /**
     * {@return the length of the metadata in bytes, 0 when there is none.}
     */
    public int metadataLength()
    {
        return mapped().getInt(offset + VALUE_LENGTH_OFFSET);
    }

    /**
     * Copies the metadata into {@code dst} at {@code dstOffset}; it must have {@link #metadataLength()} room.
     *
     * @param dst the array to copy into.
     * @param dstOffset where in {@code dst} the first byte goes.
     */
    public void getMetadata(final byte[] dst, final int dstOffset)
    {
        mapped().getBytes(valueOffset(offset, nnz, idLength()), dst, dstOffset, metadataLength());
    }

    /**
     * Copies the indices into {@code dst}, which must have {@link #nnz()} room.
     *
     * @param dst the array to copy into.
     */
    public void getIndices(final int[] dst)
    {
        mapped().getInts(checkedCopy(indicesOffset(offset), dst.length), dst, 0, nnz);
    }

    /**
     * Copies the values into {@code dst}, which must have {@link #nnz()} room.
     *
     * @param dst the array to copy into.
     */
    public void getValues(final float[] dst)
    {
        mapped().getFloats(checkedCopy(valuesOffset(offset, nnz), dst.length), dst, 0, nnz);
    }

    /**
     * Checks a bulk copy of the {@link #nnz} 4-byte elements at {@code from} into an array of {@code dstLength} (the
     * CPU's order is the log's).
     *
     * @return {@code from}.
     */
    private int checkedCopy(final int from, final int dstLength)
    {
        final MemoryRegion b = mapped();
        if (dstLength < nnz)
        {
            throw new IndexOutOfBoundsException("an array of " + dstLength + " for " + nnz + " non-zeros");
        }
        Objects.checkFromIndexSize(from, nnz * 4, b.length());
        return from;
    }

    /**
     * Multiplies the stored vector with another, reading it where it lies in the mapped segment.
     *
     * @param other the vector to multiply with.
     * @return the dot product of the stored vector with {@code other}, the same double, bit for bit, as
     * {@link SparseVector#dot} of a copy: each index both hold adds the product of its two values in double, in
     * ascending order of index. Of the two vectors, {@code other} is tabled, or, when it has more than 512
     * non-zeros, the record's vector from a copy (see {@link SparseVector#dot}); two longer ones are merged. Allocates
     * only when the vector tabled is longer than every one this view tabled before (a table of up to 32 KiB, and the
     * copy's 4 KiB, kept by the view for later visits on this thread).
     */
    public double dot(final SparseVector other)
    {
        final MemoryRegion b = mapped();
        final int ib = indicesOffset(offset);
        final int[] indices = other.indicesUnsafe();
        final float[] values = other.valuesUnsafe();
        SparseDot d = dot;
        if (d == null)
        {
            d = dot = new SparseDot();
        }
        if (d.fill(indices, values, indices.length))
        {
            try
            {
                return b.sparseDot(ib, ib + nnz * 4, nnz, d);
            }
            finally
            {
                d.clear();
            }
        }
        if (nnz > SparseDot.MAX_COUNT)
        {
            return b.sparseDot(ib, ib + nnz * 4, nnz, indices, values);
        }
        // A long query and a short record: the record is tabled, from a copy in the view's arrays (one bulk copy of
        // each list), and the query's indices are looked up in it.
        if (storedIndices.length < nnz)
        {
            storedIndices = new int[SparseDot.MAX_COUNT];
            storedValues = new float[SparseDot.MAX_COUNT];
        }
        b.getInts(ib, storedIndices, 0, nnz);
        b.getFloats(ib + nnz * 4, storedValues, 0, nnz);
        d.fill(storedIndices, storedValues, nnz);
        try
        {
            return d.dot(indices, values, indices.length);
        }
        finally
        {
            d.clear();
        }
    }

    /**
     * {@return the bytes of the record, for advanced zero-copy use (see docs/format.md for the layout): a new
     * read-only buffer in the CPU's byte order, from the record's first byte (position 0) to its last (the limit, its
     * length field). Allocates. Valid only during the visit, as the view.}
     */
    public ByteBuffer byteBuffer()
    {
        final MemoryRegion b = mapped();
        final int length = b.getInt(offset + LENGTH_OFFSET);
        return b.byteBuffer(offset, length).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /**
     * {@return the bytes around the record, the record at {@link #recordOffset()}, as an Agrona buffer over a new
     * {@link ByteBuffer} view of them (allocates); see docs/format.md for the layout. Valid only during the visit, as
     * the view.}
     *
     * @throws JvmFlagMissingException if the JVM was started without the {@code --add-exports} flag its message
     *                                 names, which Agrona's buffers need (nothing else of memsnap does).
     * @deprecated Agrona's buffers need that JVM flag: use {@link #byteBuffer()}, which needs none.
     */
    @Deprecated
    public DirectBuffer buffer()
    {
        final MemoryRegion b = mapped();
        AgronaAccess.require();
        return new UnsafeBuffer(b.byteBuffer(0, b.length()));
    }

    /** {@return where in {@link #buffer()} the record starts ({@link #byteBuffer()} starts with it).} */
    public int recordOffset()
    {
        mapped();
        return offset;
    }

    /** {@return a detached copy of the entry (allocates).} */
    public MemoryEntry toEntry()
    {
        return toEntry(id());
    }

    /**
     * The store's get, which knows the id (the record's, matched byte for byte): as {@link #toEntry()} without
     * decoding it again. The vector is not checked again either: the store checked it when it was written, and the
     * record's checksum when it was read.
     */
    MemoryEntry toEntry(final String id)
    {
        final int[] indices = new int[nnz];
        final float[] values = new float[nnz];
        getIndices(indices);
        getValues(values);
        final byte[] metadata = new byte[metadataLength()];
        getMetadata(metadata, 0);
        return new MemoryEntry(id, SparseVector.stored(indices, values), importance(), storedAtMillis(), metadata,
            sequence());
    }
}
