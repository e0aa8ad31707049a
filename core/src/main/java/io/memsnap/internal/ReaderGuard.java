package io.memsnap.internal;

import io.memsnap.StoreClosedException;
import io.memsnap.internal.index.GracePeriods;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps off-heap and mapped memory alive while readers use it. A reader brackets every access with {@link #enter()}
 * and {@link #exit(int)}; {@link #closeAndAwait()} stops new readers and waits for those inside before the caller
 * unmaps; and, while the store is open, memory a reader may have loaded is freed only after a grace period
 * ({@link GracePeriods}): once every reader that entered before it was unpublished has left.
 *
 * <p>Thread safe. {@code enter} and {@code exit} allocate nothing and never block. Counters are striped over padded
 * slots so that readers on different cores rarely share a cache line.
 *
 * <p><b>Closing</b> is Dekker-style: a reader increments its counter, then reads the closed flag; the closer sets
 * the flag, then reads the counters. All are sequentially consistent, so either the reader sees the flag (and backs
 * out) or the closer sees the reader (and waits).
 *
 * <p><b>Grace periods</b> use an epoch and two counters per stripe, one for readers of even epochs and one for odd
 * ones. A reader reads the epoch {@code e}, increments the counter of {@code e}'s parity, and reads the epoch again:
 * if it moved, the reader backs out and retries, so a reader that proceeds is counted under the epoch current when it
 * incremented ("entered at {@code e}"). The epoch advances from {@code e} to {@code e + 1} only once every counter of
 * {@code e - 1}'s parity was seen at zero after {@code e} began, that is once every reader that entered at
 * {@code e - 1} has left (readers of {@code e - 3} left before {@code e - 1} began, and so on). Memory unpublished
 * when the epoch read {@code s} may have been loaded only by readers that entered at {@code s} or earlier, all gone
 * once the epoch reaches {@code s + 2}. Advancing never waits: {@link #hasElapsed} advances as far as the counters
 * allow and answers, and the caller frees later what it cannot free now.
 */
public final class ReaderGuard implements GracePeriods
{
    private static final int STRIPES = 16;
    /** 16 longs = 128 bytes between stripes: no two on one cache line, adjacent-line prefetch included. */
    private static final int PADDING = 16;

    /** Per stripe, at {@code stripe * PADDING + parity}: readers inside that entered at an epoch of that parity. */
    private final AtomicLongArray counters = new AtomicLongArray(STRIPES * PADDING);
    /** Advanced only by {@link #hasElapsed}, under this object's monitor. */
    private volatile long epoch;
    private volatile boolean closed;

    /**
     * @return a token to pass to {@link #exit(int)}.
     * @throws StoreClosedException if the store is closing or closed.
     */
    public int enter()
    {
        final int stripe = (int)(Thread.currentThread().getId() & (STRIPES - 1)) * PADDING;
        while (true)
        {
            final long e = epoch;
            final int slot = stripe + (int)(e & 1);
            counters.getAndIncrement(slot);
            if (epoch == e)
            {
                if (closed)
                {
                    counters.getAndDecrement(slot);
                    throw new StoreClosedException();
                }
                return slot;
            }
            counters.getAndDecrement(slot); // the epoch moved between the read and the increment: count again
        }
    }

    public void exit(final int token)
    {
        counters.getAndDecrement(token);
    }

    /** @return whether {@link #closeAndAwait()} was called. */
    public boolean isClosed()
    {
        return closed;
    }

    /** Refuses new readers and returns once every reader inside has left. */
    public void closeAndAwait()
    {
        closed = true;
        for (int slot = 0; slot < STRIPES * PADDING; slot += PADDING)
        {
            while (counters.get(slot) != 0 || counters.get(slot + 1) != 0)
            {
                LockSupport.parkNanos(10_000);
            }
        }
    }

    @Override
    public long stamp()
    {
        return epoch;
    }

    @Override
    public synchronized boolean hasElapsed(final long stamp)
    {
        long e = epoch;
        while (e < stamp + 2 && drained((int)((e - 1) & 1)))
        {
            epoch = ++e;
        }
        return e >= stamp + 2;
    }

    /** @return whether every counter of {@code parity} was seen at zero (one after the other: each reading is new). */
    private boolean drained(final int parity)
    {
        for (int slot = parity; slot < STRIPES * PADDING; slot += PADDING)
        {
            if (counters.get(slot) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
