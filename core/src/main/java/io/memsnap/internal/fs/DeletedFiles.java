package io.memsnap.internal.fs;

import io.memsnap.internal.EngineLogger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Channels of files already deleted whose last close frees their disk space: the deleter keeps them here
 * ({@link ReaderPins#deleteUnlessPinned(StoreFileSystem, java.nio.file.Path, java.util.function.Consumer)}) and a thread
 * that may wait closes them with {@link #release()} (freeing a 64 MiB segment took 20 to 27 ms on ext4, an old
 * sparse index file of gigabytes seconds).
 *
 * <p>A thread of the store's own may release them with {@link #releasePaced()}: it frees each file's blocks a step at
 * a time, truncating it from its end, with a pause between steps, before the close. Only for files nothing maps any
 * more (segments, which the store unmaps before, and which a read-only store's pin keeps from deletion): a read of a
 * mapping past the end of a truncated file faults. Index files, which readers may still map after their deletion,
 * are released at once. Freed at once, on a file system that discards freed blocks (ext4 mounted with
 * {@code discard}), a 64 MiB file's blocks are discarded together, and the fdatasyncs that snapshots issue meanwhile
 * wait behind it: with a segment deleted every few snapshots, snapshot
 * p99 at 10,000 entries was 14 to 17 ms freed at once and 5.7 to 8.1 ms freed in steps ({@code SnapshotProbe}).
 *
 * <p>Concurrency: thread safe.
 */
public final class DeletedFiles
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

    /** The bytes a paced release frees in one step (a truncation). */
    public static final long PACED_STEP_BYTES = 256 * 1024;
    /** The pause of a paced release after each step. */
    public static final long PACED_PAUSE_NANOS = 250_000;

    private final String what;
    private final List<FileChannel> unreleased = new ArrayList<>();

    /** @param what the files, for the message of a failed close ("deleted segment files of DIR"). */
    public DeletedFiles(final String what)
    {
        this.what = what;
    }

    /** Keeps the channel of a file just deleted, until {@link #release()}. */
    public synchronized void add(final FileChannel channel)
    {
        unreleased.add(channel);
    }

    /** @return whether files deleted wait for {@link #release()}. */
    public synchronized boolean isEmpty()
    {
        return unreleased.isEmpty();
    }

    /** Any thread: closes every channel kept so far, which frees the files' disk space. */
    public void release()
    {
        release(false);
    }

    /**
     * A thread that may wait about a second for each gigabyte freed: as {@link #release()}, but frees each file's
     * blocks {@link #PACED_STEP_BYTES} at a time, pausing {@link #PACED_PAUSE_NANOS} between steps.
     */
    public void releasePaced()
    {
        release(true);
    }

    private void release(final boolean paced)
    {
        final List<FileChannel> closing;
        synchronized (this)
        {
            if (unreleased.isEmpty())
            {
                return;
            }
            closing = new ArrayList<>(unreleased);
            unreleased.clear();
        }
        for (final FileChannel channel : closing)
        {
            if (paced)
            {
                freeInSteps(channel);
            }
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not close one of the " + what + "; its disk space is " +
                    "freed when the process ends", ex);
            }
        }
    }

    /** Truncates a deleted file from its end, a step at a time; the close frees what a failed step left. */
    private static void freeInSteps(final FileChannel channel)
    {
        try
        {
            for (long size = channel.size() - PACED_STEP_BYTES; size > 0; size -= PACED_STEP_BYTES)
            {
                channel.truncate(size);
                LockSupport.parkNanos(PACED_PAUSE_NANOS);
            }
        }
        catch (final IOException ex)
        {
            // the close that follows frees the rest at once
        }
    }
}
