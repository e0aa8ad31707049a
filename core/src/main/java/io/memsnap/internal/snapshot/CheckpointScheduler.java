package io.memsnap.internal.snapshot;

import io.memsnap.IndexMemoryFullException;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.Threads;
import io.memsnap.internal.StoreCounts;
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
 * and frees the memory of the pages it wrote once no reader can still hold it.
 *
 * <p>Concurrency: thread safe; checkpoints are serialised by {@link #lock()}, which close also holds while it
 * unmaps.
 */
public final class CheckpointScheduler
{
    private static final System.Logger LOG = System.getLogger("io.memsnap");
    private static final long POLL_NANOS = 100_000_000L;
    private static final long RETRY_NANOS = 1_000_000_000L;
    private static final long FLUSH_WAIT_NANOS = 50_000L;
    /** How long a writer waiting for index memory sleeps between looks at readers still holding retired chunks. */
    private static final long ROOM_POLL_MILLIS = 1;

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
        final IndexCheckpointer checkpointer, final FlushProgress flushes, final IndexMemoryBudget budget)
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
    }

    /** @return the lock that serialises checkpoints; close holds it while it unmaps. */
    public ReentrantLock lock()
    {
        return checkpointLock;
    }

    /** Starts the background thread. Once. */
    public void start()
    {
        thread = new Thread(this::run, "memsnap-checkpoint " + dir.getFileName());
        thread.setDaemon(true);
        thread.start();
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
     * Checkpoints the index now (see {@code MemoryStore.checkpoint}).
     *
     * @throws StoreIoException if a write or a flush fails; the previous checkpoint stays the durable one.
     */
    public void checkpoint()
    {
        checkpointLock.lock();
        RuntimeException failure = null;
        try
        {
            beginAttempt();
            write();
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

    private void write()
    {
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
            checkpointer.write(pending, this::letRunningFlushGoFirst);
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
        // Once the write lock was taken and released, no change of the index that began before the chunks written
        // were swapped for mappings is in flight (see IndexFile#freeRetired); readers have grace periods of their own.
        writeLock.lock();
        writeLock.unlock();
        indexFile.freeRetired();
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
                if (!indexFile.hasRetired())
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
     * Asks the background thread for a checkpoint soon (compaction, so that the next snapshots name an index that no
     * longer points into the segments it emptied), without waiting for it.
     */
    public void requestCheckpoint()
    {
        request();
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
            if (!requested)
            {
                LockSupport.parkNanos(POLL_NANOS);
            }
            if (stopping)
            {
                return;
            }
            try
            {
                if (requested || due())
                {
                    checkpoint();
                }
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
