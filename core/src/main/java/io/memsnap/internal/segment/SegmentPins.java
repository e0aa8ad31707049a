package io.memsnap.internal.segment;

import io.memsnap.internal.fs.StoreFileSystem;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Pins on segment files that read-only stores have mapped, so that a writer compacting the store does not delete
 * them while they are read (in this process or in another one).
 *
 * <p>A read-only open {@link #pin}s each segment it maps: a shared POSIX record lock on the whole file
 * ({@code FileChannel.tryLock(0, Long.MAX_VALUE, true)}) through a channel kept open until the last pin of the
 * file in this JVM is closed. POSIX locks belong to the process, and closing any channel of a file drops all of the
 * process's locks on it, so this JVM keeps one channel and one lock per file for all its readers, counted here, and
 * the mapping itself is made through that channel. A writer deletes a segment file only through
 * {@link #deleteUnlessPinned}: not if this JVM's registry holds it, else only while it holds an exclusive lock on
 * it, which another process's shared lock refuses. Both steps run under the registry's monitor, so a reader of this
 * JVM cannot pin the file in between, and the probe's channel is never closed while a reader of this JVM holds a
 * lock on the file.
 *
 * <p>What a pin cannot protect: a process that holds a pin and also opens and closes another channel of the same
 * file (a writer and a reader of one store in one JVM, say) drops its kernel lock, and only this JVM's registry
 * then knows the pin; a writer in another process could delete the file. Its readers still read it: on Linux a
 * mapped file's pages live until the last mapping goes; only its name is gone.
 *
 * <p>Thread safe.
 */
public final class SegmentPins
{
    private static final Map<Path, Pinned> PINNED = new HashMap<>();

    private SegmentPins()
    {
    }

    /** One pinned file of this JVM: its channel, its shared lock and the number of pins on it. */
    private static final class Pinned
    {
        final FileChannel channel;
        final FileLock lock;
        int pins;

        Pinned(final FileChannel channel, final FileLock lock)
        {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /** A pin held by one read-only store; closing it releases the file (once every pin of the JVM is closed). */
    public static final class Pin implements Closeable
    {
        private final Path key;
        private final FileChannel channel;
        private boolean closed;

        private Pin(final Path key, final FileChannel channel)
        {
            this.key = key;
            this.channel = channel;
        }

        /** @return the channel the pin holds its lock through: map through it, never through another one. */
        public FileChannel channel()
        {
            return channel;
        }

        @Override
        public void close() throws IOException
        {
            synchronized (PINNED)
            {
                if (closed)
                {
                    return;
                }
                closed = true;
                final Pinned p = PINNED.get(key);
                if (p != null && --p.pins == 0)
                {
                    PINNED.remove(key);
                    p.channel.close(); // releases the lock
                }
            }
        }
    }

    /**
     * Pins {@code file} for reading.
     *
     * @throws NoSuchFileException if the file is gone, or a writer holds it exclusively this moment to delete it.
     */
    public static Pin pin(final Path file) throws IOException
    {
        final Path key = file.toAbsolutePath().normalize();
        synchronized (PINNED)
        {
            Pinned p = PINNED.get(key);
            if (p == null)
            {
                final FileChannel channel = FileChannel.open(key, StandardOpenOption.READ);
                final FileLock lock;
                try
                {
                    lock = channel.tryLock(0, Long.MAX_VALUE, true);
                }
                catch (final IOException | RuntimeException ex)
                {
                    channel.close();
                    throw ex;
                }
                if (lock == null)
                {
                    channel.close();
                    throw new NoSuchFileException(key.toString(), null, "a writer is deleting it");
                }
                p = new Pinned(channel, lock);
                PINNED.put(key, p);
            }
            p.pins++;
            return new Pin(key, p.channel);
        }
    }

    /** @return whether a read-only store of this JVM has pinned {@code file}. */
    public static boolean pinnedHere(final Path file)
    {
        synchronized (PINNED)
        {
            return PINNED.containsKey(file.toAbsolutePath().normalize());
        }
    }

    /**
     * Writer: deletes {@code file} through {@code fs} unless a reader pinned it, in this JVM or in another process.
     * The deletion is not durable before a directory sync.
     *
     * @return whether the file is gone (deleted now, or already missing); false if it is pinned.
     */
    public static boolean deleteUnlessPinned(final StoreFileSystem fs, final Path file) throws IOException
    {
        final Path key = file.toAbsolutePath().normalize();
        synchronized (PINNED)
        {
            if (PINNED.containsKey(key))
            {
                return false;
            }
            final FileChannel channel;
            try
            {
                channel = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            catch (final NoSuchFileException ex)
            {
                return true;
            }
            try (channel)
            {
                final FileLock lock;
                try
                {
                    lock = channel.tryLock(0, Long.MAX_VALUE, false);
                }
                catch (final OverlappingFileLockException ex)
                {
                    return false; // a lock of this JVM outside the registry
                }
                if (lock == null)
                {
                    return false; // another process's reader holds it
                }
                fs.deleteIfExists(file);
                return true;
            }
        }
    }
}
