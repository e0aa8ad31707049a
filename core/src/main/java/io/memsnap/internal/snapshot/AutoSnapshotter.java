package io.memsnap.internal.snapshot;

import io.memsnap.SnapshotTrigger;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.Threads;
import io.memsnap.internal.segment.SegmentLog;
import org.agrona.concurrent.NanoClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The snapshots a writable store takes on its own: from a background thread of its own once
 * {@link StoreOptions#autoSnapshotEveryChanges()} changes were made since the last snapshot, or
 * {@link StoreOptions#autoSnapshotInterval()} passed since it and something changed; and at close
 * ({@link #snapshotAtClose}).
 *
 * <p>The thread runs passes: each looks at the changes and the clock under the commit lock (so no snapshot runs
 * meanwhile and none can commit between the look and its own snapshot), takes the snapshot that is due, and tells
 * how long to wait before the next look. It then parks for that long, measured on the store's clock, or until a
 * writer, a commit or {@link #awaitPass} wakes it (see {@link SnapshotLedger#changed} and {@link Wakeup}). A failed snapshot is
 * logged, counted, and retried after {@link RetryBackoff}'s wait; nothing it throws ends the thread. A snapshot of
 * the thread still running when the store closes is abandoned at its next step.
 *
 * <p>Concurrency: thread safe. {@link #start} and {@link #stop} are the store's, once each;
 * {@link #snapshotAtClose} is close's, with the store closed to new calls and the commit lock held.
 */
public final class AutoSnapshotter
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    /** A wait without end: until a writer's change or a commit wakes the thread. */
    private static final long UNTIL_WOKEN = Wakeup.NO_LIMIT;
    private static final Map<String, String> CHANGES_LABELS =
        Map.of(SnapshotTrigger.LABEL, SnapshotTrigger.CHANGES.label());
    private static final Map<String, String> INTERVAL_LABELS =
        Map.of(SnapshotTrigger.LABEL, SnapshotTrigger.INTERVAL.label());

    private final Path dir;
    private final long everyChanges;
    private final long intervalNanos;
    private final NanoClock clock;
    private final ReentrantLock writeLock;
    private final SegmentLog log;
    private final CommitCoordinator commits;
    private final SnapshotLedger ledger;
    private final Wakeup wakeup;
    /** Monitor of the pass counts, which {@link #awaitPass} waits on. */
    private final Object passes = new Object();
    /** Passes begun and ended; guarded by passes. */
    private long passesBegun;
    private long passesEnded;
    private volatile boolean stopping;
    private Thread thread;

    public AutoSnapshotter(final Path dir, final StoreOptions options, final NanoClock clock,
        final ReentrantLock writeLock, final SegmentLog log, final CommitCoordinator commits,
        final SnapshotLedger ledger)
    {
        this.dir = dir;
        this.everyChanges = options.autoSnapshotEveryChanges();
        this.intervalNanos = saturatedNanos(options.autoSnapshotInterval());
        this.clock = clock;
        this.writeLock = writeLock;
        this.log = log;
        this.commits = commits;
        this.ledger = ledger;
        this.wakeup = ledger.wakeup();
    }

    /** Starts the background thread, named {@code memsnap-snapshot <directory name>}, if either option is set. */
    public void start()
    {
        if (everyChanges == StoreOptions.NO_AUTO_SNAPSHOT_CHANGES && intervalNanos == 0)
        {
            return;
        }
        synchronized (passes)
        {
            thread = new Thread(this::run, "memsnap-snapshot " + dir.getFileName());
            wakeup.bind(thread);
            Threads.start(thread);
        }
    }

    /**
     * Stops the background thread and waits for it; a snapshot it is taking is abandoned at its next step (the flush
     * or commit under way ends first). Idempotent.
     */
    public void stop()
    {
        stopping = true;
        final Thread t = thread();
        if (t == null || t == Thread.currentThread())
        {
            return;
        }
        wakeup.wake();
        Threads.joinUninterruptibly(t);
    }

    private Thread thread()
    {
        synchronized (passes)
        {
            return thread;
        }
    }

    /**
     * Wakes the background thread and waits until it has ended a pass that began after this call: one that read
     * the clock and the changes as they are now and took the snapshot then due. For tests that move a manual clock
     * (the thread's own waits are measured on it, so they would not end otherwise).
     *
     * @return false if there is no thread, or the pass did not end within {@code timeoutMillis} of real time.
     */
    public boolean awaitPass(final long timeoutMillis) throws InterruptedException
    {
        final Thread t = thread();
        if (t == null)
        {
            return false;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (passes)
        {
            final long wanted = passesBegun + 1;
            wakeup.wake();
            while (passesEnded < wanted)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !t.isAlive())
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(passes, left);
            }
            return true;
        }
    }

    private void run()
    {
        while (!stopping)
        {
            Thread.interrupted(); // nobody should interrupt it; if someone did, parking would spin
            wakeup.clear(); // before the look: a wake from now on makes the park below return
            beginPass();
            final long waitNanos;
            try
            {
                waitNanos = pass();
            }
            finally
            {
                endPass();
            }
            if (stopping)
            {
                return;
            }
            wakeup.park(waitNanos);
        }
    }

    private void beginPass()
    {
        synchronized (passes)
        {
            passesBegun++;
        }
    }

    private void endPass()
    {
        synchronized (passes)
        {
            passesEnded++;
            passes.notifyAll();
        }
    }

    /**
     * One look at the changes and the clock, and the snapshot that is due.
     *
     * @return how long to wait before the next look, on the store's clock: 0 for at once, {@link #UNTIL_WOKEN}.
     */
    private long pass()
    {
        final ReentrantLock commitLock = commits.lock();
        commitLock.lock(); // waits for a snapshot running now, after which the changes are fewer
        try
        {
            if (stopping)
            {
                return UNTIL_WOKEN;
            }
            final long changes = changesSinceSnapshot();
            if (changes <= 0)
            {
                return UNTIL_WOKEN; // the next change wakes the thread
            }
            final SnapshotLedger.View view = ledger.view();
            final long now = clock.nanoTime();
            if (view.failuresInARow > 0 && now - view.retryAtNanos < 0)
            {
                return view.retryAtNanos - now;
            }
            final long since = now - view.committedAtNanos;
            final SnapshotTrigger trigger = due(changes, since);
            if (trigger == null)
            {
                return intervalNanos == 0 ? UNTIL_WOKEN : intervalNanos - since;
            }
            take(trigger, now);
            return 0; // changes made while it ran may be due already, or a failure's wait begins
        }
        finally
        {
            commitLock.unlock();
        }
    }

    /** @return the trigger of the snapshot due after {@code changes} changes in {@code sinceNanos}, or null. */
    private SnapshotTrigger due(final long changes, final long sinceNanos)
    {
        if (everyChanges != StoreOptions.NO_AUTO_SNAPSHOT_CHANGES && changes >= everyChanges)
        {
            return SnapshotTrigger.CHANGES;
        }
        if (intervalNanos != 0 && sinceNanos >= intervalNanos)
        {
            return SnapshotTrigger.INTERVAL;
        }
        return null;
    }

    private void take(final SnapshotTrigger trigger, final long now)
    {
        final int failuresBefore = ledger.view().failuresInARow;
        try
        {
            final Manifest manifest = commits.snapshotUnless(
                trigger == SnapshotTrigger.CHANGES ? CHANGES_LABELS : INTERVAL_LABELS, () -> stopping);
            if (manifest == null)
            {
                return; // abandoned: the store is closing
            }
            ledger.autoSucceeded();
            if (failuresBefore > 0)
            {
                LOG.log(System.Logger.Level.INFO, "automatic snapshot " + manifest.generation + " of " + dir +
                    " committed after " + failuresBefore + " failed attempts");
            }
        }
        catch (final StoreClosedException ex)
        {
            stopping = true; // closed without stop(): nothing more to do
        }
        catch (final VirtualMachineError ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            final int failures = ledger.autoFailed(ex, now);
            LOG.log(System.Logger.Level.WARNING, "automatic snapshot of " + dir + " failed (" + failures +
                " in a row); the previous snapshot is intact, writes go on; retrying in " +
                TimeUnit.NANOSECONDS.toSeconds(RetryBackoff.delayNanos(failures)) + " s", ex);
        }
    }

    /**
     * Close, with the store closed to new calls, no write running and the commit lock held: takes a snapshot
     * labelled with {@code trigger} if anything changed since the last one, abandoned at its next step once
     * {@code deadline} has passed on the store's clock. Logs, and does not throw, if it is abandoned or fails.
     *
     * @param deadline how long the snapshot may take; {@link Duration#ZERO} for none.
     */
    public void snapshotAtClose(final SnapshotTrigger trigger, final Duration deadline)
    {
        if (deadline.isZero() || changesSinceSnapshot() <= 0)
        {
            return;
        }
        final long start = clock.nanoTime();
        final long limit = saturatedNanos(deadline);
        try
        {
            final Manifest manifest = commits.snapshotAtClose(Map.of(SnapshotTrigger.LABEL, trigger.label()),
                () -> clock.nanoTime() - start >= limit);
            if (manifest == null)
            {
                LOG.log(System.Logger.Level.WARNING, "the snapshot at " + trigger.label() + " of " + dir +
                    " did not complete within " + deadline + " and was abandoned; snapshot " +
                    ledger.view().committed.generation + " stays the newest, and close still makes every write " +
                    "durable (the next open replays those after it)");
            }
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "the snapshot at " + trigger.label() + " of " + dir + " failed; " +
                "snapshot " + ledger.view().committed.generation + " stays the newest", ex);
        }
    }

    /** @return the changes (records written) since the last snapshot committed. */
    private long changesSinceSnapshot()
    {
        final long last;
        writeLock.lock();
        try
        {
            last = log.nextSequence() - 1;
        }
        finally
        {
            writeLock.unlock();
        }
        return last - ledger.committedSequence();
    }

    private static long saturatedNanos(final Duration duration)
    {
        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE;
        }
    }
}
