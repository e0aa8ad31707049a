package io.memsnap;

import io.memsnap.internal.memory.SparseDot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link SparseVector#dot} and {@link EntryView#dot} look the indices of one vector up in a table of the other's
 * instead of merging the two index lists: the product must be the merge's double bit for bit, for vectors that share
 * no index, some or all, for indices that share a slot of the table, for tables of every size and for vectors too long
 * to table, and {@code a.dot(b)} must equal {@code b.dot(a)}.
 */
class SparseDotTest
{
    private static final int DIMENSION = 1 << 20;

    @TempDir
    Path dir;

    /** The product by a merge of the sorted index lists, as the definition. */
    static double merged(final SparseVector a, final SparseVector b)
    {
        double sum = 0;
        int i = 0;
        int j = 0;
        while (i < a.nnz() && j < b.nnz())
        {
            if (a.index(i) == b.index(j))
            {
                sum += (double)a.value(i) * b.value(j);
                i++;
                j++;
            }
            else if (a.index(i) < b.index(j))
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

    static SparseVector random(final Random random, final int nnz, final int bound, final TreeSet<Integer> shared,
        final double shareFraction)
    {
        final TreeSet<Integer> indices = new TreeSet<>();
        final List<Integer> pool = new ArrayList<>(shared);
        while (indices.size() < nnz)
        {
            if (!pool.isEmpty() && random.nextDouble() < shareFraction)
            {
                indices.add(pool.get(random.nextInt(pool.size())));
            }
            else
            {
                indices.add(random.nextInt(bound));
            }
        }
        final int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
        final float[] values = new float[idx.length];
        for (int k = 0; k < values.length; k++)
        {
            switch (random.nextInt(8))
            {
                case 0 -> values[k] = -0.0f;
                case 1 -> values[k] = random.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
                case 2 -> values[k] = Float.MIN_VALUE;
                default -> values[k] = (float)random.nextGaussian();
            }
        }
        return SparseVector.of(idx, values);
    }

    private static void assertSameProduct(final double expected, final double actual, final String what)
    {
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
            what + ": expected " + expected + ", was " + actual);
    }

    @Test
    void theTabledProductIsTheMergesBitForBitAtEveryLength()
    {
        final Random random = new Random(42);
        final int[] lengths = {0, 1, 2, 7, 30, 31, 255, 256, 511, 512, 513, 1500};
        for (final int na : lengths)
        {
            for (final int nb : lengths)
            {
                for (int round = 0; round < 4; round++)
                {
                    final SparseVector a = random(random, na, round < 2 ? 4 * Math.max(na, nb) + 8 : DIMENSION,
                        new TreeSet<>(), 0);
                    final TreeSet<Integer> shared = new TreeSet<>();
                    for (int k = 0; k < a.nnz(); k++)
                    {
                        shared.add(a.index(k));
                    }
                    final SparseVector b = random(random, nb, DIMENSION, shared, round * 0.3);
                    final double expected = merged(a, b);
                    assertSameProduct(expected, a.dot(b), na + " x " + nb + " round " + round);
                    assertSameProduct(expected, b.dot(a), nb + " x " + na + " round " + round);
                }
            }
        }
    }

    @Test
    void indicesThatShareATableSlotAreEachFound()
    {
        // Indices whose slots in the smallest table (2^9) collide: the table marks such a slot, and a stored index
        // that lands on it is searched for in the query.
        final int shift = 32 - 9;
        final List<Integer> colliding = new ArrayList<>();
        final int target = SparseDot.slot(12_345, shift);
        for (int i = 0; colliding.size() < 6 && i < Integer.MAX_VALUE; i++)
        {
            if (SparseDot.slot(i, shift) == target)
            {
                colliding.add(i);
            }
        }
        assertEquals(6, colliding.size());
        final int[] queryIndices = {colliding.get(0), colliding.get(2), colliding.get(4)};
        final SparseVector query = SparseVector.of(queryIndices, new float[]{1.5f, -2.0f, 4.0f});
        final int[] storedIndices = colliding.stream().mapToInt(Integer::intValue).toArray();
        final float[] storedValues = {10f, 100f, 1000f, 10_000f, 100_000f, 1_000_000f};
        final SparseVector stored = SparseVector.of(storedIndices, storedValues);
        final double expected = 10f * 1.5 + 1000f * -2.0 + 100_000f * 4.0;
        assertEquals(expected, merged(stored, query));
        assertSameProduct(expected, stored.dot(query), "stored.dot(query)");
        assertSameProduct(expected, query.dot(stored), "query.dot(stored)");
    }

    @Test
    void indicesUpToTheLargestAVectorHoldsAreFound()
    {
        final SparseVector a = SparseVector.of(new int[]{0, 1, Integer.MAX_VALUE - 2, Integer.MAX_VALUE - 1},
            new float[]{1f, 2f, 3f, 4f});
        final SparseVector b = SparseVector.of(new int[]{1, Integer.MAX_VALUE - 1}, new float[]{5f, 6f});
        assertSameProduct(2.0 * 5 + 4.0 * 6, a.dot(b), "a.dot(b)");
        assertSameProduct(2.0 * 5 + 4.0 * 6, b.dot(a), "b.dot(a)");
        assertSameProduct(0.0, a.dot(SparseVector.empty()), "a.dot(empty)");
        assertSameProduct(0.0, SparseVector.empty().dot(a), "empty.dot(a)");
    }

    @Test
    void aViewsProductIsTheCopysForQueriesOfEveryLengthInTurn()
    {
        final Random random = new Random(7);
        final int entries = 300;
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION).build()))
        {
            final SparseVector[] stored = new SparseVector[entries];
            for (int i = 0; i < entries; i++)
            {
                stored[i] = random(random, 1 + random.nextInt(i % 3 == 0 ? 900 : 60), i % 2 == 0 ? 2048 : DIMENSION,
                    new TreeSet<>(), 0);
                store.put("e" + i, stored[i]);
            }
            // Queries long and short in turn: the view's table grows, shrinks its slots in use and is emptied after
            // each product, so a stale slot of an earlier query would show as a wrong product here.
            final int[] queryLengths = {30, 700, 1, 400, 5, 513, 200, 0};
            for (final int length : queryLengths)
            {
                final SparseVector query = random(random, length, 2048, new TreeSet<>(), 0);
                for (int i = 0; i < entries; i++)
                {
                    final double expected = merged(stored[i], query);
                    final double[] seen = {Double.NaN};
                    assertTrue(store.read("e" + i, view -> seen[0] = view.dot(query)));
                    assertSameProduct(expected, seen[0], "entry " + i + " with a query of " + length);
                    assertSameProduct(expected, store.get("e" + i).orElseThrow().vector().dot(query),
                        "copy of entry " + i + " with a query of " + length);
                }
            }
        }
    }
}
