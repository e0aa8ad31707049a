package io.memsnap.internal.snapshot;

import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentFlushException;
import io.memsnap.internal.segment.SegmentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Makes a writable store's writes durable: {@link #sync()}, {@link #snapshot} (freeze in O(1) under the write lock,
 * then flush and commit without it; see {@link SnapshotWriter}), the acknowledgement of an
 * {@code EVERY_WRITE} write, retention, and the final flush of a close. Owns the commit state: the last committed
 * manifest, the next generation, the retained generations, how far the log was flushed, the durable watermark.
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
    private static final System.Logger LOG = System.getLogger("io.memsnap");
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
    private final CommitListener listener;
    private final ReentrantLock commitLock = new ReentrantLock();
    /** Generations of the manifests on disk, oldest first; guarded by commitLock. */
    private final ArrayDeque<Long> retained = new ArrayDeque<>();

    /** The size of {@link #retained}, for readers that must not wait for a running snapshot. */
    private volatile int retainedCount;
    /** Snapshots and syncs ended (written under commitLock): a checkpoint lets a running one go first. */
    private volatile long flushesEnded;
    /** The first segment flush that failed, after which nothing is acknowledged any more; null if none. */
    private volatile StoreIoException failedFlush;
    /** Last committed manifest; guarded by commitLock. */
    private Manifest durable;
    private long nextGeneration;
    /** Address up to which records were flushed by a sync or a snapshot; guarded by commitLock. */
    private long syncedTail;

    /**
     * @param restored        the snapshot the store opened at.
     * @param onDiskNewestFirst the generations of the manifests on disk.
     * @param watermark       the durable watermark, or null for a read-only store (which never commits).
     * @param listener        told of every snapshot committed or failed.
     */
    public CommitCoordinator(final Path dir, final StoreOptions options, final ReentrantLock writeLock,
        final ReaderGuard guard, final StoreCounts counts, final SegmentLog log, final SnapshotWriter snapshotWriter,
        final IndexCheckpointer checkpointer, final ManifestStore manifests, final DurableWatermark watermark,
        final Manifest restored, final long nextGeneration, final List<Long> onDiskNewestFirst,
        final CommitListener listener)
    {
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
        this.listener = listener;
        this.durable = restored;
        this.nextGeneration = nextGeneration;
        this.syncedTail = IndexPageDescriptor.address(restored.tailSegment, restored.tailOffset);
        for (int i = onDiskNewestFirst.size() - 1; i >= 0; i--)
        {
            retained.addLast(onDiskNewestFirst.get(i));
        }
        retainedCount = retained.size();
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
     * @return the number of snapshots this writer keeps on disk as far as it knows (0 for a read-only store). Any
     * thread; does not wait for a running snapshot.
     */
    public int retainedCount()
    {
        return retainedCount;
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
     * @throws StoreIoException if a segment flush failed earlier: the store takes no write until it is reopened.
     */
    public void requireNoFailedFlush()
    {
        final StoreIoException failed = failedFlush;
        if (failed != null)
        {
            throw new StoreIoException("a flush of " + dir + " failed earlier (" + failed.getMessage() + "), so " +
                "writes since the last durable point may not be on disk whatever a retry says: close the store and " +
                "open it again (recovery keeps what is on disk)", (IOException)failed.getCause());
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
        try
        {
            log.forceTail();
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
     * Takes a snapshot (see {@code MemoryStore.snapshot}).
     *
     * @return the manifest committed.
     * @throws StoreIoException if the flush or the commit fails; the previous snapshot stays intact.
     */
    public Manifest snapshot(final Map<String, String> labels)
    {
        return commit(labels, SnapshotWriter.NEVER_ABANDON, true);
    }

    /**
     * As {@link #snapshot}, but gives up before the flush of a segment or the commit of the manifest once
     * {@code abandon} says so (a flush or a commit under way is never cut short).
     *
     * @return the manifest committed, or null if abandoned: nothing was committed, the previous snapshot stays.
     */
    public Manifest snapshotUnless(final Map<String, String> labels, final BooleanSupplier abandon)
    {
        return commit(labels, abandon, true);
    }

    /**
     * Close only, once the store is closed to new calls and no write runs: as {@link #snapshotUnless}, without the
     * check that the store is open.
     */
    public Manifest snapshotAtClose(final Map<String, String> labels, final BooleanSupplier abandon)
    {
        return commit(labels, abandon, false);
    }

    private Manifest commit(final Map<String, String> labels, final BooleanSupplier abandon,
        final boolean requireOpen)
    {
        commitLock.lock();
        try
        {
            final long start = System.nanoTime();
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
                padIfWorthIt(IndexPageDescriptor.address(durable.tailSegment, durable.tailOffset));
                freeze = Freeze.take(log, counts.entries(), counts.states(), start);
            }
            finally
            {
                writeLock.unlock();
            }
            final long generation = nextGeneration++;
            // Retention deletes the oldest manifest once this one is committed: reuse its file for the commit when
            // at least two others stay meanwhile (a fallback needs one besides the newest).
            final long recycle = retained.size() >= options.retainedSnapshots() && retained.size() >= 3 ?
                retained.peekFirst() : -1;
            final Manifest manifest;
            try
            {
                manifest = snapshotWriter.write(freeze, checkpoint, durable, generation, labels, recycle, abandon);
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
            if (snapshotWriter.recycled())
            {
                retained.removeFirst();
            }
            applyRetention(generation);
            retainedCount = retained.size();
            listener.committed(manifest);
            return manifest;
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
        listener.failed(failure);
        return failure;
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
        try
        {
            if (failedFlush != null)
            {
                return null; // thrown to the calls after it already; the log must not be marked clean
            }
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

    /** Flushes (fdatasync) every segment holding records in [from, to). */
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
     * Commit lock held: applies retention from the generations kept in memory, so a snapshot never lists the
     * directory (whose size grows with the store), and syncs the directory after its deletes (without it a power
     * cut could bring a retired manifest back: harmless to the data, but retention would keep more than it says).
     */
    private void applyRetention(final long newest)
    {
        retained.addLast(newest);
        boolean deleted = false;
        try
        {
            while (retained.size() > options.retainedSnapshots())
            {
                final long oldest = retained.peekFirst();
                manifests.delete(oldest);
                retained.removeFirst();
                deleted = true;
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not delete manifest " + retained.peekFirst() + " in " + dir +
                "; will retry at the next snapshot", ex);
        }
        if (deleted)
        {
            try
            {
                manifests.syncDirectory();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not sync " + dir + " after retention deleted " +
                    "manifests; the next snapshot syncs it again", ex);
            }
        }
    }
}
