package io.memsnap.internal;

/**
 * A JVM shutdown hook that runs one action (closing a store), registered at once and removable until the JVM begins
 * to shut down.
 *
 * <p>Thread safe: {@link #remove()} may be called from any thread, the hook's own included, before or during the
 * JVM's shutdown.
 */
public final class ShutdownHook
{
    private final Thread thread;

    private ShutdownHook(final Thread thread)
    {
        this.thread = thread;
    }

    /**
     * @return a hook, registered, that runs {@code action} on a thread named {@code name} when the JVM shuts down; or
     * null if the JVM is shutting down already (a store opened by another hook: whoever opened it closes it).
     */
    public static ShutdownHook register(final String name, final Runnable action)
    {
        final Thread thread = new Thread(action, name);
        try
        {
            Runtime.getRuntime().addShutdownHook(thread);
        }
        catch (final IllegalStateException ex)
        {
            return null;
        }
        return new ShutdownHook(thread);
    }

    /**
     * Unregisters the hook, unless it is running (called from its own thread) or the JVM is shutting down, when
     * {@link Runtime#removeShutdownHook} refuses: the hook then runs, or ran, its action anyway.
     */
    public void remove()
    {
        if (Thread.currentThread() == thread)
        {
            return;
        }
        try
        {
            Runtime.getRuntime().removeShutdownHook(thread);
        }
        catch (final IllegalStateException ex)
        {
            // The JVM is shutting down: hooks can no longer be removed, and this one runs its action (which finds
            // the store closed already, or closes it).
        }
    }

    /** @return the hook's thread (started only by the JVM's shutdown). */
    public Thread thread()
    {
        return thread;
    }
}
