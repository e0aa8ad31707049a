package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.segment.AppendedRanges;
import io.memsnap.internal.segment.SegmentLog;

/**
 * The point of the log a snapshot commits: the tail position, the last sequence number and the counts. Taken
 * under the store's write lock in O(1) (plus a copy of the per-segment ends, one int a segment), then written
 * without it. Thread safe: immutable once built.
 */
public final class Freeze
{
    public final int tailSegment;
    public final int tailOffset;
    public final long lastSequence;
    public final long entryCount;
    public final long stateCount;
    public final long createdAtMillis;
    public final long startNanos;
    private final int[] sealedEnds;
    /** The CRC32C of what was appended since the previous snapshot's freeze, by segment. */
    public final AppendedRanges.Taken appended;

    private Freeze(final SegmentLog log, final long entryCount, final long stateCount, final long startNanos)
    {
        if (!log.allHandedOff())
        {
            throw new IllegalStateException("a freeze must follow SegmentLog.handOff: its flush covers only the file");
        }
        final long tail = log.tailAddress();
        this.tailSegment = IndexPageDescriptor.segmentId(tail);
        this.tailOffset = IndexPageDescriptor.offset(tail);
        this.lastSequence = log.nextSequence() - 1;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.sealedEnds = log.sealedEnds();
        this.appended = log.takeAppendedRanges();
        this.createdAtMillis = System.currentTimeMillis();
        this.startNanos = startNanos;
    }

    /** Writer (under the store's write lock), once the write buffer was handed off ({@link SegmentLog#handOff}). */
    public static Freeze take(final SegmentLog log, final long entryCount, final long stateCount,
        final long startNanos)
    {
        return new Freeze(log, entryCount, stateCount, startNanos);
    }

    /** @return the write end of segment {@code id} at this point. */
    public int committedLength(final int id)
    {
        return id == tailSegment ? tailOffset : sealedEnds[id];
    }
}
