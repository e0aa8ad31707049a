package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Writeback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StoreFileSystem} that fails on purpose (H2's {@code FilePathUnstable} is the model): it counts the
 * operations of each {@link Op kind} and, once armed with {@link #failNth}, throws an {@link IOException} with a
 * message such as "No space left on device" or "Input/output error" from the n-th operation of one kind after
 * arming, once. A failed operation does nothing, except a write armed as partial, which writes half its bytes first
 * (a disk that filled up inside it). Everything else goes to the delegate.
 *
 * <p>Thread safe: counters are atomic and the fault fires once, whichever thread reaches it, except a thread it spares
 * ({@link #sparing}: a store's background thread that a sweep of one call does not target).
 */
public final class FaultyFileSystem implements StoreFileSystem
{
    /** The kinds of operations counted and failed. */
    public enum Op
    {
        CREATE, OPEN, OPEN_OR_CREATE, WRITE, FORCE, TRUNCATE, EXTEND, RENAME, DELETE, SYNC_DIRECTORY, CREATE_DIRECTORIES
    }

    /** The message of a full disk, as the JDK reports ENOSPC. */
    public static final String NO_SPACE = "No space left on device";
    /** The message of a device error, as the JDK reports EIO. */
    public static final String IO_ERROR = "Input/output error";

    private final StoreFileSystem delegate;
    private final Map<Op, AtomicInteger> counts = new EnumMap<>(Op.class);
    private volatile Op armedOp;
    private volatile int armedAt;
    private volatile String message;
    private volatile boolean partial;
    private volatile boolean fired;
    private volatile String spared;

    public FaultyFileSystem(final StoreFileSystem delegate)
    {
        this.delegate = delegate;
        for (final Op op : Op.values())
        {
            counts.put(op, new AtomicInteger());
        }
    }

    /**
     * Arms one fault: the {@code n}-th operation of kind {@code op} from now throws an {@link IOException} with
     * {@code message}. Resets the counts.
     *
     * @param partial for a write, write half of its bytes before throwing.
     */
    public void failNth(final Op op, final int n, final String message, final boolean partial)
    {
        if (n < 1)
        {
            throw new IllegalArgumentException("n counts from 1, was " + n);
        }
        resetCounts();
        this.message = message;
        this.partial = partial;
        this.fired = false;
        this.armedAt = n;
        this.armedOp = op;
    }

    /**
     * Leaves alone, from now on, the operations of the threads whose name starts with {@code threadPrefix}: they are
     * neither counted nor failed (the segment preparer, {@code "memsnap-segments "}, whose operations run beside the
     * call a sweep fails, in no fixed order with it).
     *
     * @return this.
     */
    public FaultyFileSystem sparing(final String threadPrefix)
    {
        this.spared = threadPrefix;
        return this;
    }

    /** Disarms a fault that has not fired. */
    public void disarm()
    {
        armedOp = null;
    }

    /** @return whether the armed fault fired. */
    public boolean fired()
    {
        return fired;
    }

    public void resetCounts()
    {
        counts.values().forEach(c -> c.set(0));
    }

    /** @return how many operations of each kind ran (or failed) since the counts were reset. */
    public Map<Op, Integer> counts()
    {
        final Map<Op, Integer> copy = new EnumMap<>(Op.class);
        counts.forEach((op, count) -> copy.put(op, count.get()));
        return copy;
    }

    /** Counts an operation and throws if it is the one armed. */
    private void enter(final Op op, final Path path) throws IOException
    {
        if (!failsNow(op))
        {
            return;
        }
        throw new IOException(message + " (injected: " + op + " " + path.getFileName() + ")");
    }

    /** @return whether this operation is the one armed; counts it either way. */
    private boolean failsNow(final Op op)
    {
        final String threads = spared;
        final String name = Thread.currentThread().getName();
        // The log's write-back flushes on its own schedule and ignores its failures: never a target, never counted.
        if (threads != null && name.startsWith(threads) || name.startsWith(Writeback.THREAD_PREFIX))
        {
            return false;
        }
        final int n = counts.get(op).incrementAndGet();
        if (armedOp == op && n == armedAt)
        {
            synchronized (this)
            {
                if (armedOp == op)
                {
                    armedOp = null;
                    fired = true;
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        enter(Op.CREATE, file);
        return new FaultyFile(delegate.create(file));
    }

    @Override
    public StoreFile open(final Path file) throws IOException
    {
        enter(Op.OPEN, file);
        return new FaultyFile(delegate.open(file));
    }

    @Override
    public StoreFile openOrCreate(final Path file) throws IOException
    {
        enter(Op.OPEN_OR_CREATE, file);
        return new FaultyFile(delegate.openOrCreate(file));
    }

    @Override
    public void rename(final Path from, final Path to) throws IOException
    {
        enter(Op.RENAME, from);
        delegate.rename(from, to);
    }

    @Override
    public boolean deleteIfExists(final Path file) throws IOException
    {
        enter(Op.DELETE, file);
        return delegate.deleteIfExists(file);
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        enter(Op.SYNC_DIRECTORY, dir);
        delegate.syncDirectory(dir);
    }

    @Override
    public void createDirectories(final Path dir) throws IOException
    {
        enter(Op.CREATE_DIRECTORIES, dir);
        delegate.createDirectories(dir);
    }

    @Override
    public String toString()
    {
        return "faulty " + delegate;
    }

    /** An open file whose writes, flushes, truncates and extensions can fail. Not thread safe, as {@link StoreFile}. */
    private final class FaultyFile extends ForwardingStoreFile
    {
        FaultyFile(final StoreFile file)
        {
            super(file);
        }

        @Override
        public int write(final ByteBuffer src, final long position) throws IOException
        {
            if (failsNow(Op.WRITE))
            {
                if (partial && src.remaining() > 1)
                {
                    final ByteBuffer half = src.duplicate();
                    half.limit(half.position() + src.remaining() / 2);
                    file.writeFully(half, position);
                }
                throw new IOException(message + " (injected: WRITE " + file.path().getFileName() + ")");
            }
            return super.write(src, position);
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            enter(Op.TRUNCATE, file.path());
            super.truncate(size);
        }

        @Override
        public void extend(final long size) throws IOException
        {
            enter(Op.EXTEND, file.path());
            super.extend(size);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            enter(Op.FORCE, file.path());
            super.force(metadata);
        }
    }
}
