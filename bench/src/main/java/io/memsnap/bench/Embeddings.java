package io.memsnap.bench;

import io.memsnap.SparseVector;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmarks' data: entry {@code i} of a seeded, reproducible sequence. Its vector is, for {@code i} below the
 * corpus size, the term-frequency vector of a real source file (a seeded permutation of the {@link Corpus}), and
 * beyond it a synthetic vector drawn to match the corpus's measured distributions: the number of non-zeros of a
 * randomly chosen corpus document, distinct indices drawn with probability proportional to their document frequency
 * in the corpus (Walker's alias method, redrawing duplicates), and counts drawn from the corpus's pooled term counts.
 * Values are counts, L2-normalised. Ids are {@code mem-} and ten digits; importance, time and 24 bytes of metadata
 * follow from {@code i}.
 *
 * <p>Entry {@code i} is the same for the same seed on every run and JVM (given the same corpus file). Not thread
 * safe (scratch space): one instance per thread; {@link #shared(long)} gives the read-only tables to build them.
 */
public final class Embeddings
{
    /** The default seed of every benchmark. */
    public static final long SEED = 0x5EED_0004L;
    private static final long TIME_BASE = 1_700_000_000_000L;

    private final Corpus corpus;
    private final long seed;
    private final int[] permutation;
    private final long[] aliasTable;
    private final int[] pooledCounts;
    private final long[] drawn = new long[Corpus.DIMENSION / 64];
    private int[] indexScratch = new int[4096];
    private int[] countScratch = new int[4096];

    /** Tables shared by the instances of one seed: built once a JVM. */
    private static final class Tables
    {
        final long seed;
        final int[] permutation;
        /** Walker's table, one long a column: the acceptance threshold (a float's bits) high, the alias low. */
        final long[] aliasTable;

        Tables(final Corpus corpus, final long seed)
        {
            this.seed = seed;
            final int docs = corpus.documents();
            permutation = new int[docs];
            for (int i = 0; i < docs; i++)
            {
                permutation[i] = i;
            }
            final SplittableRandom random = new SplittableRandom(seed);
            for (int i = docs - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            final int[] df = corpus.documentFrequencies();
            final int n = df.length;
            final double[] probability = new double[n];
            final int[] alias = new int[n];
            double total = 0;
            for (final int f : df)
            {
                total += f;
            }
            final double[] scaled = new double[n];
            final int[] small = new int[n];
            final int[] large = new int[n];
            int smallCount = 0;
            int largeCount = 0;
            for (int i = 0; i < n; i++)
            {
                scaled[i] = df[i] * n / total;
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
            aliasTable = new long[n];
            for (int i = 0; i < n; i++)
            {
                aliasTable[i] = (long)Float.floatToIntBits((float)probability[i]) << 32 | alias[i];
            }
        }
    }

    private static volatile Tables tables;

    private static Tables shared(final Corpus corpus, final long seed)
    {
        Tables t = tables;
        if (t == null || t.seed != seed)
        {
            synchronized (Embeddings.class)
            {
                t = tables;
                if (t == null || t.seed != seed)
                {
                    t = new Tables(corpus, seed);
                    tables = t;
                }
            }
        }
        return t;
    }

    /** @return the sequence of {@code seed} over this JVM's {@link Corpus}. */
    public static Embeddings shared(final long seed)
    {
        return new Embeddings(Corpus.load(), seed);
    }

    public Embeddings(final Corpus corpus, final long seed)
    {
        this.corpus = corpus;
        this.seed = seed;
        final Tables t = shared(corpus, seed);
        this.permutation = t.permutation;
        this.aliasTable = t.aliasTable;
        this.pooledCounts = corpus.pooledCounts();
    }

    public Corpus corpus()
    {
        return corpus;
    }

    /** @return the id of entry {@code i}: "mem-" and ten digits. */
    public static String id(final long i)
    {
        final char[] chars = {'m', 'e', 'm', '-', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
        long v = i;
        for (int p = chars.length - 1; p >= 4 && v > 0; p--)
        {
            chars[p] = (char)('0' + v % 10);
            v /= 10;
        }
        return new String(chars);
    }

    /** @return the importance of entry {@code i}, in [0, 1). */
    public float importance(final long i)
    {
        return (float)((mix(seed ^ 0x1A2B3C4DL, i) >>> 40) / (double)(1L << 24));
    }

    /** @return the stored-at time of entry {@code i}: one second after entry {@code i - 1}'s. */
    public static long storedAt(final long i)
    {
        return TIME_BASE + i * 1000;
    }

    /** @return 24 bytes of metadata of entry {@code i}. */
    public static byte[] metadata(final long i)
    {
        final byte[] bytes = "{\"src\":\"jdk\",\"n\":000000}".getBytes(StandardCharsets.US_ASCII);
        long v = i % 1_000_000;
        for (int p = bytes.length - 2; v > 0; p--)
        {
            bytes[p] = (byte)('0' + v % 10);
            v /= 10;
        }
        return bytes;
    }

    /** @return the vector of entry {@code i}. */
    public SparseVector vector(final long i)
    {
        final int docs = corpus.documents();
        final int nnz;
        if (i < docs)
        {
            final int doc = permutation[(int)i];
            nnz = corpus.nnz(doc);
            ensureScratch(nnz);
            corpus.document(doc, indexScratch, countScratch);
        }
        else
        {
            final SplittableRandom random = new SplittableRandom(mix(seed, i));
            nnz = synthetic(random, corpus.nnz(random.nextInt(corpus.documents())));
        }
        return normalised(nnz);
    }

    /**
     * @return the vector of entry {@code i} in {@code shape}: as {@link #vector(long)} for the corpus's, else a
     * synthetic vector of exactly the shape's non-zeros, drawn as the synthetic vectors beyond the corpus are.
     */
    public SparseVector vector(final long i, final VectorShape shape)
    {
        if (shape.nonZeros() == 0)
        {
            return vector(i);
        }
        return normalised(synthetic(new SplittableRandom(mix(seed ^ shape.nonZeros(), i)), shape.nonZeros()));
    }

    private SparseVector normalised(final int nnz)
    {
        final int[] indices = Arrays.copyOf(indexScratch, nnz);
        final float[] values = new float[nnz];
        double norm = 0;
        for (int k = 0; k < nnz; k++)
        {
            norm += (double)countScratch[k] * countScratch[k];
        }
        final double scale = 1.0 / Math.sqrt(norm);
        for (int k = 0; k < nnz; k++)
        {
            values[k] = (float)(countScratch[k] * scale);
        }
        return SparseVector.wrap(indices, values);
    }

    private int synthetic(final SplittableRandom random, final int nnz)
    {
        ensureScratch(nnz);
        int n = 0;
        while (n < nnz)
        {
            final int column = random.nextInt(aliasTable.length);
            final long cell = aliasTable[column];
            final int index = random.nextFloat() < Float.intBitsToFloat((int)(cell >>> 32)) ? column : (int)cell;
            final long bit = 1L << (index & 63);
            if ((drawn[index >>> 6] & bit) == 0)
            {
                drawn[index >>> 6] |= bit;
                indexScratch[n++] = index;
            }
        }
        Arrays.sort(indexScratch, 0, nnz);
        for (int k = 0; k < nnz; k++)
        {
            drawn[indexScratch[k] >>> 6] = 0;
            countScratch[k] = pooledCounts[random.nextInt(pooledCounts.length)];
        }
        return nnz;
    }

    private void ensureScratch(final int nnz)
    {
        if (indexScratch.length < nnz)
        {
            indexScratch = new int[nnz];
            countScratch = new int[nnz];
        }
    }

    /** @return a well-mixed 64-bit value of (seed, i): SplitMix64's finaliser. */
    public static long mix(final long seed, final long i)
    {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
