package io.memsnap.internal.segment;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Growing and mapping the files memsnap maps. Thread safe: stateless. */
public final class MappedFiles
{
    private static final int ZERO_CHUNK = 1024 * 1024;

    private MappedFiles()
    {
    }

    /**
     * Grows {@code file} to {@code newLength}. Without {@code preallocate} the file is only given its length
     * ({@link StoreFile#extend}, {@code ftruncate}): the new bytes are a hole that reads as zeros and takes no space
     * until written, so this is O(1) and never fails for want of space; a later positional write into the hole may (an
     * {@link IOException}, never a fault: nothing is stored through a mapping). With {@code preallocate} the new bytes
     * are written as zeros, so that the file system allocates their blocks now: a full disk is an {@link IOException}
     * here, and writes into them need no space later (on file systems that overwrite in place; not on copy-on-write
     * ones such as btrfs or ZFS). That costs a write of every byte.
     */
    public static void extend(final StoreFile file, final long newLength, final boolean preallocate)
        throws IOException
    {
        final long current = file.size();
        if (current >= newLength)
        {
            return;
        }
        if (!preallocate)
        {
            file.extend(newLength);
            return;
        }
        try (MemoryRegion zeroed = MemoryRegion.allocate(ZERO_CHUNK))
        {
            final ByteBuffer zeros = zeroed.byteBuffer(0, ZERO_CHUNK);
            long position = current;
            while (position < newLength)
            {
                zeros.clear().limit((int)Math.min(ZERO_CHUNK, newLength - position));
                while (zeros.hasRemaining())
                {
                    position += file.write(zeros, position);
                }
            }
        }
    }

    /**
     * Creates {@code file} in {@code dir} with {@code length} bytes ({@link #extend}), writes {@code header} at its
     * start, and syncs the file (its length with it) and the directory entry: once this returns, a power cut leaves
     * the file whole. A file this fails to make whole is deleted.
     */
    public static void create(final StoreFileSystem fs, final Path dir, final Path file, final long length,
        final boolean preallocate, final ByteBuffer header) throws IOException
    {
        try (StoreFile f = fs.create(file))
        {
            extend(f, length, preallocate);
            f.writeFully(header, 0);
            syncNew(fs, dir, f);
        }
        catch (final IOException ex)
        {
            deleteAfter(fs, file, ex);
            throw ex;
        }
    }

    /** Syncs {@code file}, new in {@code dir}, with its length (fsync), then its directory entry. */
    static void syncNew(final StoreFileSystem fs, final Path dir, final StoreFile file) throws IOException
    {
        file.force(true);
        // sync() and EVERY_WRITE acknowledge records in a segment before any snapshot fsyncs the directory: without
        // this its name could vanish in a power loss, and with it every acknowledged record after it.
        fs.syncDirectory(dir);
    }

    /** Closes {@code file} (if not null) before the caller throws {@code failure}, which gets a failure to close. */
    static void closeAfter(final StoreFile file, final Exception failure)
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException suppressed)
            {
                failure.addSuppressed(suppressed);
            }
        }
    }

    /**
     * Deletes {@code file}, which {@code failure} left half made, before the caller throws {@code failure}; a failure
     * of the deletion is added to it.
     */
    public static void deleteAfter(final StoreFileSystem fs, final Path file, final Exception failure)
    {
        try
        {
            fs.deleteIfExists(file);
        }
        catch (final IOException suppressed)
        {
            failure.addSuppressed(suppressed);
        }
    }

    /**
     * Maps {@code length} bytes of {@code file} from {@code position}, read-only: nothing is ever stored through a
     * mapping (writes go through the {@link io.memsnap.internal.fs.StoreFileSystem}, flushes too). The caller
     * releases it with {@link MemoryRegion#close()}.
     */
    public static MemoryRegion mapRegion(final Path file, final long position, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return MemoryRegion.mapReadOnly(channel, position, length);
        }
    }
}
