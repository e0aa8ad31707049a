package io.memsnap.internal.snapshot;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The daemon thread ({@code memsnap-slot DIR}) that writes a commit's manifest slot while the committing thread
 * flushes the records the manifest names (see {@link SnapshotWriter}): the two flushes go to the disk at the same
 * time. Started at a store's first such commit, ended at its close.
 *
 * <p>Thread safe; the store's commit lock keeps one commit at a time in it.
 */
final class SlotWriterThread implements AutoCloseable
{
    /** A slot write handed to the thread. Used by the committing thread alone. */
    static final class Pending
    {
        private final Future<?> done;

        private Pending(final Future<?> done)
        {
            this.done = done;
        }

        /**
         * Waits, interrupts or not, for the slot's write and flush to end.
         *
         * @throws IOException if they failed.
         */
        void await() throws IOException
        {
            final Throwable failure = outcome();
            if (failure instanceof IOException)
            {
                throw (IOException)failure;
            }
            if (failure instanceof RuntimeException)
            {
                throw (RuntimeException)failure;
            }
            if (failure instanceof Error)
            {
                throw (Error)failure;
            }
        }

        /** As {@link #await}, after the records' flush threw {@code first}: a failure of the slot is added to it. */
        void awaitAfter(final Throwable first)
        {
            final Throwable failure = outcome();
            if (failure != null)
            {
                first.addSuppressed(failure);
            }
        }

        /** @return what the write threw, or null; waits for it without giving up on an interrupt. */
        private Throwable outcome()
        {
            boolean interrupted = false;
            try
            {
                while (true)
                {
                    try
                    {
                        done.get();
                        return null;
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted = true;
                    }
                    catch (final ExecutionException ex)
                    {
                        return ex.getCause();
                    }
                }
            }
            finally
            {
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private final ExecutorService executor;

    SlotWriterThread(final String name)
    {
        this.executor = Executors.newSingleThreadExecutor(work ->
        {
            final Thread thread = new Thread(work, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Hands {@code commit}, a slot commit, to the thread: it writes and fdatasyncs the slot. */
    Pending submit(final ManifestStore manifests, final ManifestStore.Commit commit)
    {
        return new Pending(executor.submit(() ->
        {
            manifests.write(commit);
            return null;
        }));
    }

    /** Ends the thread once its write, if any, has ended. */
    @Override
    public void close()
    {
        executor.shutdown();
        boolean interrupted = false;
        while (!executor.isTerminated())
        {
            try
            {
                executor.awaitTermination(1, TimeUnit.MINUTES);
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
