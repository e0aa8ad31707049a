package io.memsnap.cli;

import io.memsnap.SparseVector;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sparse vectors shaped like bag-of-words text embeddings: a log-normal number of distinct terms (a few dozen to a
 * few hundred), term ranks drawn from a Zipf law over the whole vocabulary (Walker's alias method, O(1) a draw),
 * ranks scattered over the index space by a fixed permutation as a feature hash would, and TF-IDF-like values,
 * L2-normalised. Seeded and reproducible; the heap it uses is fixed by the dimension, not by how many it makes.
 *
 * <p>Not thread safe: one instance per thread.
 */
public final class ZipfSparseVectors
{
    private static final double ZIPF_EXPONENT = 1.07;
    private static final int MIN_TERMS = 24;
    private static final int MAX_TERMS = 400;

    private final SplittableRandom random;
    private final int dimension;
    private final double[] probability;
    private final int[] alias;
    private final int[] indexOfRank;
    private final int[] rankOfIndex;
    private final float[] idf;
    private final int[] draws = new int[MAX_TERMS * 2];

    public ZipfSparseVectors(final int dimension, final long seed)
    {
        this.dimension = dimension;
        this.random = new SplittableRandom(seed);
        final double[] weight = new double[dimension];
        double total = 0;
        for (int rank = 0; rank < dimension; rank++)
        {
            weight[rank] = 1.0 / Math.pow(rank + 1, ZIPF_EXPONENT);
            total += weight[rank];
        }
        probability = new double[dimension];
        alias = new int[dimension];
        buildAliasTable(weight, total);
        indexOfRank = new int[dimension];
        for (int i = 0; i < dimension; i++)
        {
            indexOfRank[i] = i;
        }
        final SplittableRandom shuffle = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = dimension - 1; i > 0; i--)
        {
            final int j = shuffle.nextInt(i + 1);
            final int t = indexOfRank[i];
            indexOfRank[i] = indexOfRank[j];
            indexOfRank[j] = t;
        }
        rankOfIndex = new int[dimension];
        for (int rank = 0; rank < dimension; rank++)
        {
            rankOfIndex[indexOfRank[rank]] = rank;
        }
        idf = new float[dimension];
        for (int rank = 0; rank < dimension; rank++)
        {
            idf[rank] = (float)Math.log(1.0 + total / weight[rank] / 1000.0);
        }
    }

    private void buildAliasTable(final double[] weight, final double total)
    {
        final int n = weight.length;
        final double[] scaled = new double[n];
        final int[] small = new int[n];
        final int[] large = new int[n];
        int smallCount = 0;
        int largeCount = 0;
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weight[i] * n / total;
            if (scaled[i] < 1.0)
            {
                small[smallCount++] = i;
            }
            else
            {
                large[largeCount++] = i;
            }
        }
        while (smallCount > 0 && largeCount > 0)
        {
            final int s = small[--smallCount];
            final int l = large[--largeCount];
            probability[s] = scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1.0;
            if (scaled[l] < 1.0)
            {
                small[smallCount++] = l;
            }
            else
            {
                large[largeCount++] = l;
            }
        }
        while (largeCount > 0)
        {
            probability[large[--largeCount]] = 1.0;
        }
        while (smallCount > 0)
        {
            probability[small[--smallCount]] = 1.0;
        }
    }

    private int drawRank()
    {
        final int column = random.nextInt(dimension);
        return random.nextDouble() < probability[column] ? column : alias[column];
    }

    /** @return the next vector. */
    public SparseVector next()
    {
        final double logNormal = Math.exp(Math.log(80) + 0.6 * random.nextGaussian());
        final int terms = (int)Math.max(MIN_TERMS, Math.min(MAX_TERMS, logNormal));
        final int tokens = terms * 2;
        for (int i = 0; i < tokens; i++)
        {
            draws[i] = drawRank();
        }
        Arrays.sort(draws, 0, tokens);
        int distinct = 0;
        for (int i = 0; i < tokens; i++)
        {
            if (i == 0 || draws[i] != draws[i - 1])
            {
                distinct++;
            }
        }
        final long[] packed = new long[distinct];
        int d = -1;
        for (int i = 0; i < tokens; i++)
        {
            if (i == 0 || draws[i] != draws[i - 1])
            {
                d++;
                packed[d] = (long)indexOfRank[draws[i]] << 32;
            }
            packed[d]++;
        }
        Arrays.sort(packed);
        final int[] indices = new int[distinct];
        final float[] values = new float[distinct];
        double norm = 0;
        for (int i = 0; i < distinct; i++)
        {
            indices[i] = (int)(packed[i] >>> 32);
            final int count = (int)packed[i];
            values[i] = (float)((1.0 + Math.log(count)) * idf[rankOf(indices[i])]);
            norm += (double)values[i] * values[i];
        }
        final float scale = (float)(1.0 / Math.sqrt(norm));
        for (int i = 0; i < distinct; i++)
        {
            values[i] *= scale;
        }
        return SparseVector.wrap(indices, values);
    }

    private int rankOf(final int index)
    {
        return rankOfIndex[index];
    }
}
