package io.memsnap.internal.segment;

import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.Threads;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes the tail segment's appended bytes durable ahead of the next snapshot, on a daemon thread of its own
 * ({@code memsnap-writeback DIR}): each time the writer has appended {@code everyBytes} more to the log, the thread
 * flushes the segment it appended to ({@code FileChannel.force}, fdatasync, through a handle of its own, opened for the
 * flush). A snapshot
 * or {@code sync()} then flushes only what came after, so its time follows the bytes appended since the last
 * write-back rather than since the last snapshot; the disk writes each byte once either way. This is what RocksDB
 * calls {@code bytes_per_sync}: the kernel would write the pages back on its own some 30 seconds later, and a flush
 * of them then would wait for all of them at once.
 *
 * <p>It also flushes each segment the writer seals (rolls past), once, a millisecond after the roll, and marks it
 * durable ({@link Segment#markDurableSealed}): a snapshot or a {@code sync()} that finds a segment so marked does not
 * flush it again. After a run of rolls (a bulk load into a new store, whose segments start small) such a flush then
 * waits for the tail alone instead of one fdatasync a segment in turn, and these flushes never touch the file the
 * writer is appending to, so the writer's writes do not queue behind them. A segment whose flush here fails, or that
 * the ring had no room for, is simply not marked: the next snapshot flushes it as before.
 *
 * <p>It changes no guarantee: a write is durable after the next {@code sync()} or snapshot, as without it, and a
 * power cut may keep more of what came after than the guarantee says (a prefix of the log, which recovery replays as
 * it replays any valid tail). A failed flush here is logged and otherwise ignored: the snapshot's own flush reports
 * the failure to its caller.
 *
 * <p>Concurrency: {@link #appended} by the single writer (under the store's write lock), allocation-free: a plain
 * count, a volatile store and an unpark when the count passes the threshold; the thread coalesces requests that
 * arrive during a flush into one. {@link #start} and {@link #stop} by the store's opening and closing thread.
 */
public final class Writeback
{
    /** The name of the thread, before the store directory's name. */
    public static final String THREAD_PREFIX = "memsnap-writeback ";
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    private static final long STOP_WAIT_MILLIS = 10_000;
    /**
     * Sealed segments that may wait for their flush (a power of two); a writer that rolls faster than the thread
     * flushes leaves the rest unmarked.
     */
    private static final int SEALED_CAPACITY = 64;
    /**
     * How long after the latest roll the thread waits before flushing a sealed segment: the roll that sealed it woke
     * the thread, and a flush at once competed with the writer's put that rolled and the first writes into the new
     * segment (on two cores, the puts that rolled took 718 µs on average with the flush at once, 617 µs with it a
     * millisecond later, in alternating runs of {@code SegmentRollBenchmark}: docs/benchmarks.md, "Design notes").
     */
    private static final long SEALED_FLUSH_DELAY_NANOS = 1_000_000;

    private final StoreFileSystem fs;
    private final Path dir;
    private final int everyBytes;
    private Thread thread;
    private volatile boolean stopping;
    /** The segment to flush, set by the writer and taken by the thread; null when there is none. */
    private volatile Segment pending;
    /**
     * Segments the writer sealed, to flush once each: a ring of one producer (the writer, at {@link #sealedOffered})
     * and one consumer (the thread, at {@link #sealedTaken}), where a slot's null or not is the hand-over.
     */
    private final AtomicReferenceArray<Segment> sealed = new AtomicReferenceArray<>(SEALED_CAPACITY);
    /** When the writer last sealed a segment ({@code System.nanoTime()}): the thread flushes none before the delay. */
    private volatile long sealedAtNanos;
    /** The writer's count of segments offered (under the store's write lock, so any writer thread sees it). */
    private long sealedOffered;
    /** The thread's count of segments taken. */
    private long sealedTaken;
    /** The writer's count of bytes appended since it last asked for a flush. */
    private long unflushed;
    private volatile long flushes;

    /** @param everyBytes the bytes appended between two flushes, at least 1. */
    public Writeback(final StoreFileSystem fs, final Path dir, final int everyBytes)
    {
        if (everyBytes < 1)
        {
            throw new IllegalArgumentException("everyBytes must be at least 1, was " + everyBytes);
        }
        this.fs = fs;
        this.dir = dir;
        this.everyBytes = everyBytes;
    }

    /** Starts the thread. */
    public void start()
    {
        thread = Threads.start(THREAD_PREFIX + dir.getFileName(), this::run);
    }

    /** The writer: {@code bytes} were appended to {@code segment}. Allocates nothing. */
    void appended(final Segment segment, final int bytes)
    {
        unflushed += bytes;
        if (unflushed >= everyBytes)
        {
            unflushed = 0;
            pending = segment;
            final Thread t = thread;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * The writer (under the store's write lock), after it rolled past {@code segment}, every byte of which it had
     * handed to the file before: flush it once and mark it durable. Allocates nothing; if the ring is full the
     * segment is left unmarked.
     */
    void sealed(final Segment segment)
    {
        final int slot = (int)(sealedOffered & (SEALED_CAPACITY - 1));
        if (sealed.get(slot) == null)
        {
            sealedAtNanos = System.nanoTime();
            sealed.set(slot, segment);
            sealedOffered++;
            final Thread t = thread;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    /** @return the flushes this write-back made (for tests and statistics). */
    public long flushes()
    {
        return flushes;
    }

    /**
     * Stops the thread, waiting up to {@value #STOP_WAIT_MILLIS} ms for a flush under way (a disk that stalls longer
     * leaves the daemon thread to finish it and close its handle on its own). Idempotent.
     */
    public void stop()
    {
        stopping = true;
        final Thread t = thread;
        if (t == null)
        {
            return;
        }
        LockSupport.unpark(t);
        final long deadline = System.nanoTime() + STOP_WAIT_MILLIS * 1_000_000L;
        boolean interrupted = false;
        long left;
        while (t.isAlive() && (left = deadline - System.nanoTime()) > 0)
        {
            try
            {
                t.join(Math.max(1, left / 1_000_000L));
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        while (!stopping)
        {
            final int slot = (int)(sealedTaken & (SEALED_CAPACITY - 1));
            final Segment done = sealed.get(slot);
            if (done != null)
            {
                sealed.set(slot, null);
                sealedTaken++;
                // Until a millisecond after the latest roll, not a millisecond a segment: segments that queued while
                // the thread flushed others were sealed long enough ago. An unpark (a tail to flush) ends it early.
                final long wait = sealedAtNanos + SEALED_FLUSH_DELAY_NANOS - System.nanoTime();
                if (wait > 0)
                {
                    LockSupport.parkNanos(this, wait);
                }
                if (!stopping && flush(done)) // stopping: the close flushes what is not marked
                {
                    done.markDurableSealed();
                }
                continue;
            }
            final Segment segment = pending;
            if (segment == null)
            {
                LockSupport.park(this);
                continue;
            }
            pending = null;
            if (!segment.isDurableSealed()) // a tail asked for before its roll, and flushed since as sealed
            {
                flush(segment);
            }
        }
    }

    /**
     * Opens the segment, flushes it and closes it again: a handle kept open would hold a segment that compaction
     * deleted since (its blocks are freed only at the last close), and an open costs microseconds a megabyte.
     *
     * @return whether the flush completed.
     */
    private boolean flush(final Segment segment)
    {
        StoreFile file = null;
        try
        {
            segment.awaitFileSynced();
            file = fs.open(segment.path());
            file.force(false);
            flushes++;
            return true;
        }
        catch (final IOException ex)
        {
            // A segment compacted away since, an interrupt that closed the handle, a failing disk: the snapshot's
            // own flush is the one that reports.
            Thread.interrupted();
            LOG.log(System.Logger.Level.DEBUG, () -> "write-back of " + segment.path() + " failed: " + ex);
            return false;
        }
        finally
        {
            StoreFile.closeQuietly(file); // only flushed through, never written: nothing to lose
        }
    }
}
