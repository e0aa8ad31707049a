package io.memsnap.internal.snapshot;

import io.memsnap.StoreIoException;
import org.agrona.concurrent.NanoClock;

/**
 * What a store knows of its snapshots besides their files: the last one committed and when (on the store's clock),
 * how the last attempt ended, and the counts and backoff of automatic snapshots; and the wake-up of the thread that
 * takes them (see {@link AutoSnapshotter}) when a writer's change or a commit may have made one due.
 *
 * <p>Concurrency: thread safe. {@link #changed(long)} is the writer's, under the write lock: one volatile read, a
 * comparison and, twice between snapshots, a {@link Wakeup#wake()}; no allocation, no lock. Commits report under the commit lock
 * ({@link SnapshotListener}); the rest is guarded by this object's monitor, which no writer takes, and read as one
 * consistent {@link View}.
 */
public final class SnapshotLedger implements SnapshotListener
{
    /** The outcome fields at one moment. Immutable. */
    public static final class View
    {
        /** The last snapshot committed, or the one the store opened at. */
        public final Manifest committed;
        /** When it was committed, or the store opened, on the store's clock. */
        public final long committedAtNanos;
        /** The message of the last failed snapshot if none succeeded since; null otherwise. */
        public final String lastError;
        public final long autoTaken;
        public final long autoFailed;
        public final int failuresInARow;
        /** When the automatic snapshot thread tries again, on the store's clock; meaningful while failuresInARow > 0. */
        public final long retryAtNanos;

        View(final Manifest committed, final long committedAtNanos, final String lastError, final long autoTaken,
            final long autoFailed, final int failuresInARow, final long retryAtNanos)
        {
            this.committed = committed;
            this.committedAtNanos = committedAtNanos;
            this.lastError = lastError;
            this.autoTaken = autoTaken;
            this.autoFailed = autoFailed;
            this.failuresInARow = failuresInARow;
            this.retryAtNanos = retryAtNanos;
        }
    }

    private final NanoClock clock;
    /** Changes since the last snapshot at which a writer wakes the thread, besides the first; 0 for none. */
    private final long wakeAtChanges;
    /** The last sequence number the last committed snapshot holds (the writer compares its own with it). */
    private volatile long committedSequence;
    /** The committed sequence the writer last woke the thread for the count after (writer only, under its lock). */
    private long countWokenSince = -1;
    /** The committed sequence the writer last woke the thread for a first change after (writer only, under its lock). */
    private long firstWokenSince = -1;
    /** Wakes the automatic snapshot thread, once it is bound to it. */
    private final Wakeup wakeup = new Wakeup();

    private Manifest committed;
    private long committedAtNanos;
    private String lastError;
    private long autoTaken;
    private long autoFailed;
    private int failuresInARow;
    private long retryAtNanos;

    /**
     * @param opened        the snapshot the store opened at.
     * @param wakeAtChanges the changes since the last snapshot that make an automatic one due, or 0 for none.
     */
    public SnapshotLedger(final NanoClock clock, final Manifest opened, final long wakeAtChanges)
    {
        this.clock = clock;
        this.wakeAtChanges = wakeAtChanges;
        this.committed = opened;
        this.committedAtNanos = clock.nanoTime();
        this.committedSequence = opened.lastSequence;
    }

    /** @return what writers and commits wake the automatic snapshot thread with. */
    Wakeup wakeup()
    {
        return wakeup;
    }

    /**
     * Writer, under the write lock, after a change got sequence number {@code sequence}: wakes the automatic
     * snapshot thread at the first change since the last snapshot (an interval may have passed already) and at the
     * change that makes one due by count. Between those it only compares.
     */
    public void changed(final long sequence)
    {
        final long since = committedSequence;
        // Each once a snapshot, at or past its mark rather than at it: compaction's copies take sequence numbers too,
        // so the first change this writer sees, or the count, may come without a change numbered exactly there.
        if (firstWokenSince != since)
        {
            firstWokenSince = since;
            wakeup.wake();
        }
        else if (wakeAtChanges > 0 && sequence - since >= wakeAtChanges && countWokenSince != since)
        {
            countWokenSince = since;
            wakeup.wake();
        }
    }

    /** @return the last sequence number the last committed snapshot holds. Any thread. */
    public long committedSequence()
    {
        return committedSequence;
    }

    @Override
    public void committed(final Manifest manifest)
    {
        synchronized (this)
        {
            committed = manifest;
            committedAtNanos = clock.nanoTime();
            committedSequence = manifest.lastSequence;
            lastError = null;
            failuresInARow = 0;
        }
        // The changes since the new snapshot may be due already (written while it flushed): the thread looks again.
        wakeup.wake();
    }

    @Override
    public synchronized void failed(final StoreIoException failure)
    {
        lastError = describe(failure);
    }

    /** @return the message of a failed snapshot (a {@link StoreIoException}'s holds its cause's and advice). */
    private static String describe(final Throwable failure)
    {
        return failure instanceof StoreIoException ? failure.getMessage() : failure.toString();
    }

    /** The automatic snapshot thread, after one of its snapshots committed. */
    synchronized void autoSucceeded()
    {
        autoTaken++;
    }

    /**
     * The automatic snapshot thread, after one of its snapshots failed at {@code nowNanos}.
     *
     * @return the failures in a row so far.
     */
    synchronized int autoFailed(final Throwable failure, final long nowNanos)
    {
        lastError = describe(failure);
        autoFailed++;
        failuresInARow++;
        retryAtNanos = nowNanos + RetryBackoff.delayNanos(failuresInARow);
        return failuresInARow;
    }

    /** @return the outcome fields at one moment. */
    public synchronized View view()
    {
        return new View(committed, committedAtNanos, lastError, autoTaken, autoFailed, failuresInARow, retryAtNanos);
    }
}
