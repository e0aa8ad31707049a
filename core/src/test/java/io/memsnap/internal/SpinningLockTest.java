package io.memsnap.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

class SpinningLockTest
{
    /** Mutual exclusion: two threads contending for the lock lose no increment of a plain field. */
    @Test
    void contendingThreadsExcludeEachOther() throws Exception
    {
        final SpinningLock lock = new SpinningLock(50_000L);
        final long[] counter = new long[1];
        final int perThread = 200_000;
        final Runnable work = () ->
        {
            for (int i = 0; i < perThread; i++)
            {
                lock.lock();
                try
                {
                    counter[0]++;
                }
                finally
                {
                    lock.unlock();
                }
            }
        };
        final Thread a = new Thread(work);
        final Thread b = new Thread(work);
        a.start();
        b.start();
        a.join();
        b.join();
        assertEquals(2L * perThread, counter[0]);
        assertFalse(lock.isLocked());
    }

    /** A holder that keeps the lock longer than the spin makes the waiter park (queue), not burn a core. */
    @Test
    void aWaiterParksOnceTheSpinIsOver() throws Exception
    {
        final SpinningLock lock = new SpinningLock(TimeUnit.MILLISECONDS.toNanos(1));
        lock.lock();
        final CountDownLatch acquired = new CountDownLatch(1);
        final AtomicBoolean sawLocked = new AtomicBoolean();
        final Thread waiter = new Thread(() ->
        {
            lock.lock();
            try
            {
                sawLocked.set(lock.isHeldByCurrentThread());
                acquired.countDown();
            }
            finally
            {
                lock.unlock();
            }
        });
        waiter.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!lock.hasQueuedThreads() && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertTrue(lock.hasQueuedThreads(), "the waiter must queue (park) after spinning 1 ms");
        assertEquals(1, acquired.getCount(), "nobody takes a held lock");
        lock.unlock();
        assertTrue(acquired.await(10, TimeUnit.SECONDS));
        assertTrue(sawLocked.get());
        waiter.join();
    }
}
