package io.memsnap.bench.engine;

import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;

/**
 * One store under test, behind the operations every benchmark uses: put, get (a copy), a zero-copy read where the
 * engine has one, and a snapshot: the engine's way of making everything written so far durable and restorable as
 * one consistent point in time. Implementations state how they do each. Thread safety: as memsnap's (concurrent
 * puts, gets and snapshots) unless the implementation says otherwise.
 */
public interface Engine extends AutoCloseable
{
    /** @return the engine's name, as in the benchmarks' {@code engine} parameter. */
    String name();

    void put(String id, SparseVector vector, float importance, long storedAtMillis, byte[] metadata);

    /**
     * Puts entries {@code from} to {@code to - 1} of the arrays, in order: the engine's bulk load (by default one
     * {@link #put} each).
     */
    default void putAll(final String[] ids, final SparseVector[] vectors, final float[] importance,
        final long[] storedAtMillis, final byte[][] metadata, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            put(ids[i], vectors[i], importance[i], storedAtMillis[i], metadata[i]);
        }
    }

    /**
     * Makes everything written so far durable, without a snapshot where the engine can (by default a
     * {@link #snapshot}).
     */
    default void sync()
    {
        snapshot();
    }

    /** @return a copy of the entry, or null. */
    MemoryEntry get(String id);

    /**
     * Scores the entry against {@code query} in place, without copying it out of the store, where the engine can.
     *
     * @return the dot product, or NaN when the entry is missing.
     * @throws UnsupportedOperationException if the engine has no zero-copy read.
     */
    double readDot(String id, SparseVector query);

    /** @return whether {@link #readDot} reads in place. */
    boolean zeroCopy();

    /**
     * Takes a snapshot.
     *
     * @return the bytes the snapshot wrote or flushed, as far as the engine tells; -1 when it does not.
     */
    long snapshot();

    /** Called once after a bulk load, before the store is first used by a benchmark. */
    default void afterLoad()
    {
        snapshot();
    }

    /**
     * Reads every entry once, so that a benchmark of readers measures them against a warm store (its pages cached
     * and mapped into this process) and not the page faults of a fresh fork: the first pass over a 3 GB store at
     * random takes longer than a short JMH warm-up. By default a get of every id; an engine with a faster full
     * pass overrides it.
     *
     * @param entries the ids {@code 0 .. entries-1} the store holds ({@link io.memsnap.bench.Embeddings#id}).
     */
    default void warm(final long entries)
    {
        for (long i = 0; i < entries; i++)
        {
            get(io.memsnap.bench.Embeddings.id(i));
        }
    }

    /** Closes the store; everything snapshotted stays on disk. */
    @Override
    void close();
}
