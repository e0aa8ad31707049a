package io.memsnap;

/**
 * Figures of a store at one moment, from {@link MemoryStore#stats()}: its contents, its snapshots and their health,
 * and its off-heap memory. Thread safe: immutable.
 *
 * <p><b>Consistency.</b> The figures of the log (entry and state counts, last sequence, segments) are read together
 * under the store's write lock, so they agree with each other; those of the snapshots (last snapshot, errors,
 * automatic snapshot counts) are read together a moment before, so {@link #changesSinceLastSnapshot()} is never
 * negative; the index memory is read a moment after. Neither waits for a running snapshot or checkpoint.
 *
 * <p>Figures may be added in later versions; none is removed or changes meaning within a major version.
 */
public final class StoreStats
{
    private final long entryCount;
    private final long stateCount;
    private final long lastSequence;
    private final int segmentCount;
    private final int retainedSnapshotCount;
    private final long lastSnapshotGeneration;
    private final long lastSnapshotSequence;
    private final long lastSnapshotDurationNanos;
    private final String lastSnapshotError;
    private final long autoSnapshotsTaken;
    private final long autoSnapshotFailures;
    private final int autoSnapshotFailuresInARow;
    private final long autoSnapshotRetryInNanos;
    private final long indexDirectBytes;
    private final long indexDirectLimitBytes;

    private StoreStats(final Builder b)
    {
        entryCount = b.entryCount;
        stateCount = b.stateCount;
        lastSequence = b.lastSequence;
        segmentCount = b.segmentCount;
        retainedSnapshotCount = b.retainedSnapshotCount;
        lastSnapshotGeneration = b.lastSnapshotGeneration;
        lastSnapshotSequence = b.lastSnapshotSequence;
        lastSnapshotDurationNanos = b.lastSnapshotDurationNanos;
        lastSnapshotError = b.lastSnapshotError;
        autoSnapshotsTaken = b.autoSnapshotsTaken;
        autoSnapshotFailures = b.autoSnapshotFailures;
        autoSnapshotFailuresInARow = b.autoSnapshotFailuresInARow;
        autoSnapshotRetryInNanos = b.autoSnapshotRetryInNanos;
        indexDirectBytes = b.indexDirectBytes;
        indexDirectLimitBytes = b.indexDirectLimitBytes;
    }

    /** @return the number of live entries (named state not counted), as {@link MemoryStore#size()}. */
    public long entryCount()
    {
        return entryCount;
    }

    /** @return the number of named states, as {@link MemoryStore#stateCount()}. */
    public long stateCount()
    {
        return stateCount;
    }

    /** @return the sequence number of the last write, as {@link MemoryStore#lastSequence()}. */
    public long lastSequence()
    {
        return lastSequence;
    }

    /** @return the number of segment files the log spans. */
    public int segmentCount()
    {
        return segmentCount;
    }

    /**
     * @return the number of snapshots on disk: those this writer keeps ({@link StoreOptions#retainedSnapshots()} at
     * most, once that many were taken); for a read-only store, the manifests in the directory now.
     */
    public int retainedSnapshotCount()
    {
        return retainedSnapshotCount;
    }

    /** @return the generation of the last snapshot committed, or of the one the store opened at. */
    public long lastSnapshotGeneration()
    {
        return lastSnapshotGeneration;
    }

    /** @return the sequence number of the last write that snapshot holds. */
    public long lastSnapshotSequence()
    {
        return lastSnapshotSequence;
    }

    /** @return how long that snapshot took, freeze to directory fsync (as {@link SnapshotInfo#durationNanos()}). */
    public long lastSnapshotDurationNanos()
    {
        return lastSnapshotDurationNanos;
    }

    /**
     * @return the message of the last snapshot that failed (explicit, automatic or at close), with its cause's, if
     * no snapshot committed since; null otherwise.
     */
    public String lastSnapshotError()
    {
        return lastSnapshotError;
    }

    /** @return the writes made since the last snapshot (puts, deletes, state puts and deletes): what it lacks. */
    public long changesSinceLastSnapshot()
    {
        return lastSequence - lastSnapshotSequence;
    }

    /** @return the snapshots the automatic snapshot thread committed since the store opened. */
    public long autoSnapshotsTaken()
    {
        return autoSnapshotsTaken;
    }

    /** @return the automatic snapshots that failed since the store opened. */
    public long autoSnapshotFailures()
    {
        return autoSnapshotFailures;
    }

    /** @return the automatic snapshots that failed since the last snapshot committed; 0 when healthy. */
    public int autoSnapshotFailuresInARow()
    {
        return autoSnapshotFailuresInARow;
    }

    /**
     * @return how long, from this moment, until the automatic snapshot thread tries again after
     * {@link #autoSnapshotFailuresInARow()} failures; 0 when it is not waiting to retry.
     */
    public long autoSnapshotRetryInNanos()
    {
        return autoSnapshotRetryInNanos;
    }

    /** @return the direct memory held by index pages waiting for a checkpoint (and not yet freed). */
    public long indexDirectBytes()
    {
        return indexDirectBytes;
    }

    /** @return the limit of {@link #indexDirectBytes()} (see {@link StoreOptions#maxResidentIndexBytes()}); 0 if read-only. */
    public long indexDirectLimitBytes()
    {
        return indexDirectLimitBytes;
    }

    @Override
    public String toString()
    {
        return "StoreStats{entryCount=" + entryCount + ", stateCount=" + stateCount + ", lastSequence=" +
            lastSequence + ", segmentCount=" + segmentCount + ", retainedSnapshotCount=" + retainedSnapshotCount +
            ", lastSnapshotGeneration=" + lastSnapshotGeneration + ", lastSnapshotSequence=" + lastSnapshotSequence +
            ", lastSnapshotDurationNanos=" + lastSnapshotDurationNanos + ", lastSnapshotError=" + lastSnapshotError +
            ", changesSinceLastSnapshot=" + changesSinceLastSnapshot() + ", autoSnapshotsTaken=" +
            autoSnapshotsTaken + ", autoSnapshotFailures=" + autoSnapshotFailures + ", autoSnapshotFailuresInARow=" +
            autoSnapshotFailuresInARow + ", autoSnapshotRetryInNanos=" + autoSnapshotRetryInNanos +
            ", indexDirectBytes=" + indexDirectBytes + ", indexDirectLimitBytes=" + indexDirectLimitBytes + '}';
    }

    /** Assembles {@link StoreStats}; for {@link StoreStatsAssembler}. Not thread safe. */
    static final class Builder
    {
        private long entryCount;
        private long stateCount;
        private long lastSequence;
        private int segmentCount;
        private int retainedSnapshotCount;
        private long lastSnapshotGeneration;
        private long lastSnapshotSequence;
        private long lastSnapshotDurationNanos;
        private String lastSnapshotError;
        private long autoSnapshotsTaken;
        private long autoSnapshotFailures;
        private int autoSnapshotFailuresInARow;
        private long autoSnapshotRetryInNanos;
        private long indexDirectBytes;
        private long indexDirectLimitBytes;

        Builder log(final long entryCount, final long stateCount, final long lastSequence, final int segmentCount)
        {
            this.entryCount = entryCount;
            this.stateCount = stateCount;
            this.lastSequence = lastSequence;
            this.segmentCount = segmentCount;
            return this;
        }

        Builder lastSnapshot(final long generation, final long sequence, final long durationNanos, final String error,
            final int retained)
        {
            this.lastSnapshotGeneration = generation;
            this.lastSnapshotSequence = sequence;
            this.lastSnapshotDurationNanos = durationNanos;
            this.lastSnapshotError = error;
            this.retainedSnapshotCount = retained;
            return this;
        }

        Builder autoSnapshots(final long taken, final long failures, final int failuresInARow,
            final long retryInNanos)
        {
            this.autoSnapshotsTaken = taken;
            this.autoSnapshotFailures = failures;
            this.autoSnapshotFailuresInARow = failuresInARow;
            this.autoSnapshotRetryInNanos = retryInNanos;
            return this;
        }

        Builder indexMemory(final long directBytes, final long limitBytes)
        {
            this.indexDirectBytes = directBytes;
            this.indexDirectLimitBytes = limitBytes;
            return this;
        }

        StoreStats build()
        {
            return new StoreStats(this);
        }
    }
}
