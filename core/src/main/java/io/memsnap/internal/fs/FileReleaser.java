package io.memsnap.internal.fs;

import io.memsnap.internal.Threads;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * One daemon thread of the JVM ({@value #THREAD_NAME}) that runs the closes which free the disk space of deleted
 * files: the last close of a deleted file frees its blocks, which on ext4 takes about 20 ms for a 64 MiB segment file
 * (and seconds for a sparse index file of gigabytes), so that a snapshot that deleted files need not wait for it.
 * Started when first used.
 *
 * <p>Concurrency: thread safe. Tasks run one at a time, in order.
 */
public final class FileReleaser
{
    /** The thread's name. */
    public static final String THREAD_NAME = "memsnap-release";

    private static final LinkedBlockingQueue<Runnable> TASKS = new LinkedBlockingQueue<>();
    private static Thread thread;

    private FileReleaser()
    {
    }

    /** Runs {@code release} on the thread, after what was handed to it before. Never blocks. */
    public static void submit(final Runnable release)
    {
        TASKS.add(release);
        synchronized (FileReleaser.class)
        {
            if (thread == null)
            {
                thread = Threads.start(THREAD_NAME, FileReleaser::run);
            }
        }
    }

    private static void run()
    {
        while (true)
        {
            final Runnable task;
            try
            {
                task = TASKS.take();
            }
            catch (final InterruptedException ex)
            {
                continue; // nobody interrupts this thread but the JVM's end
            }
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                // a task logs its own failures; one that escapes must not stop the thread
            }
        }
    }
}
