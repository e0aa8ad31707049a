package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.SegmentPreparer;
import io.memsnap.internal.segment.Writeback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StoreFileSystem} that stops the calling thread before its n-th operation once armed: a child process that
 * runs a store through it, told where to stop, says so and waits there for its SIGKILL. So the kill lands exactly
 * between two operations of the file system, each of them in turn, instead of at a random time. Every operation goes
 * to the delegate. The operations of the thread that makes segment files ahead of their roll are not counted: it
 * runs on its own schedule, so counting them would move the n-th operation from run to run.
 *
 * <p>Thread safe: the count is atomic.
 */
public final class PausingFileSystem implements StoreFileSystem
{
    /** What runs, on the calling thread, before the operation it stops at; it does not return. */
    @FunctionalInterface
    public interface Pause
    {
        void at(int operation, String what);
    }

    private final StoreFileSystem delegate;
    private final AtomicInteger operations = new AtomicInteger();
    private volatile int stopAt = Integer.MAX_VALUE;
    private volatile Pause pause;
    private volatile boolean armed;

    public PausingFileSystem(final StoreFileSystem delegate)
    {
        this.delegate = delegate;
    }

    /** Counts the operations from now on, and stops before the {@code n}-th (from 1; never if {@code n < 1}). */
    public void arm(final int n, final Pause at)
    {
        operations.set(0);
        stopAt = n < 1 ? Integer.MAX_VALUE : n;
        pause = at;
        armed = true;
    }

    /** @return the operations counted since {@link #arm}. */
    public int operations()
    {
        return operations.get();
    }

    private void before(final String what)
    {
        // The threads that make segment files ahead of their roll and write the log back run on their own schedule:
        // counting their operations would make the n-th operation a different one from run to run.
        final String thread = Thread.currentThread().getName();
        if (armed && !thread.startsWith(SegmentPreparer.THREAD_PREFIX) && !thread.startsWith(Writeback.THREAD_PREFIX))
        {
            final int n = operations.incrementAndGet();
            if (n == stopAt)
            {
                pause.at(n, what);
            }
        }
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        before("create " + file.getFileName());
        return new PausingFile(delegate.create(file));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        before("open " + file.getFileName());
        return new PausingFile(delegate.open(file));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        before("open or create " + file.getFileName());
        return new PausingFile(delegate.openOrCreate(file));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        before("rename " + from.getFileName() + " -> " + to.getFileName());
        delegate.rename(from, to);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        before("delete " + file.getFileName());
        return delegate.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        before("sync directory " + dir.getFileName());
        delegate.syncDirectory(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        before("create directories " + dir.getFileName());
        delegate.createDirectories(dir);
    }

    /** An open file whose writes, flushes and truncates count. Not thread safe, as {@link StoreFile}. */
    private final class PausingFile extends ForwardingStoreFile
    {
        PausingFile(final StoreFile file)
        {
            super(file);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            before("write " + file.path().getFileName() + " at " + position);
            return file.write(src, position);
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            before("truncate " + file.path().getFileName() + " to " + size);
            file.truncate(size);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            before("force " + file.path().getFileName());
            file.force(metadata);
        }
    }
}
