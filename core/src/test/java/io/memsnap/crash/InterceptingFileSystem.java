package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link StoreFileSystem} on the real one that runs a test's action before each flush ({@link StoreFile#force}) of
 * a file whose name ends with a given suffix: the action may block (a stalled disk), throw an {@link IOException}
 * (the flush then fails and does nothing) or move a test's clock (a slow disk). Everything else goes straight to the
 * real file system. Thread safe: the action is read once per flush, and runs on the flushing thread.
 */
public final class InterceptingFileSystem extends ForwardingFileSystem
{
    /** What runs before a flush. */
    @FunctionalInterface
    public interface Action
    {
        /** @param file the file about to be flushed. */
        void beforeForce(Path file) throws IOException;
    }

    private volatile String suffix;
    private volatile Action action;

    /** Runs {@code action} before each flush of a file whose name ends with {@code suffix}, until {@link #clear()}. */
    public void beforeForce(final String suffix, final Action action)
    {
        this.action = null;
        this.suffix = suffix;
        this.action = action;
    }

    public InterceptingFileSystem()
    {
        super(StoreFileSystem.real());
    }

    /** @param delegate the file system under this one (a recording one, say), instead of the real one. */
    public InterceptingFileSystem(final StoreFileSystem delegate)
    {
        super(delegate);
    }

    public void clear()
    {
        action = null;
    }

    @Override
    StoreFile wrap(final StoreFile file)
    {
        return new Intercepted(file);
    }

    private final class Intercepted extends ForwardingStoreFile
    {
        Intercepted(final StoreFile file)
        {
            super(file);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            final Action now = action;
            if (now != null && file.path().getFileName().toString().endsWith(suffix))
            {
                now.beforeForce(file.path());
            }
            file.force(metadata);
        }
    }
}
