package io.memsnap.bench;

import io.memsnap.SparseVector;
import io.memsnap.bench.engine.Engine;

import java.util.SplittableRandom;

/**
 * The changes the benchmarks make: puts that overwrite a uniformly chosen existing entry with a new vector from a
 * pool of 1,024 synthetic ones (pre-generated, so that a timed put does not include generating its vector), and the
 * ids readers look up. Seeded; not thread safe: one instance per thread.
 */
public final class Updates
{
    private static final int POOL = 1024;
    private static final int IDS = 1 << 16;
    private static final long POOL_BASE = 1L << 40;

    private final SparseVector[] vectors = new SparseVector[POOL];
    private final byte[][] metadata = new byte[POOL][];
    private final float[] importance = new float[POOL];
    private final String[] ids = new String[IDS];
    private int next;
    private int nextId;
    private long version;

    /** As {@link #Updates(long, int, VectorShape)} with vectors of the corpus's shape. */
    public Updates(final long entries, final int stream)
    {
        this(entries, stream, VectorShape.of(VectorShape.CORPUS));
    }

    /**
     * @param entries the store's number of entries: ids are drawn from 0 to {@code entries - 1}.
     * @param stream  which thread's stream, so that two threads draw different ids.
     * @param shape   the shape of the vectors of the pool.
     */
    public Updates(final long entries, final int stream, final VectorShape shape)
    {
        final Embeddings data = Embeddings.shared(Embeddings.SEED);
        for (int i = 0; i < POOL; i++)
        {
            final long k = POOL_BASE + stream * (long)POOL + i;
            vectors[i] = data.vector(k, shape);
            metadata[i] = Embeddings.metadata(k);
            importance[i] = data.importance(k);
        }
        final SplittableRandom random = new SplittableRandom(Embeddings.mix(Embeddings.SEED, stream));
        for (int i = 0; i < IDS; i++)
        {
            ids[i] = Embeddings.id(random.nextLong(entries));
        }
    }

    /** @return the next id to read or overwrite. */
    public String nextId()
    {
        final String id = ids[nextId];
        nextId = (nextId + 1) & (IDS - 1);
        return id;
    }

    /** @return a query vector (one of the pool). */
    public SparseVector query()
    {
        return vectors[POOL - 1];
    }

    /** Overwrites the next id with the next vector of the pool. */
    public void putNext(final Engine store)
    {
        final int k = next;
        next = (next + 1) & (POOL - 1);
        store.put(nextId(), vectors[k], importance[k], Embeddings.storedAt(version++), metadata[k]);
    }

    /**
     * Inserts entry {@code i} of a new range of ids ({@link Embeddings#id}, so unique for unique {@code i}) with the
     * next vector of the pool: the id is made by the call (a short string, as a service's ids arrive).
     */
    public void insertNext(final Engine store, final long i)
    {
        final int k = next;
        next = (next + 1) & (POOL - 1);
        store.put(Embeddings.id(i), vectors[k], importance[k], Embeddings.storedAt(version++), metadata[k]);
    }

    /** @return the mean number of non-zeros of the pool's vectors. */
    public double meanNonZeros()
    {
        long sum = 0;
        for (final SparseVector v : vectors)
        {
            sum += v.nnz();
        }
        return (double)sum / POOL;
    }
}
