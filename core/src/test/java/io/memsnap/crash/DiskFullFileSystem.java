package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link StoreFileSystem} for tests that behaves like a disk that has run out of space once {@link #fill()} was
 * called: a write that needs a block the file does not have yet fails with "No space left on device", as on a real
 * file system with sparse files. A file's blocks are the 4 KiB blocks written through this file system (zeros
 * included: a preallocated segment has all of them); an extension ({@link StoreFile#extend}) gives a file length
 * without blocks, a hole, and needs no space. A file that existed before this file system first opened it counts as
 * having blocks for its whole length. Writes into blocks a file has, and everything else, still work.
 * {@link #free()} gives the space back. Where a small real file system can be filled (a tmpfs), tests use that; this
 * runs where one cannot be mounted.
 *
 * <p>Thread safe. Blocks are kept by path: a file renamed while open keeps them under its old name until it is
 * written again (the store renames only files it has closed).
 */
public final class DiskFullFileSystem implements StoreFileSystem
{
    /** The block size of the disk modelled. */
    public static final int BLOCK = 4096;

    private final StoreFileSystem real = StoreFileSystem.real();
    private final Map<Path, BitSet> blocks = new ConcurrentHashMap<>();
    private volatile boolean full;

    public void fill()
    {
        full = true;
    }

    public void free()
    {
        full = false;
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        final StoreFile created = real.create(file);
        blocks.put(key(file), new BitSet());
        return new Bounded(created);
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        return new Bounded(seen(real.open(file)));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        return new Bounded(seen(real.openOrCreate(file)));
    }

    /** Gives a file this file system has not seen blocks for its whole length. */
    private StoreFile seen(final StoreFile file) throws IOException
    {
        final long size = file.size();
        blocks.computeIfAbsent(key(file.path()), p ->
        {
            final BitSet all = new BitSet();
            all.set(0, blockCount(size));
            return all;
        });
        return file;
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        real.rename(from, to);
        final BitSet moved = blocks.remove(key(from));
        if (moved != null)
        {
            blocks.put(key(to), moved);
        }
        else
        {
            blocks.remove(key(to));
        }
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        blocks.remove(key(file));
        return real.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        real.syncDirectory(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        real.createDirectories(dir);
    }

    private static Path key(final Path file)
    {
        return file.toAbsolutePath().normalize();
    }

    private static int blockCount(final long bytes)
    {
        return (int)((bytes + BLOCK - 1) / BLOCK);
    }

    /** Checks for space before each write and counts the blocks it allocates. */
    private final class Bounded extends ForwardingStoreFile
    {
        Bounded(final StoreFile file)
        {
            super(file);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            final BitSet owned = blocks.computeIfAbsent(key(file.path()), p -> new BitSet());
            final int first = (int)(position / BLOCK);
            final int end = blockCount(position + src.remaining());
            synchronized (owned)
            {
                if (full && src.hasRemaining() && owned.nextClearBit(first) < end)
                {
                    throw new IOException("No space left on device");
                }
            }
            final int written = file.write(src, position);
            synchronized (owned)
            {
                owned.set(first, blockCount(position + written));
            }
            return written;
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            file.truncate(size);
            final BitSet owned = blocks.get(key(file.path()));
            if (owned != null)
            {
                synchronized (owned)
                {
                    owned.clear(blockCount(size), Math.max(blockCount(size), owned.length()));
                }
            }
        }
    }
}
