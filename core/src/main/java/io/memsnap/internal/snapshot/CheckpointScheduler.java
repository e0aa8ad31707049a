package io.memsnap.internal.snapshot;

import io.memsnap.StoreClosedException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.SegmentLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Checkpoints a writable store's index: on demand ({@link #checkpoint()}) and from a background thread of its own
 * once {@link StoreOptions#checkpointRecords} records were written since the durable checkpoint or the index pages
 * waiting in memory reach {@link StoreOptions#checkpointIndexBytes}. A checkpoint freezes the index in O(1) under the
 * write lock, then writes and flushes its pages without it, letting a running snapshot or sync go first between
 * steps (see {@link IndexCheckpointer}).
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

    private final Path dir;
    private final StoreOptions options;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final StoreCounts counts;
    private final SegmentLog log;
    private final IndexFile indexFile;
    private final IndexCheckpointer checkpointer;
    private final FlushProgress flushes;
    private final ReentrantLock checkpointLock = new ReentrantLock();
    private volatile boolean stopping;
    private Thread thread;

    public CheckpointScheduler(final Path dir, final StoreOptions options, final ReentrantLock writeLock,
        final ReaderGuard guard, final StoreCounts counts, final SegmentLog log, final IndexFile indexFile,
        final IndexCheckpointer checkpointer, final FlushProgress flushes)
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
        boolean interrupted = false;
        while (t.isAlive())
        {
            try
            {
                t.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Checkpoints the index now (see {@code MemoryStore.checkpoint}).
     *
     * @throws StoreIoException if a write or a flush fails; the previous checkpoint stays the durable one.
     */
    public void checkpoint()
    {
        checkpointLock.lock();
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
        finally
        {
            checkpointLock.unlock();
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
        while (!stopping)
        {
            LockSupport.parkNanos(POLL_NANOS);
            if (stopping)
            {
                return;
            }
            try
            {
                if (due())
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
                LOG.log(System.Logger.Level.WARNING, "background index checkpoint of " + dir + " failed; " +
                    "will retry (opens replay more records meanwhile)", ex);
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
    }

    /**
     * Whether {@link StoreOptions#checkpointRecords} records were written since the durable checkpoint, or the index
     * pages created since then (held in memory until a checkpoint writes them) reached
     * {@link StoreOptions#checkpointIndexBytes}.
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
                records > 0 && indexBytes >= options.checkpointIndexBytes();
        }
        finally
        {
            writeLock.unlock();
        }
    }
}
