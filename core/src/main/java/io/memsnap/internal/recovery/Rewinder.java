package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.RewindResult;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.ReachablePages;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.CommitCoordinator;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.IndexCompaction;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.PinEdit;
import io.memsnap.internal.snapshot.SnapshotWriter;
import io.memsnap.internal.snapshot.Timeline;
import io.memsnap.internal.snapshot.TimelineExtension;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes an older retained snapshot's state the present of a writable store, as a new timeline
 * ({@code MemoryStore.rewind}): nothing written after that snapshot is ever replayed into it, and the snapshots of
 * the timeline left behind stay readable until retention drops them.
 *
 * <p>The steps, each before the next (see docs/format.md, "Rewind"):
 * <ol>
 * <li>Rebuild the target snapshot's state in memory, as an open of it would: a version of the index built on its
 * checkpoint, its records after the checkpoint replayed into new pages, and the live bytes of each segment (its
 * manifest's table, brought up to date by the same replay); a target whose checkpoint lives in an older index file
 * generation has the pages its root reaches copied into the current file first, at the same page numbers. Damage
 * refuses the rewind here, with nothing changed.</li>
 * <li>Take a safety snapshot of the present, labelled {@value #SAFETY_LABEL} and pinned for
 * {@link StoreOptions#rewindSafetyExpiry()}: every write so far is durable in it. Its manifest pins the target too
 * ({@value #TARGET_LABEL}), so that no commit retires the target before step 6.</li>
 * <li>Start the new timeline's log: a segment numbered above every other, whose header names the new timeline and
 * whose first sequence is the target's last plus one, synced with its directory entry.</li>
 * <li>Record the durable watermark at the lower of the target's and the safety snapshot's last sequence, not
 * clean: recovery checks what it replays against it, and this holds on both timelines, so that a crash before the
 * next step recovers the present (the safety snapshot), one after it the rewound state.</li>
 * <li>Checkpoint the rebuilt index, with its live bytes: its pages go above every page any manifest names. The
 * writer's accounting becomes the rebuilt one.</li>
 * <li>Commit the snapshot that starts the new timeline: the target's content, that checkpoint, replay from the new
 * segment, the timeline extension, the pins less the target's. From here on the rewind has happened.</li>
 * <li>Publish the rebuilt index to readers and the target's counts.</li>
 * </ol>
 * A failure at step 3 leaves the store as it was, with its safety snapshot. A failure after it stops the writer
 * ({@link CommitCoordinator#stop}): reopening recovers the present or the rewound state, whichever the disk holds.
 *
 * <p>Concurrency: thread safe. A rewind holds the compaction lock, the checkpoint lock, the commit lock and the write
 * lock (in that order) from its first step to its last: writes, syncs, snapshots (automatic ones too), checkpoints,
 * steps of a new index file and compaction passes wait for it (a new index file being copied is given up), and it
 * waits for a compaction pass that runs (whose copies and delete records were decided against the index it replaces,
 * batch by batch). Reclamation, which runs under the commit lock, sees the rewound accounting
 * from the rewind's checkpoint on. Readers go on, taking no lock, and see the present until step 7, then the rewound
 * state; a record a reader holds stays mapped (a rewind unmaps nothing).
 */
public final class Rewinder
{
    private static final String SAFETY_LABEL = RewindResult.SAFETY_LABEL;
    private static final String REWIND_LABEL = RewindResult.REWIND_LABEL;
    private static final String TARGET_LABEL = RewindResult.TARGET_LABEL;
    /** Labels the engine gives snapshots start with this; those of the target are not carried to the rewind's. */
    private static final String ENGINE_LABEL_PREFIX = "memsnap.";

    /** What a rewind committed. Immutable. */
    public static final class Rewound
    {
        /** The pinned snapshot of the present before the rewind. */
        public final Manifest safety;
        /** The snapshot that starts the new timeline, holding the target's state. */
        public final Manifest snapshot;
        public final Timeline timeline;

        Rewound(final Manifest safety, final Manifest snapshot, final Timeline timeline)
        {
            this.safety = safety;
            this.snapshot = snapshot;
            this.timeline = timeline;
        }
    }

    /** The target's state, rebuilt in memory. */
    private static final class Rebuilt
    {
        final HashIndex index;
        final long entryCount;
        final long stateCount;
        /** The live bytes of each segment in the target's state. */
        final SegmentUsage usage;

        Rebuilt(final HashIndex index, final long entryCount, final long stateCount, final SegmentUsage usage)
        {
            this.index = index;
            this.entryCount = entryCount;
            this.stateCount = stateCount;
            this.usage = usage;
        }
    }

    /** The parts of the store a rewind changes, and the locks it takes. */
    public static final class Parts
    {
        /** Held by a compaction pass from start to end ({@code Compactor.lock}). */
        final ReentrantLock compactionLock;
        final ReentrantLock checkpointLock;
        final ReentrantLock writeLock;
        final ReaderGuard guard;
        final CommitCoordinator commits;
        final ManifestStore manifests;
        final SegmentLog log;
        final HashIndex index;
        final IndexFile indexFile;
        final IndexCheckpointer checkpointer;
        /** Writes new index file generations under the checkpoint lock. */
        final IndexCompaction indexCompaction;
        final DurableWatermark watermark;
        final StoreCounts counts;
        /** The writer's live bytes per segment. */
        final SegmentUsage usage;
        /** The direct memory the index may hold waiting for checkpoints, restored after a rewind's replay. */
        final long indexMemoryLimit;

        public Parts(final ReentrantLock compactionLock, final ReentrantLock checkpointLock,
            final ReentrantLock writeLock, final ReaderGuard guard, final CommitCoordinator commits,
            final ManifestStore manifests, final SegmentLog log, final HashIndex index, final IndexFile indexFile,
            final IndexCheckpointer checkpointer, final IndexCompaction indexCompaction,
            final DurableWatermark watermark, final StoreCounts counts, final SegmentUsage usage,
            final long indexMemoryLimit)
        {
            this.compactionLock = compactionLock;
            this.checkpointLock = checkpointLock;
            this.writeLock = writeLock;
            this.guard = guard;
            this.commits = commits;
            this.manifests = manifests;
            this.log = log;
            this.index = index;
            this.indexFile = indexFile;
            this.checkpointer = checkpointer;
            this.indexCompaction = indexCompaction;
            this.watermark = watermark;
            this.counts = counts;
            this.usage = usage;
            this.indexMemoryLimit = indexMemoryLimit;
        }
    }

    private final StoreOptions options;
    private final Parts parts;
    private final long seed;
    /** The timeline the store writes on: its manifests record it (see {@link TimelineExtension#source}). */
    private volatile Timeline timeline;

    /**
     * @param restored the snapshot the store opened at, whose timeline it goes on writing.
     * @param writer   the store's snapshot writer: every manifest it writes from now on records the timeline.
     */
    public Rewinder(final StoreOptions options, final Parts parts, final Manifest restored,
        final SnapshotWriter writer)
    {
        this.options = options;
        this.parts = parts;
        this.seed = restored.seed;
        this.timeline = TimelineExtension.read(restored, parts.manifests.path(restored.generation));
        writer.addExtensionSource(TimelineExtension.source(this::timeline));
    }

    /** @return the timeline the store writes on now. Any thread. */
    public Timeline timeline()
    {
        return timeline;
    }

    /**
     * Rewinds to {@code generation} (see the class comment).
     *
     * @throws io.memsnap.NoSuchSnapshotException if it is not retained; nothing changed.
     * @throws CorruptStoreException              if its manifest, index or records do not validate; nothing changed.
     * @throws StoreIoException                   if the safety snapshot fails (nothing else changed), or a later
     *                                            step (the writer is then stopped: reopen the store).
     */
    public Rewound rewind(final long generation)
    {
        // First: a compaction pass holding it may wait for a checkpoint, which needs the checkpoint lock.
        parts.compactionLock.lock();
        try
        {
            parts.checkpointLock.lock();
            try
            {
                parts.commits.lock().lock();
                try
                {
                    parts.writeLock.lock();
                    try
                    {
                        return rewindLocked(generation);
                    }
                    finally
                    {
                        parts.writeLock.unlock();
                    }
                }
                finally
                {
                    parts.commits.lock().unlock();
                }
            }
            finally
            {
                parts.checkpointLock.unlock();
            }
        }
        finally
        {
            parts.compactionLock.unlock();
        }
    }

    private Rewound rewindLocked(final long generation)
    {
        if (parts.guard.isClosed())
        {
            throw new StoreClosedException();
        }
        parts.commits.requireNoFailedFlush();
        final Manifest target = parts.commits.requireRetained(generation);
        final Timeline from = TimelineExtension.read(target, parts.manifests.path(generation));
        final Map<String, String> labels = labelsOf(target);
        final Timeline next = new Timeline(nextTimelineId(), from.id, generation, target.lastSequence);
        final long now = parts.commits.now();
        // Until the rewind's commit, the target stays pinned: a crash in between leaves it to rewind to again.
        final boolean pinTarget = !parts.commits.retained().pins().liveAt(now).contains(generation);
        final PinEdit pinSafety = PinEdit.pinCommitted(SAFETY_LABEL + "=" + generation, expiry(now));
        // The replay of a rewind, like an open's, is not limited: the rewind's checkpoint writes what it holds.
        parts.indexFile.limitResident(Long.MAX_VALUE, parts.guard);
        try
        {
            // A new index file copied from a checkpoint before the rewind's would not hold the pages the rewound
            // version reaches below that checkpoint's: given up (the next checkpoint due for one starts it again).
            if (parts.indexCompaction.inProgress())
            {
                parts.indexCompaction.abandon();
            }
            restoreIndexPages(target);
            final Rebuilt state = rebuild(target);
            final Manifest safety = parts.commits.snapshot(Map.of(SAFETY_LABEL, Long.toString(generation)),
                pinTarget ? pinSafety.then(PinEdit.pin(generation, TARGET_LABEL + "=" + generation, expiry(now))) :
                pinSafety);
            try
            {
                parts.log.branch(target.lastSequence + 1, next.id, next.parent);
            }
            catch (final IOException ex)
            {
                throw new StoreIoException("could not start the new timeline of " + parts.manifests.path(generation)
                    .getParent() + " (nothing of the rewind to snapshot " + generation + " was committed; snapshot " +
                    safety.generation + " holds the present)", ex);
            }
            final Manifest committed = commitBranch(generation, target, state, safety, next, labels,
                pinTarget ? PinEdit.unpin(generation) : PinEdit.NONE);
            parts.index.adopt(state.index);
            parts.counts.set(state.entryCount, state.stateCount);
            return new Rewound(safety, committed, next);
        }
        finally
        {
            parts.indexFile.limitResident(parts.indexMemoryLimit, parts.guard);
        }
    }

    /**
     * Steps 4 to 6, the log branched: any failure stops the writer. The writer's accounting becomes the rebuilt one
     * before the commit, so that the reclamation run by the commit judges the segments by the rewound state (by the
     * present's, it could delete a segment whose delete records the rewound state still needs; the present's index,
     * which readers use until step 7, points only into segments the safety snapshot needs).
     */
    private Manifest commitBranch(final long generation, final Manifest target, final Rebuilt state,
        final Manifest safety, final Timeline next, final Map<String, String> labels, final PinEdit unpinTarget)
    {
        try
        {
            final long tail = parts.log.tailAddress();
            parts.watermark.branch(Math.min(target.lastSequence, safety.lastSequence), tail);
            parts.checkpointer.write(parts.checkpointer.freeze(state.index, tail, target.lastSequence,
                state.entryCount, state.stateCount, state.usage.table()), () -> { });
            parts.usage.adopt(state.usage);
            timeline = next;
            return parts.commits.commitBranch(state.entryCount, state.stateCount, labels, unpinTarget);
        }
        catch (final IOException | RuntimeException ex)
        {
            final IOException cause = ex instanceof IOException ? (IOException)ex :
                ex.getCause() instanceof IOException ? (IOException)ex.getCause() : new IOException(ex);
            parts.commits.stop(cause);
            throw new StoreIoException("the rewind to snapshot " + generation + " failed after it began the new " +
                "timeline; the store takes no more writes: close it and open it again (it opens at the state before " +
                "the rewind, snapshot " + safety.generation + ", or at the rewound one)", cause);
        }
    }

    /**
     * Step 1, for a target whose checkpoint lives in another index file generation than the one checkpoints write to
     * (an older one: retention keeps it while the target is retained, and the target stays retained throughout):
     * writes the pages its root reaches into the current file, at the same page numbers, where the current file has
     * holes, so that the rebuilt version and the rewind's checkpoint read them from the file the rewind's snapshot
     * names. Harmless if the rewind goes no further: those pages are the same in every file that holds them, and no
     * checkpoint of the current file names them yet.
     *
     * @throws CorruptStoreException if the target's index file is missing or its pages do not validate.
     * @throws IllegalStateException if readers of the index file before the last switch are still inside.
     */
    private void restoreIndexPages(final Manifest target)
    {
        final Checkpoint checkpoint = target.checkpoint;
        final IndexFile current = parts.indexFile;
        if (checkpoint.indexFile == current.generation())
        {
            return;
        }
        try
        {
            final IndexFile source = IndexFile.open(current.fileSystem(), current.directory(), checkpoint.indexFile,
                checkpoint.indexPages, true);
            try
            {
                final int[] pages = ReachablePages.of(source, checkpoint.rootPage, checkpoint.indexPages,
                    checkpoint.indexPages);
                current.remapIfDue();
                if (!current.restorePages(source, pages))
                {
                    throw new IllegalStateException("readers of " + current.directory() + " that began before its " +
                        "last change of index file are still reading; nothing was changed: rewind to snapshot " +
                        target.generation + " again once they have finished");
                }
            }
            finally
            {
                source.unmapAll();
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptStoreException("the index file snapshot " + target.generation + " names is missing; " +
                "nothing was changed. Rewind to another snapshot, or run 'memsnap salvage' to copy what validates " +
                "into a new store", current.directory().resolve(ex.getFile()), 0);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not copy the index pages of snapshot " + target.generation + " into " +
                current.path() + "; nothing of the rewind was committed", ex);
        }
    }

    /**
     * Step 1: the target's index checkpoint and its records after it, replayed into a new version of the index
     * (pages above every page handed out so far; the version readers see does not change), and the live bytes of
     * each segment as an open of the target counts them: its manifest's table (or, for a manifest written before
     * tables existed, a count of its checkpoint's index), brought up to date record by record by the replay.
     */
    private Rebuilt rebuild(final Manifest target)
    {
        final Checkpoint checkpoint = target.checkpoint;
        final Segment[] segments = parts.log.segments();
        if (checkpoint.replaySegment >= segments.length || segments[checkpoint.replaySegment] == null)
        {
            throw new CorruptStoreException("segment " + checkpoint.replaySegment + ", which snapshot " +
                target.generation + " replays, is missing; run 'memsnap salvage' to copy what validates into a new " +
                "store", parts.manifests.path(target.generation).resolveSibling(
                SegmentDescriptor.fileName(checkpoint.replaySegment)), 0);
        }
        final HashIndex version = parts.index.version(checkpoint.rootPage);
        final SegmentUsage.Table table = LiveBytesExtension.read(target, parts.manifests.path(target.generation));
        final SegmentUsage usage = table != null ? SegmentUsage.of(table) : SegmentUsage.recount(version, parts.log);
        final Replay replay = LogReplayer.replay(version, parts.log, segments, checkpoint, seed, target.lastSequence,
            new int[segments.length], usage);
        if (replay.stop != Replay.Stop.LIMIT)
        {
            throw new CorruptStoreException("record " + replay.nextSequence + ", which snapshot " +
                target.generation + " holds, is damaged or missing: " + replay.problem + "; nothing was changed. " +
                "Rewind to another snapshot, or run 'memsnap salvage' to copy what validates into a new store",
                replay.segment.path(), replay.offset, replay.expectedCrc, replay.actualCrc);
        }
        return new Rebuilt(version, replay.entryCount, replay.stateCount, usage);
    }

    /** @return the rewind's snapshot labels: the target's own (not the engine's), and {@value #REWIND_LABEL}. */
    private static Map<String, String> labelsOf(final Manifest target)
    {
        final Map<String, String> labels = new TreeMap<>();
        for (final Map.Entry<String, String> l : target.labels.entrySet())
        {
            if (!l.getKey().startsWith(ENGINE_LABEL_PREFIX))
            {
                labels.put(l.getKey(), l.getValue());
            }
        }
        labels.put(REWIND_LABEL, Long.toString(target.generation));
        ManifestCodec.validateLabels(labels);
        return labels;
    }

    private long expiry(final long now)
    {
        final long keepFor = options.rewindSafetyExpiry().toMillis();
        return now > PinsDescriptor.NEVER - keepFor ? PinsDescriptor.NEVER : now + keepFor;
    }

    /**
     * @return one more than any timeline the store has seen: its segments' (those of timelines whose snapshots
     * retention dropped included), its retained snapshots', its own.
     */
    private long nextTimelineId()
    {
        long highest = timeline.id;
        for (final Segment s : parts.log.segments())
        {
            highest = s == null ? highest : Math.max(highest, s.timeline());
        }
        for (final long generation : parts.commits.retained().generations())
        {
            try
            {
                final Manifest m = parts.manifests.read(generation);
                highest = Math.max(highest, TimelineExtension.read(m, parts.manifests.path(generation)).id);
            }
            catch (final CorruptStoreException | IncompatibleFormatException | NoSuchFileException ex)
            {
                // Its segments name its timeline, if any is left.
            }
            catch (final IOException ex)
            {
                throw new StoreIoException("could not read snapshot " + generation + " of " +
                    parts.manifests.path(generation).getParent(), ex);
            }
        }
        return highest + 1;
    }
}
