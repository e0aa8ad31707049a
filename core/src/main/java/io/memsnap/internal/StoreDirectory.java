package io.memsnap.internal;

import io.memsnap.ForeignFileException;
import io.memsnap.StoreIoException;
import io.memsnap.StoreLockedException;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.WatermarkDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The files of a store directory: which of them are memsnap's, and the writer's lock. Refuses a directory that
 * holds anything else. Not thread safe; used while opening and closing.
 */
public final class StoreDirectory implements AutoCloseable
{
    public static final String LOCK_FILE = "memsnap.lock";
    /** The folder recovery moves doubtful files into instead of deleting them (see the recovery package). */
    public static final String QUARANTINE = "quarantine";

    /**
     * Lock files this JVM holds, by real path. A POSIX record lock belongs to the process and is dropped when any
     * channel on the file closes, so a second store in this JVM must be refused before it opens the lock file:
     * closing its channel would release the lock the first one holds and let another process in.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final List<Integer> segmentIds = new ArrayList<>();
    private final List<Long> indexGenerations = new ArrayList<>();
    private boolean hasManifest;
    private FileChannel lockChannel;
    private FileLock lock;
    private Path held;

    private StoreDirectory(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * The store directory (created, with its name synced in its parent, if {@code create} and missing). Lists
     * nothing yet: a writer takes the {@link #lock} first, then {@link #scan}s, so that it never acts on a listing
     * made while another writer still held the store.
     */
    public static StoreDirectory open(final StoreFileSystem fs, final Path dir, final boolean create)
        throws IOException
    {
        if (create && !Files.isDirectory(dir))
        {
            fs.createDirectories(dir);
            // The new directory's name must be durable before anything in it is acknowledged.
            final Path parent = dir.toAbsolutePath().getParent();
            if (parent != null)
            {
                fs.syncDirectory(parent);
            }
        }
        else if (!Files.isDirectory(dir))
        {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no memsnap store here");
        }
        return new StoreDirectory(dir);
    }

    /**
     * Lists the directory: the segments and index files present, whether it holds a manifest.
     *
     * @throws ForeignFileException if it holds a file memsnap did not write.
     */
    public void scan() throws IOException
    {
        segmentIds.clear();
        indexGenerations.clear();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                final int segmentId = SegmentDescriptor.parseFileName(name);
                if (name.equals(QUARANTINE) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                {
                    continue;
                }
                final long indexGeneration = IndexPageDescriptor.parseFileName(name);
                final boolean ours = segmentId > 0 || ManifestDescriptor.parseFileName(name) >= 0 ||
                    indexGeneration >= 0 || name.equals(LOCK_FILE) ||
                    name.equals(WatermarkDescriptor.FILE_NAME) || name.equals(ManifestSlotsDescriptor.FILE_NAME) ||
                    name.equals(ManifestSlotsDescriptor.PENDING_FILE_NAME) ||
                    (name.startsWith(ManifestDescriptor.FILE_PREFIX) && name.endsWith(ManifestDescriptor.PENDING_SUFFIX));
                // Classify by name: a writer in another process may rename or delete a manifest while we list.
                if (!ours || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                {
                    throw new ForeignFileException(p);
                }
                if (segmentId > 0)
                {
                    segmentIds.add(segmentId);
                }
                else if (ManifestDescriptor.parseFileName(name) >= 0 || name.equals(ManifestSlotsDescriptor.FILE_NAME))
                {
                    hasManifest = true;
                }
                else if (indexGeneration >= 0)
                {
                    indexGenerations.add(indexGeneration);
                }
            }
        }
        segmentIds.sort(Integer::compare);
        indexGenerations.sort(Long::compare);
    }

    /**
     * Takes the exclusive writer lock, held until {@link #close()}.
     *
     * @throws StoreLockedException if another process or another store in this JVM holds it.
     */
    public void lock()
    {
        final Path lockFile = dir.resolve(LOCK_FILE);
        final Path key;
        try
        {
            key = dir.toRealPath().resolve(LOCK_FILE);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not resolve store directory " + dir, ex);
        }
        if (!HELD.add(key))
        {
            throw new StoreLockedException(lockFile);
        }
        try
        {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            lock = null;
        }
        catch (final IOException ex)
        {
            closeQuietly();
            HELD.remove(key);
            throw new StoreIoException("could not open lock file " + lockFile, ex);
        }
        if (lock == null)
        {
            closeQuietly();
            HELD.remove(key);
            throw new StoreLockedException(lockFile);
        }
        held = key;
    }

    public Path path()
    {
        return dir;
    }

    /** @return the segment ids present, ascending. */
    public List<Integer> segmentIds()
    {
        return segmentIds;
    }

    /** @return the generations of the index files present, ascending. */
    public List<Long> indexGenerations()
    {
        return indexGenerations;
    }

    public boolean hasManifest()
    {
        return hasManifest;
    }

    private void closeQuietly()
    {
        try
        {
            if (lockChannel != null)
            {
                lockChannel.close();
            }
        }
        catch (final IOException ignore)
        {
            // the channel was only opened to lock; closing it releases the lock either way
        }
        lockChannel = null;
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException
    {
        try
        {
            if (lock != null && lock.isValid())
            {
                lock.release();
            }
            if (lockChannel != null)
            {
                lockChannel.close();
            }
        }
        finally
        {
            if (held != null)
            {
                HELD.remove(held);
                held = null;
            }
        }
    }
}
