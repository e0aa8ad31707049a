package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;

import java.io.IOException;

/**
 * Makes index versions durable, so that an open replays only the records written since the last one.
 *
 * <p>{@link #freeze} records, in O(1) under the store's write lock, the index root, the page watermark (the writer
 * copies any page below it before changing it) and the log position the version reflects. {@link #write}, without
 * the lock, seals (CRC32C), writes and fdatasyncs the pages created since the previous checkpoint, which nobody
 * changes any more, and then publishes the new checkpoint (see {@link IndexFile#checkpoint}). The next snapshot's
 * manifest names it. A checkpoint costs the index pages that changed since the previous one; snapshots do not wait
 * for it.
 *
 * <p>Concurrency: {@code freeze} under the write lock; {@code write} and {@link #movedTo} by one thread at a time
 * (the caller serialises); {@link #durable()} from any thread.
 */
public final class IndexCheckpointer
{
    /** Pages written and synced at a time (256 KiB): what a snapshot may find in the disk's queue ahead of it. */
    public static final int FLUSH_STEP_PAGES = 64;

    /** A frozen index version waiting to be written. */
    public static final class Pending
    {
        final int rootPage;
        final int watermark;
        final int replaySegment;
        final int replayOffset;
        final long lastSequence;
        final long entryCount;
        final long stateCount;
        final SegmentUsage.Table liveBytes;

        Pending(final int rootPage, final int watermark, final long tail, final long lastSequence,
            final long entryCount, final long stateCount, final SegmentUsage.Table liveBytes)
        {
            this.liveBytes = liveBytes;
            this.rootPage = rootPage;
            this.watermark = watermark;
            this.replaySegment = IndexPageDescriptor.segmentId(tail);
            this.replayOffset = IndexPageDescriptor.offset(tail);
            this.lastSequence = lastSequence;
            this.entryCount = entryCount;
            this.stateCount = stateCount;
        }
    }

    private final IndexFile file;
    private final HashIndex index;
    private final SegmentUsage usage;
    private volatile Checkpoint durable;

    /**
     * @param usage the writer's live-record accounting, whose table each freeze copies into its checkpoint; null
     *              for a read-only store.
     */
    public IndexCheckpointer(final IndexFile file, final HashIndex index, final Checkpoint durable,
        final SegmentUsage usage)
    {
        this.file = file;
        this.index = index;
        this.durable = durable;
        this.usage = usage;
    }

    /** @return the newest checkpoint whose pages are durable. */
    public Checkpoint durable()
    {
        return durable;
    }

    /**
     * Writer (under the store's write lock): freezes the current index version, in O(1), with a copy of the live
     * bytes of each segment (O(segments)), which match it.
     */
    public Pending freeze(final SegmentLog log, final long entryCount, final long stateCount)
    {
        final int root = index.freeze();
        return new Pending(root, index.frozenWatermark(), log.tailAddress(), log.nextSequence() - 1, entryCount,
            stateCount, usage == null ? null : usage.table());
    }

    /**
     * Writer (under the store's write lock), O(1), for a rewind: freezes {@code version}, a version of this index's
     * file that the store is about to adopt ({@link HashIndex#version}), as holding the log up to {@code lastSequence},
     * the next record to go to {@code tail}, with {@code liveBytes}, the live bytes of each segment in that version.
     */
    public Pending freeze(final HashIndex version, final long tail, final long lastSequence, final long entryCount,
        final long stateCount, final SegmentUsage.Table liveBytes)
    {
        final int root = version.freeze();
        return new Pending(root, version.frozenWatermark(), tail, lastSequence, entryCount, stateCount, liveBytes);
    }

    /**
     * Seals, writes and syncs the pages of a frozen version created since the previous checkpoint, then publishes it.
     * The flush goes in steps of {@link #FLUSH_STEP_PAGES}, with {@code betweenSteps} run after each: the store
     * uses it to let a running snapshot's flush go first, so that a checkpoint of tens of megabytes never sits in
     * the disk's queue in front of a snapshot.
     *
     * @return the checkpoint, now durable.
     */
    public Checkpoint write(final Pending pending, final Runnable betweenSteps) throws IOException
    {
        final Checkpoint previous = durable;
        final int from = previous.indexPages;
        final int to = pending.watermark;
        final int crc = file.checkpoint(from, to, FLUSH_STEP_PAGES, betweenSteps);
        final Checkpoint checkpoint = new Checkpoint(pending.rootPage, to, from, crc, pending.replaySegment,
            pending.replayOffset, pending.lastSequence, pending.entryCount, pending.stateCount, pending.liveBytes,
            file.generation());
        durable = checkpoint;
        return checkpoint;
    }

    /**
     * After a switch to a new index file generation that holds every page of the durable checkpoint: the durable
     * checkpoint lives in that file from now on (and the next manifest names it). Same thread as {@link #write}.
     */
    public void movedTo(final long indexFileGeneration)
    {
        durable = durable.inIndexFile(indexFileGeneration);
    }

    /** @return the index pages handed out since the durable checkpoint, given the next page number. */
    public long pagesSince(final int nextPage)
    {
        return nextPage - durable.indexPages;
    }

    /** @return the number of records written since the durable checkpoint, given the next sequence number. */
    public long recordsSince(final long nextSequence)
    {
        return nextSequence - 1 - durable.lastSequence;
    }
}
