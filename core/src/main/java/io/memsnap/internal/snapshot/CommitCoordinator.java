package io.memsnap.internal.snapshot;

import io.memsnap.NoSuchSnapshotException;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentFlushException;
import io.memsnap.internal.segment.SegmentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Makes a writable store's writes durable: {@link #sync()}, {@link #snapshot} (freeze in O(1) under the write lock,
 * then flush and commit without it; see {@link SnapshotWriter}), the acknowledgement of an
 * {@code EVERY_WRITE} write, pins, retention, and the final flush of a close. Owns the commit state: the last
 * committed manifest, the next generation, the retained snapshots and their pins ({@link #retained()}), how far the
 * log was flushed, the durable watermark.
 *
 * <p><b>Retention</b> runs after each commit and at a writer's open ({@link #retainAtOpen()}): it deletes the
 * manifests no rule of the {@link RetentionPolicy} keeps, then syncs the directory. Pins live in the manifests
 * (extension {@link io.memsnap.internal.format.ManifestDescriptor#EXTENSION_PINS}): every commit records the pins of
 * the previous one, changed by its {@link PinEdit}, so a pin or an unpin is a commit of its own, durable and atomic as
 * any snapshot, and a manifest is deleted only once a committed manifest no longer keeps it.
 *
 * <p><b>A failed flush stops the writer.</b> When the flush of a segment fails, Linux may already have marked the
 * pages it could not write clean: a retry would then succeed and acknowledge records that never reached the disk
 * (PostgreSQL's "fsyncgate"). So the first failed segment flush is kept ({@link #requireNoFailedFlush()}): every
 * later write, sync and snapshot throws it, and close does not mark the log clean. Reopening the store recovers what
 * is on disk. (A write that fails, a full disk for one, does not stop the writer: nothing was acknowledged, and the
 * next attempt writes the bytes again.)
 *
 * <p>Concurrency: thread safe. Snapshots and syncs are serialised by the commit lock ({@link #lock()}); each holds
 * the store's write lock only for its freeze. {@link #acknowledgeWrite()} runs under the write lock.
 * {@link FlushProgress} may be asked from any thread.
 */
public final class CommitCoordinator implements FlushProgress
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    /** Smallest flush that a PAD ends on a page boundary (see {@link #padIfWorthIt}). */
    public static final int MIN_PADDED_FLUSH = 4 * SegmentLog.FLUSH_BOUNDARY;

    private final Path dir;
    private final StoreOptions options;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final StoreCounts counts;
    private final SegmentLog log;
    private final SnapshotWriter snapshotWriter;
    private final IndexCheckpointer checkpointer;
    private final ManifestStore manifests;
    private final DurableWatermark watermark;
    /** Deletes the index files retired snapshots named; null for a read-only store. */
    private final IndexFileDeleter indexFiles;
    /** Told of every snapshot committed or failed. */
    private final SnapshotListener outcomes;
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Epoch milliseconds: the "now" of retention's ages and of pin expiries. */
    private final LongSupplier clock;
    /** The manifests on disk and the pins of the last committed one; replaced under commitLock. */
    private volatile RetainedSnapshots retained;

    /** Snapshots and syncs ended (written under commitLock): a checkpoint lets a running one go first. */
    private volatile long flushesEnded;
    /** The first segment flush that failed, after which nothing is acknowledged any more; null if none. */
    private volatile StoreIoException failedFlush;
    /** Why a rewind stopped the writer ({@link #stop}); null if none. */
    private volatile IOException stoppedBy;
    /** Last committed manifest; guarded by commitLock. */
    private Manifest durable;
    private long nextGeneration;
    /** Address up to which records were flushed by a sync or a snapshot; guarded by commitLock. */
    private long syncedTail;
    /** Told of each commit, under the commit lock; null if none. */
    private volatile CommitListener listener;

    /** What runs after each snapshot commits, holding the commit lock (the reclamation of segment files). */
    @FunctionalInterface
    public interface CommitListener
    {
        /**
         * @param committed the manifest just committed.
         * @param retained  the generations of the manifests on disk now, oldest first.
         */
        void committed(Manifest committed, List<Long> retained);
    }

    /**
     * @param restored  the snapshot the store opened at.
     * @param retained  the manifests on disk, the restored one's pins and the rules to apply (a read-only store,
     *                  which never commits, may give none).
     * @param clock     epoch milliseconds, for retention's ages and pin expiries.
     * @param watermark the durable watermark, or null for a read-only store (which never commits).
     * @param indexFiles the deleter of index files no snapshot needs, or null for a read-only store.
     * @param outcomes  told of every snapshot committed or failed.
     */
    public CommitCoordinator(final Path dir, final StoreOptions options, final ReentrantLock writeLock,
        final ReaderGuard guard, final StoreCounts counts, final SegmentLog log, final SnapshotWriter snapshotWriter,
        final IndexCheckpointer checkpointer, final ManifestStore manifests, final DurableWatermark watermark,
        final IndexFileDeleter indexFiles, final Manifest restored, final long nextGeneration,
        final RetainedSnapshots retained, final LongSupplier clock, final SnapshotListener outcomes)
    {
        this.indexFiles = indexFiles;
        this.outcomes = outcomes;
        this.dir = dir;
        this.options = options;
        this.writeLock = writeLock;
        this.guard = guard;
        this.counts = counts;
        this.log = log;
        this.snapshotWriter = snapshotWriter;
        this.checkpointer = checkpointer;
        this.manifests = manifests;
        this.watermark = watermark;
        this.durable = restored;
        this.nextGeneration = nextGeneration;
        this.syncedTail = IndexPageDescriptor.address(restored.tailSegment, restored.tailOffset);
        this.retained = retained;
        this.clock = clock;
    }

    /** Sets what runs after each commit. */
    public void listen(final CommitListener commitListener)
    {
        this.listener = commitListener;
    }

    /** @return the generations of the manifests on disk, oldest first. Commit lock held. */
    public List<Long> retainedGenerations()
    {
        final List<Long> oldestFirst = new ArrayList<>(retained.generations());
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** @return the lock that serialises commits; close holds it while it unmaps. */
    public ReentrantLock lock()
    {
        return commitLock;
    }

    @Override
    public boolean flushRunning()
    {
        return commitLock.isLocked();
    }

    @Override
    public long flushesEnded()
    {
        return flushesEnded;
    }

    /**
     * Any thread, without waiting for a commit.
     *
     * @return the manifests on disk (which generations are retained, {@link RetainedSnapshots#generations()}), the
     * pins of the last committed one and the rules; as of the last commit or delete.
     */
    public RetainedSnapshots retained()
    {
        return retained;
    }

    /** @return the time retention and pins take as now, epoch milliseconds. */
    public long now()
    {
        return clock.getAsLong();
    }

    /** @return the snapshot last committed (or the one the store opened at). */
    public Manifest lastCommitted()
    {
        commitLock.lock();
        try
        {
            return durable;
        }
        finally
        {
            commitLock.unlock();
        }
    }

    private void requireOpen()
    {
        if (guard.isClosed())
        {
            throw new StoreClosedException();
        }
        requireNoFailedFlush();
    }

    /**
     * Any thread (the writer checks it under the write lock before each write).
     *
     * @throws StoreIoException if a segment flush, or a rewind that had begun changing the disk, failed earlier: the
     *                          store takes no write until it is reopened.
     */
    public void requireNoFailedFlush()
    {
        final IOException stopped = stoppedBy;
        if (stopped != null)
        {
            throw new StoreIoException("a rewind of " + dir + " failed half-way, so the store takes no more writes: " +
                "close it and open it again (it opens at the state before the rewind, its safety snapshot, or at the " +
                "rewound one)", stopped);
        }
        final StoreIoException failed = failedFlush;
        if (failed != null)
        {
            throw new StoreIoException("a flush of " + dir + " failed earlier (" + failed.getMessage() + "), so " +
                "writes since the last durable point may not be on disk whatever a retry says: close the store and " +
                "open it again (recovery keeps what is on disk)", (IOException)failed.getCause());
        }
    }

    /**
     * Stops the writer after a rewind failed half-way (its new timeline begun on disk, not committed): every later
     * write, sync, snapshot and pin throws, and close leaves the watermark as it is, so that reopening the store
     * recovers what is on disk, the state before the rewind or the rewound one.
     */
    public void stop(final IOException cause)
    {
        if (stoppedBy == null)
        {
            stoppedBy = cause;
        }
    }

    /** @return the exception to throw for a failed segment flush, remembered so that nothing is acknowledged after. */
    private StoreIoException failed(final StoreIoException ex)
    {
        if (failedFlush == null)
        {
            failedFlush = ex;
        }
        return ex;
    }

    /**
     * Makes every write so far durable: flushes the segments holding the records appended since the last sync or
     * snapshot, then records the durable watermark.
     */
    public void sync()
    {
        commitLock.lock();
        try
        {
            final long tail;
            final long last;
            writeLock.lock();
            try
            {
                requireOpen();
                padIfWorthIt(syncedTail);
                log.handOff();
                tail = log.tailAddress();
                last = log.nextSequence() - 1;
            }
            finally
            {
                writeLock.unlock();
            }
            forceRecords(syncedTail, tail);
            try
            {
                watermark.write(last, tail, false);
            }
            catch (final IOException ex)
            {
                throw new StoreIoException("could not record the durable watermark of " + dir + "; the writes " +
                    "are flushed but a crash may still lose them", ex);
            }
            syncedTail = tail;
        }
        finally
        {
            flushesEnded++;
            commitLock.unlock();
        }
    }

    /**
     * Writer, under the write lock, after a write with {@code Durability.EVERY_WRITE}: flushes the tail segment and
     * records the durable watermark.
     */
    public void acknowledgeWrite()
    {
        acknowledgeWrites(log.tailSegmentId());
    }

    /**
     * Writer, under the write lock, after a batch of writes with {@code Durability.EVERY_WRITE} that began in segment
     * {@code fromSegment}: flushes the segments from it to the tail (a batch may roll the log past segments no
     * acknowledged write flushed) and records the durable watermark.
     */
    public void acknowledgeWrites(final int fromSegment)
    {
        try
        {
            log.forceFrom(fromSegment);
        }
        catch (final IOException ex)
        {
            throw failed(new StoreIoException("could not flush the write to " + dir + " (it is stored but may not be " +
                "durable)", ex));
        }
        try
        {
            watermark.write(log.nextSequence() - 1, log.tailAddress(), false);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not record the durable watermark of " + dir + "; the write is flushed " +
                "but a crash may still lose it", ex);
        }
    }

    /**
     * Any thread: deletes the index files that no retained snapshot and no checkpoint needs (see
     * {@link IndexFileDeleter}), unless a snapshot is being committed (which does so itself once it is), then, without
     * the commit lock, frees the disk space of those deleted so far, by this call or by a snapshot (which leaves that
     * here: for an old generation of a large index it takes seconds).
     */
    public void tryDeleteUnneededIndexFiles()
    {
        if (indexFiles == null)
        {
            return;
        }
        if (commitLock.tryLock())
        {
            try
            {
                indexFiles.deleteUnneeded(retainedGenerations());
            }
            finally
            {
                commitLock.unlock();
            }
        }
        indexFiles.releaseDeleted();
    }

    /**
     * Writer, under the write lock, after compaction copied records under {@code EVERY_WRITE}: flushes the segments
     * from {@code fromSegment} to the tail, so that the watermark of the next acknowledged write never covers copies
     * that are not durable (they may lie in a segment no acknowledged write flushed).
     */
    public void forceCopies(final int fromSegment)
    {
        try
        {
            log.forceFrom(fromSegment);
        }
        catch (final IOException ex)
        {
            throw failed(new StoreIoException("could not flush the records compaction copied in " + dir, ex));
        }
    }

    /**
     * Takes a snapshot (see {@code MemoryStore.snapshot}).
     *
     * @return the manifest committed.
     * @throws StoreIoException if the flush or the commit fails; the previous snapshot stays intact.
     */
    public Manifest snapshot(final Map<String, String> labels)
    {
        return snapshot(labels, PinEdit.NONE);
    }

    /**
     * Takes a snapshot whose manifest records the pins of the last one changed by {@code edit}, then applies
     * retention. How pins are made, from the API ({@link #pin}, {@link #unpin}) or from inside the engine (a
     * snapshot that pins itself, {@link PinEdit#pinCommitted}).
     *
     * @return the manifest committed.
     * @throws StoreIoException      if the flush or the commit fails; the previous snapshot and its pins stay intact.
     * @throws IllegalStateException if the edit would add one pin too many; nothing was written.
     */
    public Manifest snapshot(final Map<String, String> labels, final PinEdit edit)
    {
        return commit(labels, edit, SnapshotWriter.NEVER_ABANDON, true);
    }

    /**
     * As {@link #snapshot}, but gives up before the flush of a segment or the commit of the manifest once
     * {@code abandon} says so (a flush or a commit under way is never cut short).
     *
     * @return the manifest committed, or null if abandoned: nothing was committed, the previous snapshot stays.
     */
    public Manifest snapshotUnless(final Map<String, String> labels, final BooleanSupplier abandon)
    {
        return commit(labels, PinEdit.NONE, abandon, true);
    }

    /**
     * Close only, once the store is closed to new calls and no write runs: as {@link #snapshotUnless}, without the
     * check that the store is open.
     */
    public Manifest snapshotAtClose(final Map<String, String> labels, final BooleanSupplier abandon)
    {
        return commit(labels, PinEdit.NONE, abandon, false);
    }

    /**
     * @return the number of snapshots on disk as far as this writer knows (0 for a read-only store). Any thread;
     * does not wait for a running snapshot.
     */
    public int retainedCount()
    {
        return retained.generations().size();
    }

    private Manifest commit(final Map<String, String> labels, final PinEdit edit, final BooleanSupplier abandon,
        final boolean requireOpen)
    {
        commitLock.lock();
        try
        {
            final long start = System.nanoTime();
            final long now = clock.getAsLong();
            final PinSet pins = retained.carry(edit, nextGeneration, now); // may refuse: before anything is frozen
            final Checkpoint checkpoint = checkpointer.durable(); // read before the freeze: never newer than it
            final Freeze freeze;
            writeLock.lock();
            try
            {
                if (requireOpen)
                {
                    requireOpen();
                }
                else
                {
                    requireNoFailedFlush();
                }
                try
                {
                    padIfWorthIt(IndexPageDescriptor.address(durable.tailSegment, durable.tailOffset));
                    log.handOff();
                }
                catch (final StoreIoException ex)
                {
                    // A full disk, say: the PAD, or the records in the write buffer, needed a block of a sparse
                    // segment. Nothing was frozen, and the records stay in the buffer.
                    throw new StoreIoException("snapshot of " + dir + " failed before it froze the log; snapshot " +
                        durable.generation + " is intact", (IOException)ex.getCause());
                }
                freeze = Freeze.take(log, counts.entries(), counts.states(), start);
            }
            finally
            {
                writeLock.unlock();
            }
            return commit(freeze, checkpoint, labels, pins, now, abandon);
        }
        finally
        {
            flushesEnded++;
            commitLock.unlock();
        }
    }

    /** @return the exception of the failed snapshot {@code generation}, told to the listener. */
    private StoreIoException reported(final long generation, final IOException cause)
    {
        final StoreIoException failure = new StoreIoException("snapshot " + generation + " of " + dir + " failed; " +
            "snapshot " + durable.generation + " is intact", cause);
        outcomes.failed(failure);
        return failure;
    }

    /**
     * For a rewind, holding the commit lock and the write lock, once the log was branched
     * ({@link SegmentLog#branch}) and the rewound state checkpointed (the durable checkpoint): commits the snapshot
     * that starts the new timeline, holding {@code entryCount} entries and {@code stateCount} named states up to the
     * log's last sequence, with the pins of the last one changed by {@code edit}, then applies retention.
     *
     * @return the manifest committed.
     * @throws StoreIoException if the commit fails.
     */
    public Manifest commitBranch(final long entryCount, final long stateCount, final Map<String, String> labels,
        final PinEdit edit)
    {
        commitLock.lock();
        try
        {
            requireOpen();
            final long now = clock.getAsLong();
            final PinSet pins = retained.carry(edit, nextGeneration, now);
            return commit(Freeze.take(log, entryCount, stateCount, System.nanoTime()), checkpointer.durable(), labels,
                pins, now, SnapshotWriter.NEVER_ABANDON);
        }
        finally
        {
            flushesEnded++;
            commitLock.unlock();
        }
    }

    /**
     * Commit lock held: commits the manifest of {@code freeze} recording {@code pins}, then deletes what retention no
     * longer keeps and tells the listeners.
     *
     * @return the manifest committed, or null if {@code abandon} gave up before the commit.
     */
    private Manifest commit(final Freeze freeze, final Checkpoint checkpoint, final Map<String, String> labels,
        final PinSet pins, final long now, final BooleanSupplier abandon)
    {
        final long generation = nextGeneration++;
        // Retention deletes what no rule keeps once this manifest is committed: the commit after it may write over the
        // slot of one of those (never a pinned or a young one; see ManifestStore).
        final RetainedSnapshots.Commit plan = retained.plan(generation, freeze.createdAtMillis, pins, now);
        final Manifest manifest;
        try
        {
            manifest = snapshotWriter.write(freeze, checkpoint, durable, generation, labels, plan.decision.kept(),
                List.of(RetentionExtension.encode(retained.policy(), pins)), abandon);
        }
        catch (final IOException ex)
        {
            final StoreIoException failure = reported(generation, ex);
            throw ex instanceof SegmentFlushException ? failed(failure) : failure;
        }
        catch (final UncheckedIOException ex)
        {
            throw reported(generation, ex.getCause());
        }
        if (manifest == null)
        {
            return null;
        }
        durable = manifest;
        syncedTail = Math.max(syncedTail, IndexPageDescriptor.address(freeze.tailSegment, freeze.tailOffset));
        retained = retained.committed(plan, generation, freeze.createdAtMillis);
        delete(plan.decision.dropped(), "snapshot " + generation);
        if (indexFiles != null)
        {
            indexFiles.deleteUnneeded(retainedGenerations());
        }
        final CommitListener l = listener;
        if (l != null)
        {
            try
            {
                l.committed(manifest, retainedGenerations());
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "after snapshot " + generation + " of " + dir + ": " +
                    ex.getMessage() + "; retried after the next snapshot", ex);
            }
        }
        outcomes.committed(manifest);
        return manifest;
    }

    /**
     * Pins a retained snapshot: commits a new snapshot (as {@link #snapshot(Map)}, without labels) whose manifest
     * records the pin, so that the pin is durable when this returns.
     *
     * @param keepForMillis how long the pin keeps the snapshot, from now; {@link PinsDescriptor#NEVER} for ever.
     * @return the manifest of the pinned snapshot.
     * @throws NoSuchSnapshotException if {@code generation} is not retained; nothing was written.
     * @throws io.memsnap.CorruptStoreException if its manifest does not validate; nothing was written.
     */
    public Manifest pin(final long generation, final String label, final long keepForMillis)
    {
        commitLock.lock();
        try
        {
            requireOpen();
            final Manifest pinned = requireRetained(generation);
            final long expiresAt = keepForMillis == PinsDescriptor.NEVER ? PinsDescriptor.NEVER :
                saturatedAdd(clock.getAsLong(), keepForMillis);
            snapshot(Map.of(), PinEdit.pin(generation, label, expiresAt));
            return pinned;
        }
        finally
        {
            commitLock.unlock();
        }
    }

    /**
     * Unpins a snapshot: commits a new snapshot whose manifest no longer records the pin; retention after it deletes
     * the snapshot unless another rule keeps it.
     *
     * @return whether it was pinned (nothing is written if not).
     */
    public boolean unpin(final long generation)
    {
        commitLock.lock();
        try
        {
            requireOpen();
            if (!retained.pins().contains(generation))
            {
                return false;
            }
            snapshot(Map.of(), PinEdit.unpin(generation));
            return true;
        }
        finally
        {
            commitLock.unlock();
        }
    }

    /**
     * Commit lock held: the manifest of a retained snapshot, read to be sure it validates.
     *
     * @throws NoSuchSnapshotException if {@code generation} is not retained.
     * @throws io.memsnap.CorruptStoreException if its manifest does not validate.
     */
    public Manifest requireRetained(final long generation)
    {
        if (!retained.contains(generation))
        {
            throw new NoSuchSnapshotException(generation, dir, retained.generations());
        }
        try
        {
            return manifests.read(generation);
        }
        catch (final NoSuchFileException ex)
        {
            throw new NoSuchSnapshotException(generation, dir, retained.generations());
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not read snapshot " + generation + " of " + dir, ex);
        }
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? PinsDescriptor.NEVER : sum;
    }

    /**
     * A writer's open, before anything is written: deletes the manifests that retention drops now (the options, or
     * the time, may have changed since the last commit; pins may have expired).
     */
    public void retainAtOpen()
    {
        commitLock.lock();
        try
        {
            delete(retained.decide(clock.getAsLong()).dropped(), "the open");
        }
        finally
        {
            commitLock.unlock();
        }
    }

    /**
     * Close of a writer, every reader gone, commit lock held: makes every write durable and marks the watermark
     * clean (the log ends there), so the next open appends where this one stopped without checking the bytes after.
     *
     * @return the failure, for close to throw once everything is released; null if none.
     */
    public StoreIoException flushOnClose()
    {
        if (watermark == null)
        {
            return null;
        }
        snapshotWriter.close();
        manifests.close();
        try
        {
            if (failedFlush != null || stoppedBy != null)
            {
                return null; // thrown to the calls after it already; the log must not be marked clean
            }
            log.handOff();
            final long tail = log.tailAddress();
            forceRecords(syncedTail, tail);
            watermark.write(log.nextSequence() - 1, tail, true);
            return null;
        }
        catch (final IOException ex)
        {
            return new StoreIoException("could not flush " + dir + " at close; writes since the last sync() or " +
                "snapshot() may be lost in a power cut", ex);
        }
        catch (final StoreIoException ex)
        {
            return ex;
        }
        finally
        {
            watermark.close();
        }
    }

    /**
     * Write lock held, before a flush freezes the tail: ends the log on a page boundary with a PAD (see
     * {@link SegmentLog#padToBoundary}) when the flush covers at least {@link #MIN_PADDED_FLUSH} bytes, so that the
     * padding costs at most a quarter of what is flushed. A smaller flush (a sync after each small put, say) is not
     * padded: the next flush then writes the tail page again, where padding would grow the log by up to a page
     * each time.
     *
     * @param flushedUpTo the address the last flush of this kind reached.
     */
    private void padIfWorthIt(final long flushedUpTo)
    {
        final long tail = log.tailAddress();
        if (IndexPageDescriptor.segmentId(tail) != IndexPageDescriptor.segmentId(flushedUpTo) ||
            IndexPageDescriptor.offset(tail) - IndexPageDescriptor.offset(flushedUpTo) >= MIN_PADDED_FLUSH)
        {
            log.padToBoundary();
        }
    }

    /**
     * Flushes (fdatasync) every segment holding records in [from, to) ({@link SegmentLog#force}, which leaves alone
     * a segment the write-back already made durable whole).
     */
    private void forceRecords(final long from, final long to)
    {
        final int fromSegment = IndexPageDescriptor.segmentId(from);
        final int toSegment = IndexPageDescriptor.segmentId(to);
        for (int id = fromSegment; id <= toSegment; id++)
        {
            final Segment s = log.segment(id);
            if (s != null && (id != toSegment || IndexPageDescriptor.offset(to) > (id == fromSegment ?
                IndexPageDescriptor.offset(from) : 0)))
            {
                try
                {
                    log.force(s);
                }
                catch (final IOException ex)
                {
                    throw failed(new StoreIoException("could not flush segment " + s.path(), ex));
                }
            }
        }
    }

    /**
     * Commit lock held: deletes the manifests retention dropped, from the generations kept in memory (a commit never
     * lists the directory, whose size grows with the store), then syncs the directory if it deleted manifest files
     * (without it a power cut could bring a retired manifest back: harmless to the data, but retention would keep more
     * than it says). A freed slot is made durable by the next commit, which writes the same file (see
     * {@link ManifestStore}), or before a file only a retired snapshot needed is deleted.
     */
    private void delete(final List<Long> dropped, final String after)
    {
        boolean deleted = false;
        try
        {
            for (final long generation : dropped)
            {
                if (retained.contains(generation))
                {
                    manifests.delete(generation);
                    retained = retained.deleted(generation);
                    deleted = true;
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "retention after " + after + " could not delete a manifest of " + dir +
                "; the next commit tries again", ex);
        }
        if (deleted)
        {
            try
            {
                manifests.syncDeletedFiles();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not sync " + dir + " after retention deleted " +
                    "manifests; the next snapshot syncs it again", ex);
            }
        }
    }
}
