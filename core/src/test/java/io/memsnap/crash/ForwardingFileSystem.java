package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link StoreFileSystem} that forwards every call to another one and hands out its files through
 * {@link #wrap(StoreFile)}: the base of test file systems that watch or break what the files do (their writes or
 * flushes) and leave the directory operations alone. Thread safe if the delegate and the wrapping are.
 */
abstract class ForwardingFileSystem implements StoreFileSystem
{
    private final StoreFileSystem delegate;

    ForwardingFileSystem(final StoreFileSystem delegate)
    {
        this.delegate = delegate;
    }

    /** @return the file handed to the store in place of {@code file}. */
    abstract StoreFile wrap(StoreFile file);

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        return wrap(delegate.create(file));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        return wrap(delegate.open(file));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        return wrap(delegate.openOrCreate(file));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        delegate.rename(from, to);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        return delegate.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        delegate.syncDirectory(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        delegate.createDirectories(dir);
    }
}
