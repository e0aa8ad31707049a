package io.memsnap.internal.lifecycle;

import io.memsnap.CompactionResult;
import io.memsnap.StoreClosedException;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.Threads;
import io.memsnap.internal.snapshot.CheckpointScheduler;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Background compaction of a writable store, on a daemon thread of its own ({@code memsnap-compaction DIR}): when
 * the writer seals a segment and a pass is due, and every {@value #POLL_MILLIS} ms, it asks the {@link Compactor} whether a pass is
 * due (O(segments) under the write lock), runs it, and, if it emptied segments, asks the checkpoint thread for a
 * checkpoint of the index and waits until one begun after its last copy has ended: the pass ends only then. The
 * next snapshots name an index that no longer points into the emptied segments, and {@link SegmentReclaimer}
 * deletes them at the first commit after which no retained snapshot needs them. While the space bound of
 * {@link CompactionPolicy#pressure} does not hold, and a pass can help (it has a segment to copy, or it is running and
 * has emptied some), writers wait for the pass to end ({@link #awaitCaughtUp}), that checkpoint included: the
 * segments it emptied count against the bound until they are deleted.
 *
 * <p>Concurrency: {@link #start} and {@link #stop} from the store's opening and closing thread.
 */
public final class CompactionScheduler
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    static final long POLL_MILLIS = 200;
    private static final long RETRY_NANOS = 5_000_000_000L;

    private final Path dir;
    private final Compactor compactor;
    private final CheckpointScheduler checkpoints;
    private volatile boolean stopping;
    /** Whether writers wait for compaction; written by the thread, waited on under this object's monitor. */
    private volatile boolean behind;
    private Thread thread;

    public CompactionScheduler(final Path dir, final Compactor compactor, final CheckpointScheduler checkpoints)
    {
        this.dir = dir;
        this.compactor = compactor;
        this.checkpoints = checkpoints;
    }

    public void start()
    {
        thread = Threads.start("memsnap-compaction " + dir.getFileName(), this::run);
    }

    /** Wakes the thread to look at once (the writer sealed a segment). Any thread; allocates nothing. */
    public void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /**
     * The writer, under the write lock, after it sealed a segment: decides at once whether writers must wait for
     * compaction (O(segments)), so that the bound holds however little CPU time the compaction thread gets, and
     * wakes the thread when a pass is due. Otherwise the roll wakes nothing (the thread looks again within
     * {@value #POLL_MILLIS} ms): a thread woken on a busy machine would take the writer's processor.
     */
    public void sealed()
    {
        if (stopping || compactor.compactingHere())
        {
            return;
        }
        final int pressure = compactor.pressure(false);
        if (pressure == CompactionPolicy.BEHIND)
        {
            setBehind(true);
        }
        if (pressure != CompactionPolicy.NONE)
        {
            wake();
        }
    }

    /** Stops the thread and waits for it: a batch it copies ends first, the rest of its pass is left. Idempotent. */
    public void stop()
    {
        stopping = true;
        synchronized (this)
        {
            notifyAll(); // writers waiting for compaction
        }
        final Thread t = thread;
        if (t == null || t == Thread.currentThread())
        {
            return;
        }
        LockSupport.unpark(t);
        Threads.joinUninterruptibly(t);
    }

    /** @return whether {@link #stop} was called: a pass in progress ends after its current batch. */
    boolean stopping()
    {
        return stopping;
    }

    /**
     * A writer, before it takes the write lock: while the space bound does not hold and a pass can help
     * ({@link CompactionPolicy#behind}), waits for the pass to end, so that the segment files stay within their bound
     * however fast the writes come. Returns at once when it is not behind (one volatile read), from the compacting
     * thread, and once the store stops.
     */
    public void awaitCaughtUp()
    {
        if (!behind || compactor.compactingHere())
        {
            return;
        }
        boolean interrupted = false;
        synchronized (this)
        {
            while (behind && !stopping)
            {
                try
                {
                    wait(POLL_MILLIS);
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

    private void setBehind(final boolean value)
    {
        if (behind != value)
        {
            synchronized (this)
            {
                behind = value;
                notifyAll();
            }
        }
    }

    private void run()
    {
        try
        {
            while (!stopping)
            {
                LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
                pass();
            }
        }
        finally
        {
            setBehind(false);
        }
    }

    private void pass()
    {
        try
        {
            if (stopping)
            {
                return;
            }
            setBehind(compactor.behind(false));
            final CompactionResult result = compactor.compact(false,
                progress -> setBehind(compactor.behind(progress.segmentsCompacted() > 0)), this::stopping);
            if (result.segmentsCompacted() > 0 && !stopping)
            {
                checkpoints.awaitCheckpoint(this::stopping); // writers waiting for the pass wait for this too
            }
            setBehind(false);
        }
        catch (final StoreClosedException ex)
        {
            stopping = true;
        }
        catch (final RuntimeException ex)
        {
            setBehind(false);
            LOG.log(System.Logger.Level.WARNING, "background compaction of " + dir + " failed; will retry", ex);
            LockSupport.parkNanos(RETRY_NANOS);
        }
    }
}
