package io.memsnap;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

/** Deterministic entries for tests: entry {@code n} of a seed is always the same, so a checker can recompute it. */
public final class TestEntries
{
    public static final int DIMENSION = 1 << 18;

    private TestEntries()
    {
    }

    public static String id(final long n)
    {
        return "mem-" + n;
    }

    /** @return version {@code version} of entry {@code n}: a vector of 1 to 64 non-zeros. */
    public static SparseVector vector(final long n, final long version)
    {
        final SplittableRandom r = new SplittableRandom(n * 1_000_003L + version);
        final int nnz = 1 + r.nextInt(64);
        final int[] indices = r.ints(nnz * 2L, 0, DIMENSION).distinct().limit(nnz).sorted().toArray();
        final float[] values = new float[indices.length];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = (float)r.nextGaussian();
        }
        return SparseVector.wrap(indices, values);
    }

    public static byte[] metadata(final long n, final long version)
    {
        return ("{\"n\":" + n + ",\"v\":" + version + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static float importance(final long n, final long version)
    {
        return (float)((n * 31 + version) % 1000) / 1000.0f;
    }

    public static long storedAt(final long n, final long version)
    {
        return 1_700_000_000_000L + n * 1000 + version;
    }

    public static void put(final MemoryStore store, final long n, final long version)
    {
        store.put(id(n), vector(n, version), importance(n, version), storedAt(n, version), metadata(n, version));
    }

    /** @return whether {@code e} is exactly version {@code version} of entry {@code n}, bit for bit. */
    public static boolean matches(final MemoryEntry e, final long n, final long version)
    {
        return e.id().equals(id(n)) && e.vector().equals(vector(n, version)) &&
            Float.floatToRawIntBits(e.importance()) == Float.floatToRawIntBits(importance(n, version)) &&
            e.storedAtMillis() == storedAt(n, version) && Arrays.equals(e.metadata(), metadata(n, version));
    }

    public static Random random(final long seed)
    {
        return new Random(seed);
    }
}
