package io.memsnap.internal;

import java.util.function.BooleanSupplier;

/**
 * Starts and joins the daemon threads a store owns (index checkpoints, compaction, automatic snapshots, segment
 * files made ahead), and waits on monitors for them. Thread safe: stateless.
 */
public final class Threads
{
    private Threads()
    {
    }

    /** @return a started daemon thread running {@code work}. */
    public static Thread start(final String name, final Runnable work)
    {
        return start(new Thread(work, name));
    }

    /** @return {@code thread}, made a daemon and started. */
    public static Thread start(final Thread thread)
    {
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The caller holds {@code monitor}: waits on it until {@code done} holds, interrupts or not; an interrupt that
     * arrived meanwhile is kept for the caller to see.
     */
    public static void awaitUninterruptibly(final Object monitor, final BooleanSupplier done)
    {
        boolean interrupted = false;
        while (!done.getAsBoolean())
        {
            try
            {
                monitor.wait();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until {@code thread} has ended, interrupts or not; an interrupt that arrived meanwhile is kept for the
     * caller to see.
     */
    public static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
