package io.memsnap;

import io.memsnap.internal.memory.SparseDot;

import java.util.Arrays;

/**
 * An immutable sparse vector: strictly increasing non-negative {@code int} indices and finite {@code float} values
 * of the same length. The upper bound of the indices (the dimension) belongs to the store and is checked by
 * {@link MemoryStore#put}.
 *
 * <p>Thread safe: immutable ({@link #dot} uses a table of the calling thread). The factory methods copy their
 * arguments; {@link #wrap(int[], float[])} does not, and the caller promises not to change the arrays afterwards.
 */
public final class SparseVector
{
    private static final SparseVector EMPTY = new SparseVector(new int[0], new float[0]);
    /** Each thread's table for {@link #dot}. */
    private static final ThreadLocal<SparseDot> DOTS = ThreadLocal.withInitial(SparseDot::new);

    private final int[] indices;
    private final float[] values;

    private SparseVector(final int[] indices, final float[] values)
    {
        this.indices = indices;
        this.values = values;
    }

    /**
     * Makes a vector of copies of the given indices and values, checked.
     *
     * @param indices strictly increasing, non-negative.
     * @param values  finite, one per index.
     * @return a vector holding copies of the arrays.
     * @throws InvalidEntryException naming the offending position.
     */
    public static SparseVector of(final int[] indices, final float[] values)
    {
        return wrap(indices.clone(), values.clone());
    }

    /**
     * As {@link #of(int[], float[])} but without copying: the arrays must not change afterwards.
     *
     * @param indices strictly increasing, each at least 0.
     * @param values finite, one per index.
     * @return a vector over the arrays themselves.
     */
    public static SparseVector wrap(final int[] indices, final float[] values)
    {
        validate(indices, values, Integer.MAX_VALUE);
        return new SparseVector(indices, values);
    }

    /**
     * A copy read back from a record of the store, whose vector was checked when it was written (and whose bytes
     * the record's checksum covers): not checked again.
     */
    static SparseVector stored(final int[] indices, final float[] values)
    {
        return indices.length == 0 ? EMPTY : new SparseVector(indices, values);
    }

    /** {@return the vector with no non-zero entry.} */
    public static SparseVector empty()
    {
        return EMPTY;
    }

    /**
     * Builds a sparse vector from a dense one, dropping exact zeros.
     *
     * @param dense the values of every index from 0.
     * @return a vector of the non-zero values.
     * @throws InvalidEntryException if a value is not finite.
     */
    public static SparseVector fromDense(final float[] dense)
    {
        int nnz = 0;
        for (final float v : dense)
        {
            if (v != 0.0f)
            {
                nnz++;
            }
        }
        final int[] idx = new int[nnz];
        final float[] val = new float[nnz];
        int j = 0;
        for (int i = 0; i < dense.length; i++)
        {
            if (dense[i] != 0.0f)
            {
                idx[j] = i;
                val[j] = dense[i];
                j++;
            }
        }
        return wrap(idx, val);
    }

    /**
     * Checks the shape of a vector against a dimension.
     *
     * @param indices the indices to check.
     * @param values the values to check.
     * @param dimension the dimension every index must be below.
     * @throws InvalidEntryException naming the first offending position.
     */
    public static void validate(final int[] indices, final float[] values, final int dimension)
    {
        if (indices == null || values == null)
        {
            throw new InvalidEntryException("sparse vector indices and values must not be null");
        }
        if (indices.length != values.length)
        {
            throw new InvalidEntryException("sparse vector has " + indices.length + " indices but " + values.length +
                " values: give exactly one value per index");
        }
        int previous = -1;
        for (int i = 0; i < indices.length; i++)
        {
            final int index = indices[i];
            if (index < 0)
            {
                throw new InvalidEntryException("sparse vector index at position " + i + " is negative (" + index + ")");
            }
            if (index >= dimension)
            {
                throw new InvalidEntryException("sparse vector index at position " + i + " is " + index +
                    ", not below the store's dimension " + dimension);
            }
            if (index <= previous)
            {
                throw new InvalidEntryException("sparse vector indices must be strictly increasing: position " + i +
                    " holds " + index + " after " + previous + (index == previous ? " (duplicate index)" : " (unsorted)"));
            }
            if (!Float.isFinite(values[i]))
            {
                throw new InvalidEntryException("sparse vector value at position " + i + " (index " + index + ") is " +
                    values[i] + ": values must be finite");
            }
            previous = index;
        }
    }

    /** {@return the number of non-zero entries.} */
    public int nnz()
    {
        return indices.length;
    }

    /**
     * Reads one index of the vector.
     *
     * @param i the position, 0 to {@link #nnz()} - 1.
     * @return the index at position {@code i}.
     */
    public int index(final int i)
    {
        return indices[i];
    }

    /**
     * Reads one value of the vector.
     *
     * @param i the position, 0 to {@link #nnz()} - 1.
     * @return the value at position {@code i}.
     */
    public float value(final int i)
    {
        return values[i];
    }

    /** {@return a copy of the indices.} */
    public int[] indices()
    {
        return indices.clone();
    }

    /** {@return a copy of the values.} */
    public float[] values()
    {
        return values.clone();
    }

    /**
     * Multiplies this vector with another.
     *
     * <p>Each index both vectors hold adds the product of its two values, taken in double, to a double sum, in
     * ascending order of index; so {@code a.dot(b)} equals {@code b.dot(a)}, and {@link EntryView#dot} of the stored
     * vector, bit for bit. The shorter vector, when it has at most 512 non-zeros, is tabled (a hash of each index to
     * its position, in a table of the calling thread) and the other's indices looked up in it, which costs no branch
     * mispredictions for vectors that share few indices; two longer vectors are merged.
     *
     * @param other the vector to multiply with.
     * @return the dot product. Allocates only the first time a thread multiplies, or meets a vector longer than
     * before (its table, up to 32 KiB).
     */
    public double dot(final SparseVector other)
    {
        final SparseVector query = other.indices.length <= indices.length ? other : this;
        final SparseVector stored = query == this ? other : this;
        final SparseDot d = DOTS.get();
        if (!d.fill(query.indices, query.values, query.indices.length))
        {
            return merged(stored, query);
        }
        try
        {
            return d.dot(stored.indices, stored.values, stored.indices.length);
        }
        finally
        {
            d.clear();
        }
    }

    /** {@return the dot product of two vectors by a merge of their sorted index lists.} */
    private static double merged(final SparseVector a, final SparseVector b)
    {
        final int[] ai = a.indices;
        final int[] bi = b.indices;
        double sum = 0;
        int i = 0;
        int j = 0;
        while (i < ai.length && j < bi.length)
        {
            final int x = ai[i];
            final int y = bi[j];
            if (x == y)
            {
                sum += (double)a.values[i] * b.values[j];
                i++;
                j++;
            }
            else if (x < y)
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

    /** {@return the largest index plus one, or 0 for the empty vector.} */
    public int requiredDimension()
    {
        return indices.length == 0 ? 0 : indices[indices.length - 1] + 1;
    }

    int[] indicesUnsafe()
    {
        return indices;
    }

    float[] valuesUnsafe()
    {
        return values;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof SparseVector))
        {
            return false;
        }
        final SparseVector that = (SparseVector)o;
        if (!Arrays.equals(indices, that.indices) || values.length != that.values.length)
        {
            return false;
        }
        for (int i = 0; i < values.length; i++)
        {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(that.values[i]))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("SparseVector{nnz=").append(indices.length).append(", [");
        final int shown = Math.min(indices.length, 8);
        for (int i = 0; i < shown; i++)
        {
            sb.append(i == 0 ? "" : ", ").append(indices[i]).append('=').append(values[i]);
        }
        return sb.append(indices.length > shown ? ", ...]}" : "]}").toString();
    }
}
