package io.memsnap.internal.snapshot;

import io.memsnap.IndexMemoryFullException;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.Threads;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.SegmentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.memsnap.internal.format.IndexPageDescriptor.PAGE_SIZE;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checkpoints a writable store's index: on demand ({@link #checkpoint()}) and from a background thread of its own
 * once {@link StoreOptions#checkpointRecords} records were written since the durable checkpoint, the index pages
 * waiting in memory reach {@link IndexMemoryBudget#checkpointAtBytes()}, or a writer found them at their limit
 * ({@link #reserveIndexChange}). A checkpoint freezes the index in O(1) under the write lock, then writes and flushes
 * its pages without it, letting a running snapshot or sync go first between steps (see {@link IndexCheckpointer}),
 * and frees the memory of the pages it wrote once no reader can still hold it. After a checkpoint it also keeps the
 * index file proportional to the live index ({@link IndexCompaction}): in steps between background checkpoints, or
 * at once after an explicit one.
 *
 * <p>Concurrency: thread safe; checkpoints and the steps of a new index file are serialised by {@link #lock()}, which
 * close also holds while it unmaps.
 */
public final class CheckpointScheduler
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    private static final long POLL_NANOS = 100_000_000L;
    private static final long REMAP_POLL_NANOS = 10_000_000L;
    private static final long RETRY_NANOS = 1_000_000_000L;
    private static final long FLUSH_WAIT_NANOS = 50_000L;
    /** How long a writer waiting for index memory sleeps between looks at readers still holding retired chunks. */
    private static final long ROOM_POLL_MILLIS = 1;
    /** How often {@link #awaitCheckpoint} looks whether its caller gave up, or its request was withdrawn. */
    private static final long AWAIT_POLL_MILLIS = 10;

    private final Path dir;
    private final StoreOptions options;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final StoreCounts counts;
    private final SegmentLog log;
    private final IndexFile indexFile;
    private final IndexCheckpointer checkpointer;
    private final FlushProgress flushes;
    private final IndexMemoryBudget budget;
    private final IndexCompaction compaction;
    /**
     * Deletes the index files no snapshot needs (when no snapshot is being committed), and frees the disk space of
     * those deleted, here or by a snapshot; run after every pass of the background thread.
     */
    private final Runnable deleteIndexFiles;
    private final ReentrantLock checkpointLock = new ReentrantLock();
    /** Monitor of the attempt counts, which writers waiting for index memory wait on. */
    private final Object attempts = new Object();
    /** Checkpoints begun and ended, and how the last one ended (null: it succeeded); guarded by attempts. */
    private long attemptsBegun;
    private long attemptsEnded;
    private RuntimeException lastFailure;
    /** Set by a writer at the limit of index memory: the background thread checkpoints without waiting. */
    private volatile boolean requested;
    private volatile boolean stopping;
    private Thread thread;
    /** When the background thread last warned of a failed checkpoint; its own. */
    private long lastWarningNanos;

    public CheckpointScheduler(final Path dir, final StoreOptions options, final ReentrantLock writeLock,
        final ReaderGuard guard, final StoreCounts counts, final SegmentLog log, final IndexFile indexFile,
        final IndexCheckpointer checkpointer, final FlushProgress flushes, final IndexMemoryBudget budget,
        final IndexCompaction compaction, final Runnable deleteIndexFiles)
    {
        this.dir = dir;
        this.options = options;
        this.writeLock = writeLock;
        this.guard = guard;
        this.counts = counts;
        this.log = log;
        this.indexFile = indexFile;
        this.checkpointer = checkpointer;
        this.flushes = flushes;
        this.budget = budget;
        this.compaction = compaction;
        this.deleteIndexFiles = deleteIndexFiles;
    }

    /** @return the lock that serialises checkpoints; close holds it while it unmaps. */
    public ReentrantLock lock()
    {
        return checkpointLock;
    }

    /** Starts the background thread. Once. */
    public void start()
    {
        thread = Threads.start("memsnap-checkpoint " + dir.getFileName(), this::run);
    }

    /** Stops the background thread and waits for it (a checkpoint it runs ends first). Idempotent. */
    public void stop()
    {
        stopping = true;
        final Thread t = thread;
        if (t == null || t == Thread.currentThread())
        {
            return;
        }
        LockSupport.unpark(t);
        synchronized (attempts)
        {
            attempts.notifyAll(); // writers waiting for index memory look at the closed flag
        }
        Threads.joinUninterruptibly(t);
    }

    /**
     * Checkpoints the index now (see {@code MemoryStore.checkpoint}), then, if the index file is due for a new
     * generation (or one is being written), writes it to the end.
     *
     * @throws StoreIoException if a write or a flush fails; the previous checkpoint stays the durable one.
     */
    public void checkpoint()
    {
        checkpoint(true);
    }

    /**
     * Close, holding {@link #lock()}: gives up a new index file being written (the next open would delete it).
     */
    public void abandonCompaction()
    {
        compaction.abandon();
    }

    private void checkpoint(final boolean finishCompaction)
    {
        final Checkpoint written = attempt();
        // A copy keeps ahead of the checkpoints it catches up with: twice the pages this one wrote, and a step.
        compact(finishCompaction, 2 * (written.indexPages - written.sealedFromPage) + IndexCompaction.STEP_PAGES);
    }

    /** @return the checkpoint written. */
    private Checkpoint attempt()
    {
        checkpointLock.lock();
        RuntimeException failure = null;
        try
        {
            beginAttempt();
            return write();
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            endAttempt(failure);
            checkpointLock.unlock();
        }
    }

    private Checkpoint write()
    {
        final Checkpoint written;
        try
        {
            final IndexCheckpointer.Pending pending;
            writeLock.lock();
            try
            {
                if (guard.isClosed())
                {
                    throw new StoreClosedException();
                }
                pending = checkpointer.freeze(log, counts.entries(), counts.states());
            }
            finally
            {
                writeLock.unlock();
            }
            written = checkpointer.write(pending, this::letRunningFlushGoFirst);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("index checkpoint of " + dir + " failed; the previous one is intact", ex);
        }
        catch (final UncheckedIOException ex)
        {
            throw new StoreIoException("index checkpoint of " + dir + " failed; the previous one is intact",
                ex.getCause());
        }
        releaseRetired();
        return written;
    }

    /**
     * Remaps the chunks of an old index file if no reader can still need them, then frees (and unmaps) what no reader
     * can still hold.
     */
    private void releaseRetired()
    {
        try
        {
            indexFile.remapIfDue();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not map the new index file of " + dir + "; the old one " +
                "stays mapped until the next try", ex);
        }
        // Once the write lock was taken and released, no change of the index that began before the chunks written
        // were swapped for mappings is in flight (see IndexFile#freeRetired); readers have grace periods of their own.
        writeLock.lock();
        writeLock.unlock();
        indexFile.freeRetired();
    }

    /**
     * After a checkpoint, or between background checkpoints: starts a new index file if the current one is due for it,
     * and copies steps of it, {@code pages} pages or so (or, with {@code finish}, all that is left); once it switched,
     * releases the old file.
     */
    private void compact(final boolean finish, final int pages)
    {
        checkpointLock.lock();
        try
        {
            if (guard.isClosed() || !compaction.startIfDue())
            {
                return;
            }
            final boolean done = finish ? compaction.finish(this::letRunningFlushGoFirst) :
                compaction.steps(pages, this::letRunningFlushGoFirst);
            if (done)
            {
                releaseRetired();
                deleteIndexFiles.run();
            }
        }
        finally
        {
            checkpointLock.unlock();
        }
    }

    private void beginAttempt()
    {
        synchronized (attempts)
        {
            attemptsBegun++;
            requested = false;
        }
    }

    private void endAttempt(final RuntimeException failure)
    {
        synchronized (attempts)
        {
            attemptsEnded++;
            lastFailure = failure;
            attempts.notifyAll();
        }
    }

    /**
     * Writer, holding the write lock, before a put or a remove changes anything: makes room for the index pages the
     * change may create. When the pages waiting for a checkpoint are at {@link IndexMemoryBudget#limitBytes()}, it
     * asks for a checkpoint that begins after this call and waits for it, without the write lock (the checkpoint
     * needs it to freeze), then for the readers still holding the chunks it retired. Returns, or throws, holding the
     * write lock; throws before anything was changed.
     *
     * @param insideVisit whether the calling thread is inside a visitor of the store: its own read would keep the
     *                    retired chunks from being freed, so it does not wait for that.
     * @throws IndexMemoryFullException if the checkpoint asked for failed, or succeeded but cannot free the memory
     *                                  while the calling thread is inside a visitor.
     * @throws StoreClosedException     if the store closed meanwhile.
     */
    public void reserveIndexChange(final HashIndex index, final BooleanSupplier insideVisit)
    {
        if (index.tryReserveChange())
        {
            // Pages since the last freeze (not since the durable checkpoint, which a running one is about to move):
            // once they are due, the checkpoint need not wait for the next poll.
            final long sinceFreeze = (long)(indexFile.nextPage() - index.frozenWatermark()) * PAGE_SIZE;
            if (!requested && sinceFreeze >= budget.checkpointAtBytes())
            {
                request();
            }
            return;
        }
        boolean interrupted = false;
        final boolean paused = log.pauseBatch(); // writers that take the lock meanwhile find the log as they expect
        try
        {
            long wanted = request();
            long seen = attemptsEnded();
            while (true)
            {
                writeLock.unlock();
                try
                {
                    seen = awaitAttemptEnd(seen);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // kept for the caller; waiting on with it set would spin
                }
                finally
                {
                    writeLock.lock();
                }
                if (guard.isClosed())
                {
                    throw new StoreClosedException();
                }
                if (index.tryReserveChange())
                {
                    withdraw(wanted); // an earlier checkpoint made room: a needless one would only freeze the index
                    return;
                }
                if (seen < wanted)
                {
                    continue;
                }
                final RuntimeException failure = lastFailure();
                if (failure != null)
                {
                    final Throwable why = failure.getCause() != null ? failure.getCause() : failure;
                    throw new IndexMemoryFullException(full() + "the checkpoint that would write them failed (" +
                        why + "). Nothing was written. Free disk space (the background thread retries the " +
                        "checkpoint) and retry the write, or raise StoreOptions.maxResidentIndexBytes and " +
                        "-XX:MaxDirectMemorySize", failure);
                }
                if (!indexFile.hasRetired() && !indexFile.remapPending())
                {
                    wanted = request(); // the pages past the checkpoint's freeze fill the memory: write those too
                }
                else if (insideVisit.getAsBoolean())
                {
                    throw new IndexMemoryFullException(full() + "a checkpoint wrote them, but their memory cannot " +
                        "be freed while this thread is inside a visitor of the store (its read may still hold it). " +
                        "Nothing was written. Write after the visit returns, or raise " +
                        "StoreOptions.maxResidentIndexBytes", null);
                }
            }
        }
        finally
        {
            if (paused)
            {
                log.resumeBatch();
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String full()
    {
        return "index pages of " + dir + " waiting for a checkpoint hold " + indexFile.directBytes() + " bytes of " +
            "direct memory, the limit (StoreOptions.maxResidentIndexBytes: " + budget.limitBytes() + "), and ";
    }

    /**
     * Asks the background thread for a checkpoint and waits until one that began after this call has ended, durable
     * or failed (compaction, so that the segments it emptied are no longer needed by the durable checkpoint before
     * the writers waiting for it go on). Returns early once the store stops or {@code cancelled} says so. Holds no
     * lock while it waits.
     */
    public void awaitCheckpoint(final BooleanSupplier cancelled)
    {
        final long wanted = request();
        boolean interrupted = false;
        synchronized (attempts)
        {
            while (attemptsEnded < wanted && !stopping && !cancelled.getAsBoolean())
            {
                if (attemptsBegun < wanted && !requested)
                {
                    request(); // a writer that found room withdrew the request this call shares
                }
                try
                {
                    attempts.wait(AWAIT_POLL_MILLIS);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the number of the checkpoint asked for: the next one to begin. */
    private long request()
    {
        final long wanted;
        synchronized (attempts)
        {
            wanted = attemptsBegun + 1;
            requested = true;
        }
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
        return wanted;
    }

    /** Withdraws the request for checkpoint number {@code wanted} if it has not begun. */
    private void withdraw(final long wanted)
    {
        synchronized (attempts)
        {
            if (attemptsBegun < wanted)
            {
                requested = false;
            }
        }
    }

    /**
     * Waits until more than {@code seen} checkpoints have ended (the last may have made room),
     * {@value #ROOM_POLL_MILLIS} ms pass (readers may have left the retired chunks) or the store stops.
     *
     * @return the number of checkpoints ended.
     */
    private long awaitAttemptEnd(final long seen) throws InterruptedException
    {
        synchronized (attempts)
        {
            if (attemptsEnded == seen)
            {
                attempts.wait(ROOM_POLL_MILLIS);
            }
            return attemptsEnded;
        }
    }

    private long attemptsEnded()
    {
        synchronized (attempts)
        {
            return attemptsEnded;
        }
    }

    private RuntimeException lastFailure()
    {
        synchronized (attempts)
        {
            return lastFailure;
        }
    }

    /**
     * Between the steps of a checkpoint's flush: waits until the snapshot or sync running now (if any) has ended, so
     * that its flush never queues behind more than one step of the checkpoint's. A snapshot that starts later does
     * not hold the checkpoint back again until its next step: back-to-back snapshots cannot starve it.
     */
    private void letRunningFlushGoFirst()
    {
        final long ended = flushes.flushesEnded();
        while (flushes.flushRunning() && flushes.flushesEnded() == ended && !stopping)
        {
            LockSupport.parkNanos(FLUSH_WAIT_NANOS);
        }
    }

    private void run()
    {
        lastWarningNanos = System.nanoTime() - RETRY_NANOS;
        while (!stopping)
        {
            if (!requested && !compaction.inProgress())
            {
                // Readers that hold an old index file's mapping back leave at any time: look again sooner.
                LockSupport.parkNanos(indexFile.remapPending() ? REMAP_POLL_NANOS : POLL_NANOS);
            }
            if (stopping)
            {
                return;
            }
            try
            {
                if (requested || due())
                {
                    checkpoint(false);
                }
                else if (compaction.inProgress())
                {
                    compact(false, IndexCompaction.STEP_PAGES);
                }
                if ((indexFile.remapPending() || indexFile.hasRetiredMappings()) && checkpointLock.tryLock())
                {
                    try
                    {
                        releaseRetired(); // readers that held the old index file back may have left
                    }
                    finally
                    {
                        checkpointLock.unlock();
                    }
                }
                deleteIndexFiles.run(); // and the disk space of files a snapshot deleted
            }
            catch (final StoreClosedException ex)
            {
                return;
            }
            catch (final RuntimeException ex)
            {
                // Writers at the memory limit ask again at once after each failure: one warning a retry period.
                final long now = System.nanoTime();
                if (now - lastWarningNanos >= RETRY_NANOS)
                {
                    lastWarningNanos = now;
                    LOG.log(System.Logger.Level.WARNING, "background index checkpoint of " + dir + " failed; " +
                        "will retry (opens replay more records meanwhile)", ex);
                }
                LockSupport.parkNanos(RETRY_NANOS); // a writer's request unparks it at once
            }
        }
    }

    /**
     * Whether {@link StoreOptions#checkpointRecords} records were written since the durable checkpoint, or the index
     * pages created since then (held in memory until a checkpoint writes them) reached
     * {@link IndexMemoryBudget#checkpointAtBytes()}.
     */
    private boolean due()
    {
        // Blocking (a spin of a few microseconds at most): a tryLock could fail every time beside busy writers, and
        // the memory budget would then never be checked.
        writeLock.lock();
        try
        {
            final long records = checkpointer.recordsSince(log.nextSequence());
            final long indexBytes = checkpointer.pagesSince(indexFile.nextPage()) * IndexPageDescriptor.PAGE_SIZE;
            return records >= options.checkpointRecords() ||
                records > 0 && indexBytes >= budget.checkpointAtBytes();
        }
        finally
        {
            writeLock.unlock();
        }
    }
}
