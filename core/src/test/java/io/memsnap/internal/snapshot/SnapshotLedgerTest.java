package io.memsnap.internal.snapshot;

import io.memsnap.StoreIoException;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The writer's side of automatic snapshots allocates nothing (it runs on every put and delete), the retry wait
 * doubles from 1 s to at most 5 minutes, and the ledger's outcome fields follow commits and failures.
 */
class SnapshotLedgerTest
{
    private static Manifest manifest(final long generation, final long lastSequence)
    {
        final Checkpoint checkpoint = new Checkpoint(1, 1, 1, 0, 1, 64, 0, 0, 0);
        return new Manifest(0, generation, lastSequence, 0, 0, 0, 0, 8, 0, checkpoint, 1, 64, 0, 0,
            new Manifest.FileEntry[0], Collections.emptyMap());
    }

    @Test
    void theWritersSignalAllocatesNothingEvenWhenItWakesTheThread() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final SnapshotLedger ledger = new SnapshotLedger(new CachedNanoClock(), manifest(0, 0), 100);
        final Thread parked = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                LockSupport.park();
            }
        });
        parked.setDaemon(true);
        parked.start();
        ledger.wakeup().bind(parked);
        try
        {
            for (int round = 0; round < 20; round++) // warm up: JIT
            {
                signal(ledger);
            }
            final long tid = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(tid);
            signal(ledger);
            signal(ledger);
            final long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < 512, "200,000 signals (4,000 of them wake-ups) allocated " + allocated + " bytes");
        }
        finally
        {
            parked.interrupt();
        }
    }

    /** 100,000 changes after the last snapshot's sequence: wakes at the 1st and the 100th of every 1,000. */
    private static void signal(final SnapshotLedger ledger)
    {
        for (long sequence = 1; sequence <= 100_000; sequence++)
        {
            ledger.changed(sequence % 1000);
        }
    }

    @Test
    void theRetryWaitDoublesFromOneSecondToAtMostFiveMinutes()
    {
        final long[] seconds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
        for (int failures = 1; failures <= seconds.length; failures++)
        {
            assertEquals(TimeUnit.SECONDS.toNanos(seconds[failures - 1]), RetryBackoff.delayNanos(failures),
                failures + " failures");
        }
        assertEquals(RetryBackoff.MAX_NANOS, RetryBackoff.delayNanos(Integer.MAX_VALUE));
    }

    @Test
    void aCommitClearsTheErrorAndTheFailuresInARowButNotTheCounts()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final SnapshotLedger ledger = new SnapshotLedger(clock, manifest(3, 40), 0);
        clock.advance(5);
        ledger.autoFailed(new StoreIoException("snapshot 4 failed", new IOException("No space left on device")), 5);
        ledger.autoFailed(new StoreIoException("snapshot 5 failed", new IOException("Input/output error")), 7);
        SnapshotLedger.View view = ledger.view();
        assertTrue(view.lastError.startsWith("snapshot 5 failed") && view.lastError.contains("Input/output error"),
            view.lastError);
        assertEquals(2, view.failuresInARow);
        assertEquals(7 + TimeUnit.SECONDS.toNanos(2), view.retryAtNanos);
        assertEquals(40, ledger.committedSequence());

        clock.advance(10);
        ledger.committed(manifest(6, 55));
        ledger.autoSucceeded();
        view = ledger.view();
        assertNull(view.lastError);
        assertEquals(0, view.failuresInARow);
        assertEquals(2, view.autoFailed);
        assertEquals(1, view.autoTaken);
        assertEquals(6, view.committed.generation);
        assertEquals(15, view.committedAtNanos);
        assertEquals(55, ledger.committedSequence());
    }
}
