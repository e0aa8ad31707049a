package io.memsnap.internal.snapshot;

/** Starts and joins the daemon threads a store owns (index checkpoints, automatic snapshots). Stateless. */
final class BackgroundThread
{
    private BackgroundThread()
    {
    }

    /** @return a started daemon thread running {@code work}. */
    static Thread start(final String name, final Runnable work)
    {
        return start(new Thread(work, name));
    }

    /** @return {@code thread}, made a daemon and started. */
    static Thread start(final Thread thread)
    {
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits until {@code thread} has ended; an interrupt meanwhile is kept for the caller, not lost. */
    static void join(final Thread thread)
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
