package io.memsnap;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one committed snapshot holds, and why retention keeps it ({@link #retainedBecause()}, {@link #pinLabel()}) as
 * of when this was made. Thread safe: immutable.
 */
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
    private final List<String> retainedBecause;
    private final String pinLabel;
    private final Instant pinExpiresAt;
    private final long timeline;

    /**
     * A snapshot without retention information (nothing keeps it, no pin).
     *
     * @param generation see {@link #generation()}.
     * @param lastSequence see {@link #lastSequence()}.
     * @param createdAtMillis see {@link #createdAtMillis()}.
     * @param entryCount see {@link #entryCount()}.
     * @param stateCount see {@link #stateCount()}.
     * @param bytesFlushed see {@link #bytesFlushed()}.
     * @param durationNanos see {@link #durationNanos()}.
     * @param labels see {@link #labels()}.
     * @param checkpointSequence see {@link #checkpointSequence()}.
     */
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
        this(generation, lastSequence, createdAtMillis, entryCount, stateCount, bytesFlushed, durationNanos, labels,
            checkpointSequence, List.of(), null, null);
    }

    /**
     * As the constructor with a timeline, on the first timeline (0).
     *
     * @param generation see {@link #generation()}.
     * @param lastSequence see {@link #lastSequence()}.
     * @param createdAtMillis see {@link #createdAtMillis()}.
     * @param entryCount see {@link #entryCount()}.
     * @param stateCount see {@link #stateCount()}.
     * @param bytesFlushed see {@link #bytesFlushed()}.
     * @param durationNanos see {@link #durationNanos()}.
     * @param labels see {@link #labels()}.
     * @param checkpointSequence see {@link #checkpointSequence()}.
     * @param retainedBecause see {@link #retainedBecause()}.
     * @param pinLabel the label of its pin, or null if it is not pinned.
     * @param pinExpiresAt when its pin expires, or null if it is not pinned or its pin does not expire.
     */
    public SnapshotInfo(
        final long generation,
        final long lastSequence,
        final long createdAtMillis,
        final long entryCount,
        final long stateCount,
        final long bytesFlushed,
        final long durationNanos,
        final Map<String, String> labels,
        final long checkpointSequence,
        final List<String> retainedBecause,
        final String pinLabel,
        final Instant pinExpiresAt)
    {
        this(generation, lastSequence, createdAtMillis, entryCount, stateCount, bytesFlushed, durationNanos, labels,
            checkpointSequence, retainedBecause, pinLabel, pinExpiresAt, 0);
    }

    /**
     * One committed snapshot, of the given timeline.
     *
     * @param retainedBecause why retention keeps it (see {@link #retainedBecause()}).
     * @param pinLabel        the label of its pin, or null if it is not pinned.
     * @param pinExpiresAt    when its pin expires, or null if it is not pinned or its pin does not expire.
     * @param timeline        the timeline it belongs to (see {@link #timeline()}).
     * @param generation see {@link #generation()}.
     * @param lastSequence see {@link #lastSequence()}.
     * @param createdAtMillis see {@link #createdAtMillis()}.
     * @param entryCount see {@link #entryCount()}.
     * @param stateCount see {@link #stateCount()}.
     * @param bytesFlushed see {@link #bytesFlushed()}.
     * @param durationNanos see {@link #durationNanos()}.
     * @param labels see {@link #labels()}.
     * @param checkpointSequence see {@link #checkpointSequence()}.
     */
    public SnapshotInfo(
        final long generation,
        final long lastSequence,
        final long createdAtMillis,
        final long entryCount,
        final long stateCount,
        final long bytesFlushed,
        final long durationNanos,
        final Map<String, String> labels,
        final long checkpointSequence,
        final List<String> retainedBecause,
        final String pinLabel,
        final Instant pinExpiresAt,
        final long timeline)
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
        this.retainedBecause = List.copyOf(retainedBecause);
        this.pinLabel = pinLabel;
        this.pinExpiresAt = pinExpiresAt;
        this.timeline = timeline;
    }

    /**
     * {@return the timeline the snapshot belongs to: 0 for a store never rewound; each {@link MemoryStore#rewind}
     * starts a new one, numbered above every timeline before it, whose first snapshot holds the state rewound to.}
     */
    public long timeline()
    {
        return timeline;
    }

    /**
     * {@return why retention keeps this snapshot, one reason a rule that keeps it, in this order: {@code last-N} (one
     * of the newest N, {@link StoreOptions#retainedSnapshots()}), {@code age<D} (younger than
     * {@link StoreOptions#retainedSnapshotAge()}, as {@code 14d}, {@code 36h}, {@code 90m}, {@code 30s} or
     * {@code 1500ms}), {@code pinned: LABEL}. Empty if no rule keeps it any more: the next commit deletes it.}
     */
    public List<String> retainedBecause()
    {
        return retainedBecause;
    }

    /** {@return the label of the pin that keeps this snapshot, or empty if it is not pinned (or its pin expired).} */
    public Optional<String> pinLabel()
    {
        return Optional.ofNullable(pinLabel);
    }

    /** {@return when the pin that keeps this snapshot expires, or empty if it is not pinned or never expires.} */
    public Optional<Instant> pinExpiresAt()
    {
        return Optional.ofNullable(pinExpiresAt);
    }

    /**
     * {@return the last sequence number the snapshot's index checkpoint holds: opening the snapshot replays the
     * records after it, {@code lastSequence() - checkpointSequence()} of them.}
     */
    public long checkpointSequence()
    {
        return checkpointSequence;
    }

    /** {@return the snapshot's number; each snapshot's is larger than the previous one's.} */
    public long generation()
    {
        return generation;
    }

    /** {@return the sequence number of the last write the snapshot holds (0 for none).} */
    public long lastSequence()
    {
        return lastSequence;
    }

    /** {@return when the snapshot was committed, in epoch milliseconds.} */
    public long createdAtMillis()
    {
        return createdAtMillis;
    }

    /** {@return the number of live entries in the snapshot.} */
    public long entryCount()
    {
        return entryCount;
    }

    /** {@return the number of named states in the snapshot.} */
    public long stateCount()
    {
        return stateCount;
    }

    /** {@return the bytes the snapshot flushed to disk: changed records, changed index pages and the manifest.} */
    public long bytesFlushed()
    {
        return bytesFlushed;
    }

    /**
     * {@return how long taking the snapshot took, freeze to commit durable, as the writer that took it measured it; for
     * a snapshot read back from disk, freeze to its manifest encoded (the flushes that commit it come after).}
     */
    public long durationNanos()
    {
        return durationNanos;
    }

    /** {@return the labels given to {@link MemoryStore#snapshot(Map)}, sorted by key.} */
    public Map<String, String> labels()
    {
        return labels;
    }

    @Override
    public String toString()
    {
        return "SnapshotInfo{generation=" + generation + ", lastSequence=" + lastSequence + ", createdAtMillis=" +
            createdAtMillis + ", entryCount=" + entryCount + ", stateCount=" + stateCount + ", bytesFlushed=" +
            bytesFlushed + ", durationNanos=" + durationNanos + ", labels=" + labels + ", checkpointSequence=" +
            checkpointSequence + ", retainedBecause=" + retainedBecause + (pinLabel == null ? "" : ", pinLabel=" +
            pinLabel) + (pinExpiresAt == null ? "" : ", pinExpiresAt=" + pinExpiresAt) + ", timeline=" + timeline + '}';
    }
}
