package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A {@link StoreFileSystem} for tests that behaves like a disk that has run out of space once {@link #fill()} was
 * called: a write that would grow a file past its length fails with "No space left on device"; a write within a
 * file's length (blocks already allocated, as in a preallocated segment) and everything else still work.
 * {@link #free()} gives the space back. Where a small real file system can be filled (a tmpfs), tests use that; this
 * runs where one cannot be mounted. Thread safe.
 */
public final class DiskFullFileSystem implements StoreFileSystem
{
    private final StoreFileSystem real = StoreFileSystem.real();
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
        return new Bounded(real.create(file));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        return new Bounded(real.open(file));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        return new Bounded(real.openOrCreate(file));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        real.rename(from, to);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
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

    private final class Bounded extends ForwardingStoreFile
    {
        Bounded(final StoreFile file)
        {
            super(file);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            if (full && position + src.remaining() > file.size())
            {
                throw new IOException("No space left on device");
            }
            return file.write(src, position);
        }
    }
}
