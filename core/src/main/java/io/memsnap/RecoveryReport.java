package io.memsnap;

import java.util.List;

/**
 * What {@link MemoryStore#open} found and did: which snapshot it restored, what it replayed and what it discarded.
 * Thread safe: immutable.
 */
public final class RecoveryReport
{
    private final long restoredGeneration;
    private final List<String> skippedSnapshots;
    private final long replayedRecords;
    private final long lastSequence;
    private final String tailCut;
    private final List<String> discardedFiles;
    private final long durationNanos;

    /**
     * Made by {@link MemoryStore#open}; each parameter is what the accessor of the same name returns.
     *
     * @param restoredGeneration see {@link #restoredGeneration()}.
     * @param skippedSnapshots see {@link #skippedSnapshots()}.
     * @param replayedRecords see {@link #replayedRecords()}.
     * @param lastSequence see {@link #lastSequence()}.
     * @param tailCut see {@link #tailCut()}.
     * @param discardedFiles see {@link #discardedFiles()}.
     * @param durationNanos see {@link #durationNanos()}.
     */
    public RecoveryReport(
        final long restoredGeneration,
        final List<String> skippedSnapshots,
        final long replayedRecords,
        final long lastSequence,
        final String tailCut,
        final List<String> discardedFiles,
        final long durationNanos)
    {
        this.restoredGeneration = restoredGeneration;
        this.skippedSnapshots = List.copyOf(skippedSnapshots);
        this.replayedRecords = replayedRecords;
        this.lastSequence = lastSequence;
        this.tailCut = tailCut;
        this.discardedFiles = List.copyOf(discardedFiles);
        this.durationNanos = durationNanos;
    }

    /** {@return the generation of the snapshot that was restored.} */
    public long restoredGeneration()
    {
        return restoredGeneration;
    }

    /** {@return why each newer snapshot was passed over (empty when the newest was used).} */
    public List<String> skippedSnapshots()
    {
        return skippedSnapshots;
    }

    /** {@return records replayed from the tail written after the snapshot.} */
    public long replayedRecords()
    {
        return replayedRecords;
    }

    /** {@return the sequence number of the last write restored.} */
    public long lastSequence()
    {
        return lastSequence;
    }

    /** {@return where and why the tail was cut at a torn record, or null if it ended cleanly.} */
    public String tailCut()
    {
        return tailCut;
    }

    /**
     * {@return files removed because nothing valid could reach them (a torn tail's later segments, stale manifests).}
     */
    public List<String> discardedFiles()
    {
        return discardedFiles;
    }

    /** {@return how long the open took, in nanoseconds.} */
    public long durationNanos()
    {
        return durationNanos;
    }

    /** {@return whether open found nothing to repair.} */
    public boolean clean()
    {
        return skippedSnapshots.isEmpty() && tailCut == null && discardedFiles.isEmpty();
    }

    @Override
    public String toString()
    {
        return "RecoveryReport{restoredGeneration=" + restoredGeneration + ", skippedSnapshots=" + skippedSnapshots +
            ", replayedRecords=" + replayedRecords + ", lastSequence=" + lastSequence + ", tailCut=" + tailCut +
            ", discardedFiles=" + discardedFiles + ", durationNanos=" + durationNanos + '}';
    }
}
