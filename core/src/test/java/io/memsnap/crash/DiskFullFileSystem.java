package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link StoreFileSystem} for tests that behaves like a disk that has run out of space once {@link #fill()} was
 * called: a write that would grow a file past its length fails with "No space left on device"; a write within a
 * file's length (blocks already allocated, as in a preallocated segment) and everything else still work.
 * {@link #free()} gives the space back. Where a small real file system can be filled (a tmpfs), tests use that; this
 * runs where one cannot be mounted. Thread safe.
 */
public final class DiskFullFileSystem extends ForwardingFileSystem
{
    private volatile boolean full;

    public DiskFullFileSystem()
    {
        super(StoreFileSystem.real());
    }

    public void fill()
    {
        full = true;
    }

    public void free()
    {
        full = false;
    }

    @Override
    StoreFile wrap(final StoreFile file)
    {
        return new Bounded(file);
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
