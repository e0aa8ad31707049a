package io.memsnap.cloud.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks on a few daemon threads and waits for them all; the first failure cancels the rest and is thrown as
 * it was. Thread safe: each call has threads of its own.
 */
public final class Parallel
{
    /** A task that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface Task
    {
        void run() throws IOException;
    }

    private Parallel()
    {
    }

    /**
     * @param name    the threads' name.
     * @param threads at most this many tasks at once.
     */
    public static void run(final String name, final int threads, final List<Task> tasks) throws IOException
    {
        if (tasks.isEmpty())
        {
            return;
        }
        final AtomicInteger count = new AtomicInteger();
        final ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()), r ->
        {
            final Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try
        {
            final List<Future<?>> futures = new ArrayList<>();
            for (final Task task : tasks)
            {
                futures.add(pool.submit(() ->
                {
                    task.run();
                    return null;
                }));
            }
            for (final Future<?> f : futures)
            {
                await(f);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static void await(final Future<?> f) throws IOException
    {
        try
        {
            f.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while objects were transferred", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw new UncheckedIOException(new IOException(cause));
        }
    }
}
