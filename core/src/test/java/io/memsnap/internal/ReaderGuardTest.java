package io.memsnap.internal;

import io.memsnap.StoreClosedException;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The grace periods of {@link ReaderGuard}: memory unpublished while a reader is inside is not declared free until
 * that reader has left; readers that keep overlapping (never all outside at once) cannot hold a grace period back
 * forever; and, with real threads, a reader never finds freed what it loaded inside its bracket.
 */
class ReaderGuardTest
{
    @Test
    void aReaderInsideHoldsBackMemoryUnpublishedWhileItIsInside()
    {
        final ReaderGuard guard = new ReaderGuard();
        final int token = guard.enter();
        final long stamp = guard.stamp();
        for (int i = 0; i < 5; i++)
        {
            assertFalse(guard.hasElapsed(stamp), "the reader inside may hold the memory");
        }
        guard.exit(token);
        assertTrue(guard.hasElapsed(stamp));
        assertTrue(guard.hasElapsed(stamp), "stays elapsed");
    }

    @Test
    void memoryUnpublishedBeforeAReaderEnteredDoesNotWaitForItOnceTheEpochMovedOn()
    {
        final ReaderGuard guard = new ReaderGuard();
        final long stamp = guard.stamp();
        assertTrue(guard.hasElapsed(stamp), "no reader: elapsed at once");
        final int token = guard.enter(); // enters after the epoch moved past the stamp: cannot hold that memory
        final long later = guard.stamp();
        assertTrue(guard.hasElapsed(stamp));
        assertFalse(guard.hasElapsed(later), "but it holds back what is unpublished while it is inside");
        guard.exit(token);
        assertTrue(guard.hasElapsed(later));
    }

    /** Striped counters alone could starve here: the counter of this thread's stripe is never zero. */
    @Test
    void overlappingReadersCannotHoldAGracePeriodBackForever()
    {
        final ReaderGuard guard = new ReaderGuard();
        int held = guard.enter();
        final long stamp = guard.stamp();
        int rounds = 0;
        while (!guard.hasElapsed(stamp))
        {
            final int next = guard.enter(); // one reader is always inside
            guard.exit(held);
            held = next;
            assertTrue(++rounds <= 3, "still not elapsed after " + rounds + " overlapping readers");
        }
        guard.exit(held);
    }

    @Test
    void closeWaitsForReadersOfEitherEpochAndRefusesNewOnes() throws Exception
    {
        final ReaderGuard guard = new ReaderGuard();
        final int old = guard.enter();
        final long stamp = guard.stamp();
        assertFalse(guard.hasElapsed(stamp)); // moves the epoch once: the next reader counts under the other parity
        assertEquals(stamp + 1, guard.stamp());
        final int young = guard.enter();
        final Thread closer = new Thread(guard::closeAndAwait);
        closer.start();
        closer.join(50);
        assertTrue(closer.isAlive(), "close waits for both readers");
        guard.exit(old);
        closer.join(50);
        assertTrue(closer.isAlive(), "close waits for the other reader");
        guard.exit(young);
        closer.join(10_000);
        assertFalse(closer.isAlive());
        assertThrows(StoreClosedException.class, guard::enter);
    }

    /**
     * Readers load the current "chunk" and check it is not freed until they exit; a reclaimer publishes a new one,
     * retires the old with a stamp, and frees (marks) the retired ones whose grace has elapsed, without waiting.
     */
    @Test
    void noReaderEverFindsFreedWhatItLoadedInside() throws Exception
    {
        final ReaderGuard guard = new ReaderGuard();
        final AtomicReference<Chunk> published = new AtomicReference<>(new Chunk());
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        final Thread[] readers = new Thread[3];
        for (int r = 0; r < readers.length; r++)
        {
            readers[r] = new Thread(() ->
            {
                while (!stop.get())
                {
                    final int token = guard.enter();
                    try
                    {
                        final Chunk chunk = published.get();
                        for (int i = 0; i < 50; i++)
                        {
                            if (chunk.freed)
                            {
                                failure.compareAndSet(null, new AssertionError("read a freed chunk"));
                                stop.set(true);
                            }
                            Thread.onSpinWait();
                        }
                    }
                    finally
                    {
                        guard.exit(token);
                    }
                    reads.incrementAndGet();
                }
            });
            readers[r].start();
        }
        final ArrayDeque<Chunk> retired = new ArrayDeque<>();
        long freed = 0;
        final long end = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < end && !stop.get())
        {
            final Chunk old = published.getAndSet(new Chunk());
            old.stamp = guard.stamp(); // after the new one is published, as IndexFile does
            retired.add(old);
            while (!retired.isEmpty() && guard.hasElapsed(retired.peekFirst().stamp))
            {
                retired.removeFirst().freed = true;
                freed++;
            }
        }
        stop.set(true);
        for (final Thread t : readers)
        {
            t.join();
        }
        assertNull(failure.get());
        assertTrue(freed > 1000 && reads.get() > 1000, freed + " freed, " + reads + " reads");
    }

    private static final class Chunk
    {
        long stamp;
        volatile boolean freed;
    }
}
