package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.segment.SegmentLog;

/**
 * The frozen version a snapshot writes: taken in O(1) (plus a copy of the per-segment ends, one int a segment)
 * under the store's write lock, then written without it. Thread safe: immutable once built.
 */
public final class Freeze
{
    public final int rootPage;
    public final int watermark;
    public final int tailSegment;
    public final int tailOffset;
    public final long lastSequence;
    public final long entryCount;
    public final long stateCount;
    public final long createdAtMillis;
    public final long startNanos;
    final int[] sealedEnds;

    private Freeze(final HashIndex index, final SegmentLog log, final long entryCount, final long stateCount,
        final long startNanos)
    {
        this.rootPage = index.freeze();
        this.watermark = index.frozenWatermark();
        final long tail = log.tailAddress();
        this.tailSegment = IndexPageDescriptor.segmentId(tail);
        this.tailOffset = IndexPageDescriptor.offset(tail);
        this.lastSequence = log.nextSequence() - 1;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.sealedEnds = log.sealedEndsCopy();
        this.createdAtMillis = System.currentTimeMillis();
        this.startNanos = startNanos;
    }

    /** Writer (under the store's write lock): freezes the current version. */
    public static Freeze take(final HashIndex index, final SegmentLog log, final long entryCount,
        final long stateCount, final long startNanos)
    {
        return new Freeze(index, log, entryCount, stateCount, startNanos);
    }

    /** @return the write end of segment {@code id} in this version. */
    public int committedLength(final int id)
    {
        return id == tailSegment ? tailOffset : sealedEnds[id];
    }
}
