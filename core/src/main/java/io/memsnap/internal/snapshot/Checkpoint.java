package io.memsnap.internal.snapshot;

import io.memsnap.internal.segment.SegmentUsage;

/**
 * A durable index version: its root page, the pages it spans (all sealed and flushed), the index file that holds
 * them, and the point of the log it reflects (records after it are replayed on top at open). Thread safe: immutable.
 */
public final class Checkpoint
{
    public final int rootPage;
    public final int indexPages;
    public final int sealedFromPage;
    public final int sealedCrc;
    public final int replaySegment;
    public final int replayOffset;
    public final long lastSequence;
    public final long entryCount;
    public final long stateCount;
    /**
     * The live bytes of each segment when the checkpoint was frozen (what its index points at), or null where they
     * are not known (a checkpoint read from a manifest, before recovery attaches its table).
     */
    public final SegmentUsage.Table liveBytes;
    /** Generation of the index file that holds every page the root reaches (0: {@code index.msi}). */
    public final long indexFile;

    /** A checkpoint in {@code index.msi}. */
    public Checkpoint(
        final int rootPage,
        final int indexPages,
        final int sealedFromPage,
        final int sealedCrc,
        final int replaySegment,
        final int replayOffset,
        final long lastSequence,
        final long entryCount,
        final long stateCount)
    {
        this(rootPage, indexPages, sealedFromPage, sealedCrc, replaySegment, replayOffset, lastSequence, entryCount,
            stateCount, null, 0);
    }

    public Checkpoint(
        final int rootPage,
        final int indexPages,
        final int sealedFromPage,
        final int sealedCrc,
        final int replaySegment,
        final int replayOffset,
        final long lastSequence,
        final long entryCount,
        final long stateCount,
        final SegmentUsage.Table liveBytes,
        final long indexFile)
    {
        this.liveBytes = liveBytes;
        this.rootPage = rootPage;
        this.indexPages = indexPages;
        this.sealedFromPage = sealedFromPage;
        this.sealedCrc = sealedCrc;
        this.replaySegment = replaySegment;
        this.replayOffset = replayOffset;
        this.lastSequence = lastSequence;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.indexFile = indexFile;
    }

    /** @return this checkpoint, held by the index file of {@code generation} (which holds every page it reaches). */
    public Checkpoint inIndexFile(final long generation)
    {
        return new Checkpoint(rootPage, indexPages, sealedFromPage, sealedCrc, replaySegment, replayOffset,
            lastSequence, entryCount, stateCount, liveBytes, generation);
    }

    /** @return this checkpoint with the live bytes of its segments. */
    public Checkpoint withLiveBytes(final SegmentUsage.Table table)
    {
        return new Checkpoint(rootPage, indexPages, sealedFromPage, sealedCrc, replaySegment, replayOffset,
            lastSequence, entryCount, stateCount, table, indexFile);
    }

    @Override
    public String toString()
    {
        return "Checkpoint{root=" + rootPage + ", pages=" + indexPages + ", replayFrom=" + replaySegment + ":" +
            replayOffset + ", lastSequence=" + lastSequence + ", entries=" + entryCount + ", indexFile=" + indexFile +
            '}';
    }
}
