package io.memsnap;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** What one committed snapshot holds. Thread safe: immutable. */
public final class SnapshotInfo
{
    private final long generation;
    private final long lastSequence;
    private final long createdAtMillis;
    private final long entryCount;
    private final long stateCount;
    private final long bytesFlushed;
    private final long durationNanos;
    private final Map<String, String> labels;
    private final long checkpointSequence;

    public SnapshotInfo(
        final long generation,
        final long lastSequence,
        final long createdAtMillis,
        final long entryCount,
        final long stateCount,
        final long bytesFlushed,
        final long durationNanos,
        final Map<String, String> labels,
        final long checkpointSequence)
    {
        this.generation = generation;
        this.lastSequence = lastSequence;
        this.createdAtMillis = createdAtMillis;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.bytesFlushed = bytesFlushed;
        this.durationNanos = durationNanos;
        this.labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        this.checkpointSequence = checkpointSequence;
    }

    /**
     * @return the last sequence number the snapshot's index checkpoint holds: opening the snapshot replays the
     * records after it, {@code lastSequence() - checkpointSequence()} of them.
     */
    public long checkpointSequence()
    {
        return checkpointSequence;
    }

    /** @return the snapshot's number; each snapshot's is larger than the previous one's. */
    public long generation()
    {
        return generation;
    }

    /** @return the sequence number of the last write the snapshot holds (0 for none). */
    public long lastSequence()
    {
        return lastSequence;
    }

    public long createdAtMillis()
    {
        return createdAtMillis;
    }

    /** @return the number of live entries in the snapshot. */
    public long entryCount()
    {
        return entryCount;
    }

    /** @return the number of named states in the snapshot. */
    public long stateCount()
    {
        return stateCount;
    }

    /** @return the bytes the snapshot flushed to disk: changed records, changed index pages and the manifest. */
    public long bytesFlushed()
    {
        return bytesFlushed;
    }

    /** @return how long taking the snapshot took, freeze to directory fsync. */
    public long durationNanos()
    {
        return durationNanos;
    }

    /** @return the labels given to {@link MemoryStore#snapshot(Map)}, sorted by key. */
    public Map<String, String> labels()
    {
        return labels;
    }

    @Override
    public String toString()
    {
        return "SnapshotInfo{generation=" + generation + ", lastSequence=" + lastSequence + ", createdAtMillis=" +
            createdAtMillis + ", entryCount=" + entryCount + ", stateCount=" + stateCount + ", bytesFlushed=" +
            bytesFlushed + ", durationNanos=" + durationNanos + ", labels=" + labels + ", checkpointSequence=" + checkpointSequence + '}';
    }
}
