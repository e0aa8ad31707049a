package io.memsnap.internal.snapshot;

import java.util.concurrent.locks.LockSupport;

/**
 * Wakes one background thread without losing a wake-up. An unpark alone can be lost: a lock the thread takes
 * between the unpark and its park may consume the permit (every {@code java.util.concurrent} lock parks), so a wake
 * also sets a flag that the thread looks at before it parks.
 *
 * <p>Concurrency: {@link #wake()} from any thread (a volatile write and an unpark, no allocation, no lock);
 * {@link #clear()} and {@link #park(long)} from the bound thread only.
 */
final class Wakeup
{
    /** A wait with no time limit. */
    static final long NO_LIMIT = Long.MAX_VALUE;

    private volatile Thread thread;
    private volatile boolean woken;

    /** Binds the thread that parks here. Once, before it parks. */
    void bind(final Thread thread)
    {
        this.thread = thread;
    }

    void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            woken = true;
            LockSupport.unpark(t);
        }
    }

    /** The bound thread, before it looks at what it waits for: forgets the wakes so far. */
    void clear()
    {
        woken = false;
    }

    /**
     * The bound thread: waits until woken (unless it was since the last {@link #clear()}), {@code nanos} pass
     * ({@link #NO_LIMIT} for no limit), or a spurious return, which the caller must tolerate.
     */
    void park(final long nanos)
    {
        if (woken)
        {
            return;
        }
        if (nanos == NO_LIMIT)
        {
            LockSupport.park(this);
        }
        else if (nanos > 0)
        {
            LockSupport.parkNanos(this, nanos);
        }
    }
}
