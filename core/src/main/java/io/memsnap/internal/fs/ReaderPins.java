package io.memsnap.internal.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Pins that keep a writer from deleting a file a read-only store maps, in this process or another one: a read-only
 * open {@link #pin}s the file before it maps it and closes the pin when it closes; a writer deletes a file it no longer
 * needs only through {@link #deleteUnlessPinned}, which leaves a pinned file in place (the writer tries again later).
 *
 * <p>Across processes a pin is a shared POSIX record lock on the whole file ({@code FileChannel.tryLock(0,
 * Long.MAX_VALUE, true)}), and the deleter takes an exclusive one first. POSIX locks belong to the process, and
 * closing any channel of a file drops all of them, so within one JVM every pin of a file shares one channel and one
 * lock, counted here, and a delete checks this count before it touches the file. Channels the store opens on the
 * same file for other reasons can still drop such a lock; on Linux that costs nothing but the deferral: a file
 * deleted while it is mapped stays readable through its mapping, and its space is freed when the last mapping goes.
 * Each {@link #pin} returns a {@link Pin} of its own, whose {@link Pin#close} releases that holder's share once:
 * closing it again releases nothing, so a holder never takes another's pin with it.
 *
 * <p>Thread safe: every pin and delete of the JVM is serialised here (each holds the registry for a lock call and
 * an unlink, never for the freeing of a deleted file's blocks).
 */
public final class ReaderPins
{
    /** The locks of the files pinned in this JVM, by file identity (device and inode). Guarded by itself. */
    private static final Map<Object, SharedLock> PINS = new HashMap<>();

    private ReaderPins()
    {
    }

    /**
     * Pins {@code file} until the pin is closed.
     *
     * @return the caller's pin, whose channel (open for reading, shared with the other pins of the file in this JVM)
     * the caller may read and map the file through; it must not open and close channels of its own on the file
     * (that would drop the lock).
     * @throws NoSuchFileException if the file does not exist, or a writer deleted it before it could be pinned.
     */
    public static Pin pin(final Path file) throws IOException
    {
        synchronized (PINS)
        {
            final Object key = identity(file);
            final SharedLock held = PINS.get(key);
            if (held != null)
            {
                held.holders++;
                return new Pin(held);
            }
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try
            {
                // Never waits under the JVM-wide monitor: a writer of another process deleting the file holds it
                // exclusively this moment, and the file is as good as gone.
                final FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
                if (lock == null || !Files.exists(file) || !identity(file).equals(key))
                {
                    throw new NoSuchFileException(file.toString(), null, "deleted by the writer while it was pinned");
                }
                final SharedLock shared = new SharedLock(file, key, channel, lock);
                PINS.put(key, shared);
                return new Pin(shared);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }
    }

    /**
     * Writer: deletes {@code file} through {@code fs} unless a read-only store pins it, here or in another process.
     * Not durable until the caller syncs the directory.
     *
     * @return whether the file is gone (deleted now, or not there).
     */
    public static boolean deleteUnlessPinned(final StoreFileSystem fs, final Path file) throws IOException
    {
        final FileChannel[] deleted = new FileChannel[1];
        final boolean gone = deleteUnlessPinned(fs, file, channel -> deleted[0] = channel);
        if (deleted[0] != null)
        {
            deleted[0].close(); // outside the registry: the last close of a deleted file frees its blocks
        }
        return gone;
    }

    /**
     * Writer: as {@link #deleteUnlessPinned(StoreFileSystem, Path)}, but the file's disk space is freed by whoever
     * closes the channel handed to {@code deleted} (open on the file once it is deleted), not by this call. The last
     * reference to a deleted file frees its blocks when it goes, which for a large sparse file (an old index file
     * generation, its pages scattered over gigabytes) takes seconds on some file systems: the caller can leave that to
     * a background thread.
     *
     * @return whether the file is gone (deleted now, or not there).
     */
    public static boolean deleteUnlessPinned(final StoreFileSystem fs, final Path file,
        final Consumer<FileChannel> deleted) throws IOException
    {
        synchronized (PINS)
        {
            final Object key;
            try
            {
                key = identity(file);
            }
            catch (final NoSuchFileException ex)
            {
                return true;
            }
            if (PINS.containsKey(key))
            {
                return false;
            }
            final FileChannel channel;
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            catch (final NoSuchFileException ex)
            {
                return true;
            }
            boolean handedOver = false;
            try
            {
                final FileLock lock;
                try
                {
                    lock = channel.tryLock();
                }
                catch (final OverlappingFileLockException ex)
                {
                    return false; // a lock of this JVM that is not a pin: not ours to break
                }
                if (lock == null)
                {
                    return false; // a read-only store of another process pins it
                }
                try
                {
                    fs.deleteIfExists(file);
                }
                finally
                {
                    lock.release();
                }
                deleted.accept(channel);
                handedOver = true;
                return true;
            }
            finally
            {
                if (!handedOver)
                {
                    channel.close();
                }
            }
        }
    }

    /** @return whether a read-only store of this JVM pins {@code file}. */
    public static boolean isPinnedHere(final Path file)
    {
        synchronized (PINS)
        {
            try
            {
                return PINS.containsKey(identity(file));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
    }

    private static Object identity(final Path file) throws IOException
    {
        final Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toRealPath();
    }

    /** The channel and lock of one pinned file, shared by every pin of it in this JVM. Guarded by PINS. */
    private static final class SharedLock
    {
        final Path file;
        final Object key;
        final FileChannel channel;
        final FileLock lock;
        /** Pins not closed yet. */
        int holders = 1;

        SharedLock(final Path file, final Object key, final FileChannel channel, final FileLock lock)
        {
            this.file = file;
            this.key = key;
            this.channel = channel;
            this.lock = lock;
        }

        /** One holder is done: the lock and the channel go with the last one. */
        void release() throws IOException
        {
            if (--holders > 0)
            {
                return;
            }
            PINS.remove(key);
            try
            {
                lock.release();
            }
            finally
            {
                channel.close();
            }
        }
    }

    /**
     * One holder's pin of a file (a read-only store that maps it). Thread safe; closing it more than once releases
     * it once.
     */
    public static final class Pin implements AutoCloseable
    {
        private final SharedLock shared;
        /** Guarded by PINS. */
        private boolean closed;

        private Pin(final SharedLock shared)
        {
            this.shared = shared;
        }

        /** @return the channel of the pinned file, open for reading; valid until this pin is closed. */
        public FileChannel channel()
        {
            return shared.channel;
        }

        public Path file()
        {
            return shared.file;
        }

        /** Releases this holder's pin, once; the lock and the channel go with the file's last pin. */
        @Override
        public void close() throws IOException
        {
            synchronized (PINS)
            {
                if (closed)
                {
                    return;
                }
                closed = true;
                shared.release();
            }
        }
    }
}
