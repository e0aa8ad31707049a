package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A {@link StoreFile} that forwards every call to another one: the base of test files that watch or break some of
 * the calls (the writes, flushes, truncates and extensions) and leave the rest alone. Not thread safe, as {@link StoreFile}.
 */
abstract class ForwardingStoreFile implements StoreFile
{
    final StoreFile file;

    ForwardingStoreFile(final StoreFile file)
    {
        this.file = file;
    }

    @Override
    public Path path()
    {
        return file.path();
    }

    @Override
    public int write(final ByteBuffer src, final long position) throws IOException
    {
        return file.write(src, position);
    }

    @Override
    public int read(final ByteBuffer dst, final long position) throws IOException
    {
        return file.read(dst, position);
    }

    @Override
    public long size() throws IOException
    {
        return file.size();
    }

    @Override
    public void truncate(final long size) throws IOException
    {
        file.truncate(size);
    }

    @Override
    public void extend(final long size) throws IOException
    {
        file.extend(size);
    }

    @Override
    public void force(final boolean metadata) throws IOException
    {
        file.force(metadata);
    }

    @Override
    public boolean isOpen()
    {
        return file.isOpen();
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
