package io.memsnap.internal.memory;

import java.util.Arrays;

/**
 * A query vector made ready for dot products with many stored vectors: a table from a hash of each query index to its
 * position. A product then looks each stored index up in the table ({@link MemoryRegion#sparseDot(int, int, int,
 * SparseDot)}, {@link #dot(int[], float[], int)}) instead of merging the two sorted index lists. A merge's every step
 * depends on the comparison before it, a branch that goes either way at random for vectors that share few indices,
 * so it runs at the speed of the branch mispredictions; the lookups are independent of each other, and the one
 * branch left (a slot two query indices share) is rare.
 *
 * <p>The sum is the merge's bit for bit: each stored index, in ascending order, adds its value times the query's
 * value of that index as a double, or times 0 when the query lacks it. Both values are finite floats, whose product
 * is exact in a double, so adding a zero product (+0.0 or -0.0) to the sum, which starts at +0.0 and is never -0.0,
 * leaves it as it was.
 *
 * <p>The table has at least {@value #SPREAD_SHIFT}-fold (16 times) more slots than the query has indices, from
 * {@code 2^}{@value #MIN_BITS} up to {@code 2^}{@value #MAX_BITS} ints; a query of more than {@link #MAX_COUNT}
 * indices is not tabled ({@link #fill} returns false) and the caller merges. A slot two query indices share holds
 * {@link #COLLIDED}, and a stored index that lands on it is found by binary search. The table is emptied after each
 * product ({@link #clear}), in the time of the query's length.
 *
 * <p>Not thread safe: one per thread (a reader's {@code EntryView}, a thread's {@code SparseVector.dot}).
 */
public final class SparseDot
{
    /** The longest query tabled: longer ones would fill the largest table past 1/16. */
    public static final int MAX_COUNT = 512;
    /** A slot that two indices of the query share: search the query. */
    public static final int COLLIDED = -1;
    private static final int MIN_BITS = 9;
    private static final int MAX_BITS = 13;
    private static final int SPREAD_SHIFT = 4;
    /** The golden ratio's 32-bit multiplier: spreads runs of nearby indices over the table. */
    private static final int SPREAD = 0x9E3779B9;

    private int[] table = new int[1 << MIN_BITS];
    private int shift = 32 - MIN_BITS;
    private int[] indices;
    private float[] values;
    private int count;

    /**
     * Tables the query: its first {@code count} indices (strictly increasing) and values (finite). Allocates only
     * to grow the table. Must be followed by {@link #clear()} before the next fill.
     *
     * @return whether it was tabled; false for a query of more than {@link #MAX_COUNT} indices, which the caller
     * merges instead.
     */
    public boolean fill(final int[] indices, final float[] values, final int count)
    {
        if (count > MAX_COUNT)
        {
            return false;
        }
        final int bits =
            Math.min(MAX_BITS, Math.max(MIN_BITS, 32 - Integer.numberOfLeadingZeros(count) + SPREAD_SHIFT));
        if (table.length < 1 << bits)
        {
            table = new int[1 << bits];
        }
        final int[] t = table;
        final int s = 32 - bits;
        for (int k = 0; k < count; k++)
        {
            final int slot = slot(indices[k], s);
            t[slot] = t[slot] == 0 ? k + 1 : COLLIDED;
        }
        this.shift = s;
        this.indices = indices;
        this.values = values;
        this.count = count;
        return true;
    }

    /** Empties the table {@link #fill} filled, and lets go of the query's arrays. */
    public void clear()
    {
        final int[] t = table;
        final int[] q = indices;
        final int s = shift;
        for (int k = 0; k < count; k++)
        {
            t[slot(q[k], s)] = 0;
        }
        indices = null;
        values = null;
        count = 0;
    }

    /**
     * {@return the dot product of the first {@code count} entries of a stored vector on the heap with the query}.
     */
    public double dot(final int[] storedIndices, final float[] storedValues, final int count)
    {
        final int n = this.count;
        if (n == 0)
        {
            return 0;
        }
        final int[] t = table;
        final int s = shift;
        final int[] qi = indices;
        final float[] qv = values;
        double sum = 0;
        for (int a = 0; a < count; a++)
        {
            final int index = storedIndices[a];
            final float value = storedValues[a];
            final int p = t[slot(index, s)];
            if (p < 0)
            {
                sum += searched(index, value, qi, qv, n);
                continue;
            }
            final int k = position(p);
            sum += (double)value * qv[k] * same(qi[k], index);
        }
        return sum;
    }

    /**
     * {@return the table, for a loop over other memory: {@link #slot} of a stored index, then {@link #position} and
     * {@link #same}, or {@link #searched} for a slot that is {@link #COLLIDED}.}
     */
    public int[] table()
    {
        return table;
    }

    public int shift()
    {
        return shift;
    }

    public int[] indices()
    {
        return indices;
    }

    public float[] values()
    {
        return values;
    }

    public int count()
    {
        return count;
    }

    /** {@return the table slot of {@code index}: the top bits of its product with {@link #SPREAD}.} */
    public static int slot(final int index, final int shift)
    {
        return (index * SPREAD) >>> shift;
    }

    /** {@return the query position a slot's entry {@code p} (not {@link #COLLIDED}) names, or 0 for an empty slot.} */
    public static int position(final int p)
    {
        final int k = p - 1;
        return k & ~(k >> 31);
    }

    /** {@return 1 if {@code a == b}, else 0, without a branch.} */
    public static int same(final int a, final int b)
    {
        final int d = a ^ b;
        return ((d | -d) >>> 31) ^ 1;
    }

    /** {@return the product of {@code value} with the query's value of {@code index}, found by binary search, or 0.} */
    public static double searched(final int index, final float value, final int[] indices, final float[] values,
        final int count)
    {
        final int k = Arrays.binarySearch(indices, 0, count, index);
        return k < 0 ? 0 : (double)value * values[k];
    }
}
