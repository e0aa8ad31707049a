package io.memsnap.internal;

/**
 * The live entry and named-state counts of a store.
 *
 * <p>Concurrency: changed only by the writer, under the store's write lock (which also freezes them into
 * snapshots and checkpoints); read by any thread (volatile).
 */
public final class StoreCounts
{
    private volatile long entries;
    private volatile long states;

    public StoreCounts(final long entries, final long states)
    {
        this.entries = entries;
        this.states = states;
    }

    public long entries()
    {
        return entries;
    }

    public long states()
    {
        return states;
    }

    /** Writer, under the write lock: the counts of another state of the store (a rewind's). */
    public void set(final long entryCount, final long stateCount)
    {
        entries = entryCount;
        states = stateCount;
    }

    /** Writer, under the write lock. */
    public void addEntries(final long delta)
    {
        entries += delta;
    }

    /** Writer, under the write lock. */
    public void addStates(final long delta)
    {
        states += delta;
    }
}
