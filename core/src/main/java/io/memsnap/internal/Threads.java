package io.memsnap.internal;

/**
 * Starts and joins the daemon threads a store owns (index checkpoints, compaction, automatic snapshots). Thread
 * safe: stateless.
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
