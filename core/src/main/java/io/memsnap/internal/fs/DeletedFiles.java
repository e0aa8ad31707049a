package io.memsnap.internal.fs;

import io.memsnap.internal.EngineLogger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Channels of files already deleted whose last close frees their disk space: the deleter keeps them here
 * ({@link ReaderPins#deleteUnlessPinned(StoreFileSystem, java.nio.file.Path, java.util.function.Consumer)}) and a thread
 * that may wait closes them with {@link #release()} (freeing a 64 MiB segment took 20 to 27 ms on ext4, an old
 * sparse index file of gigabytes seconds).
 *
 * <p>Concurrency: thread safe.
 */
public final class DeletedFiles
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

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
}
