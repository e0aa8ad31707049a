package io.memsnap.internal;

import io.memsnap.StoreClosedException;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps mapped memory alive while readers use it. A reader brackets every access with {@link #enter()} and
 * {@link #exit(int)}; {@link #closeAndAwait()} stops new readers and waits for those inside before the caller
 * unmaps. Counters are striped over padded slots so that readers on different cores rarely share a cache line.
 *
 * <p>Thread safe. {@code enter} and {@code exit} allocate nothing. The protocol is Dekker-style: a reader
 * increments its counter, then reads the closed flag; the closer sets the flag, then reads the counters. Both are
 * sequentially consistent operations, so either the reader sees the flag (and backs out) or the closer sees the
 * reader (and waits).
 */
public final class ReaderGuard
{
    private static final int STRIPES = 16;
    /** 16 longs = 128 bytes between counters: no two on one cache line, adjacent-line prefetch included. */
    private static final int PADDING = 16;

    private final AtomicLongArray counters = new AtomicLongArray(STRIPES * PADDING);
    private volatile boolean closed;

    /**
     * @return a token to pass to {@link #exit(int)}.
     * @throws StoreClosedException if the store is closing or closed.
     */
    public int enter()
    {
        final int slot = (int)(Thread.currentThread().getId() & (STRIPES - 1)) * PADDING;
        counters.getAndIncrement(slot);
        if (closed)
        {
            counters.getAndDecrement(slot);
            throw new StoreClosedException();
        }
        return slot;
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
            while (counters.get(slot) != 0)
            {
                LockSupport.parkNanos(10_000);
            }
        }
    }
}
