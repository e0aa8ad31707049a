package io.memsnap.bench.engine;

import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;
import io.memsnap.internal.memory.SparseDot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The value the key-value peers store for an entry: little-endian {@code importance f32, storedAt i64, nnz i32,
 * metadata length i32, indices i32[nnz], values f32[nnz], metadata}: the payload of a memsnap record without its
 * header, id and checksum, so every engine stores the same bytes. Stateless.
 */
public final class RecordCodec
{
    private static final int HEADER = 20;

    private RecordCodec()
    {
    }

    /** @return the encoded length of an entry. */
    public static int length(final SparseVector vector, final byte[] metadata)
    {
        return HEADER + 8 * vector.nnz() + metadata.length;
    }

    /** Writes the entry at the buffer's position, advancing it; the buffer must be little-endian. */
    public static void encode(final ByteBuffer out, final SparseVector vector, final float importance,
        final long storedAtMillis, final byte[] metadata)
    {
        final int nnz = vector.nnz();
        out.putFloat(importance).putLong(storedAtMillis).putInt(nnz).putInt(metadata.length);
        for (int i = 0; i < nnz; i++)
        {
            out.putInt(vector.index(i));
        }
        for (int i = 0; i < nnz; i++)
        {
            out.putFloat(vector.value(i));
        }
        out.put(metadata);
    }

    /** @return a new heap array holding the encoded entry. */
    public static byte[] encode(final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        final byte[] bytes = new byte[length(vector, metadata)];
        encode(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), vector, importance, storedAtMillis, metadata);
        return bytes;
    }

    /** @return a copy of the entry encoded at {@code offset} of {@code in} (absolute reads). */
    public static MemoryEntry decode(final String id, final ByteBuffer in, final int offset)
    {
        final ByteBuffer b = in.order() == ByteOrder.LITTLE_ENDIAN ? in : in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final float importance = b.getFloat(offset);
        final long storedAt = b.getLong(offset + 4);
        final int nnz = b.getInt(offset + 12);
        final int metaLength = b.getInt(offset + 16);
        final int[] indices = new int[nnz];
        final float[] values = new float[nnz];
        int p = offset + HEADER;
        for (int i = 0; i < nnz; i++, p += 4)
        {
            indices[i] = b.getInt(p);
        }
        for (int i = 0; i < nnz; i++, p += 4)
        {
            values[i] = b.getFloat(p);
        }
        final byte[] metadata = new byte[metaLength];
        b.get(p, metadata);
        return new MemoryEntry(id, SparseVector.wrap(indices, values), importance, storedAt, metadata, 0);
    }

    /**
     * @return the dot product of the entry encoded at {@code offset} of {@code in} with {@code query}, in place, by
     * the algorithm of memsnap's {@code EntryView.dot} and {@code SparseVector.dot} (the query tabled, the entry's
     * indices looked up in it), so that every engine's read and get scores with the same code.
     */
    public static double dot(final ByteBuffer in, final int offset, final SparseVector query)
    {
        final ByteBuffer b = in.order() == ByteOrder.LITTLE_ENDIAN ? in : in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final int nnz = b.getInt(offset + 12);
        final int indices = offset + HEADER;
        final int values = indices + 4 * nnz;
        final Tabled tabled = TABLED.get();
        final SparseDot dot = tabled.of(query);
        if (!dot.fill(tabled.indices, tabled.values, tabled.indices.length))
        {
            return merged(b, indices, values, nnz, query);
        }
        try
        {
            final int[] table = dot.table();
            final int shift = dot.shift();
            final int[] qi = dot.indices();
            final float[] qv = dot.values();
            final int n = dot.count();
            double sum = 0;
            for (int a = 0; a < nnz && n > 0; a++)
            {
                final int index = b.getInt(indices + 4 * a);
                final float value = b.getFloat(values + 4 * a);
                final int p = table[SparseDot.slot(index, shift)];
                if (p == SparseDot.COLLIDED)
                {
                    sum += SparseDot.searched(index, value, qi, qv, n);
                    continue;
                }
                final int k = SparseDot.position(p);
                sum += (double)value * qv[k] * SparseDot.same(qi[k], index);
            }
            return sum;
        }
        finally
        {
            dot.clear();
        }
    }

    private static double merged(final ByteBuffer b, final int indices, final int values, final int nnz,
        final SparseVector query)
    {
        final int qn = query.nnz();
        double sum = 0;
        int i = 0;
        int j = 0;
        while (i < nnz && j < qn)
        {
            final int a = b.getInt(indices + 4 * i);
            final int q = query.index(j);
            if (a == q)
            {
                sum += (double)b.getFloat(values + 4 * i) * query.value(j);
                i++;
                j++;
            }
            else if (a < q)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
        return sum;
    }

    /** @return the dot product of two vectors held on the heap: {@link SparseVector#dot}, as memsnap's users score. */
    public static double dot(final SparseVector a, final SparseVector b)
    {
        return a.dot(b);
    }

    private static final ThreadLocal<Tabled> TABLED = ThreadLocal.withInitial(Tabled::new);

    /** A thread's table, and the arrays of the last query it tabled (a SparseVector is immutable). */
    private static final class Tabled
    {
        final SparseDot dot = new SparseDot();
        SparseVector query;
        int[] indices;
        float[] values;

        SparseDot of(final SparseVector q)
        {
            if (q != query)
            {
                query = q;
                indices = q.indices();
                values = q.values();
            }
            return dot;
        }
    }
}
