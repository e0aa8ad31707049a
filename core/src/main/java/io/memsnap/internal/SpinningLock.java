package io.memsnap.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReentrantLock} whose {@link #lock()} spins for a bounded time before it parks, for critical sections
 * of a few microseconds (the store's write lock: one record appended, or a snapshot's O(1) freeze).
 *
 * <p>Why: a thread that parks on a contended lock is woken by the holder's {@code unlock} with a futex wake, a system
 * call on the holder's path, and is then scheduled again, which on a machine with few cores takes tens of
 * microseconds: far longer than the section it waited for. A writer that meets a snapshot's freeze, or a snapshot
 * that meets a put, would otherwise pay that in its tail latency. Spinning up to {@code spinNanos} (with
 * {@link Thread#onSpinWait()}) takes the lock as soon as it is released; past that, the thread parks as usual, so a
 * holder that was descheduled costs at most the spin.
 *
 * <p>Thread safe, as {@link ReentrantLock} (non-fair).
 */
public final class SpinningLock extends ReentrantLock
{
    private static final long serialVersionUID = 1L;

    private final long spinNanos;

    /** @param spinNanos how long {@link #lock()} spins before it parks. */
    public SpinningLock(final long spinNanos)
    {
        this.spinNanos = spinNanos;
    }

    @Override
    public void lock()
    {
        if (tryLock())
        {
            return;
        }
        final long start = System.nanoTime();
        do
        {
            Thread.onSpinWait();
            if (!isLocked() && tryLock())
            {
                return;
            }
        }
        while (System.nanoTime() - start < spinNanos);
        super.lock();
    }
}
