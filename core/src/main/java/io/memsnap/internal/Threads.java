package io.memsnap.internal;

/** Small helpers for the store's background threads. Thread safe: stateless. */
public final class Threads
{
    private Threads()
    {
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
