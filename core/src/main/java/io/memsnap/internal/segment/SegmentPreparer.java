package io.memsnap.internal.segment;

import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.Threads;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes the next segment file of a writable store ahead of the roll that needs it, on a daemon thread of its own
 * ({@code memsnap-segments DIR}): creates it with its length (a hole, or zeros with {@code preallocate}), maps it,
 * opens it for the writer, hands it over, then syncs it with its length and its directory entry
 * ({@link PreparedSegment}). The roll, under the write lock, then only writes the new segment's header into it, so
 * that no put waits for a file creation, an extension, a mapping or an fsync; the segment's flushes wait for the
 * file's sync instead, so no record in it is acknowledged before the file is durable.
 *
 * <p>One file at a time: the writer asks for the next segment ({@link #request}) when it opens and after each roll,
 * and takes it at the next roll ({@link #take}). At that roll, a preparation that has not started is cancelled and
 * the writer makes the file itself (and syncs it); one being made is waited for (what is left of it is less than what
 * the writer would otherwise do from the start), one being synced is taken at once; one that failed is thrown to the
 * writer, who makes the file itself and, if that fails too, throws both (the preparation's failure is also logged
 * when it happens). A sync that fails after a roll took the file makes every flush of that segment fail. A prepared
 * file of another length than the roll wants (a record larger than the doubled segment) is deleted and made again by
 * the writer.
 * {@link #stop} deletes a prepared file no roll took; after a crash, recovery deletes it (a segment that was never
 * started, {@link Segment#neverStarted}).
 *
 * <p>Concurrency: {@link #request}, {@link #take} and {@link #cancel} by the single writer, under the store's write
 * lock; {@link #start} and {@link #stop} by the store's opening and closing thread. The hand-over is under this
 * object's monitor; the thread never takes a lock of the store, so a writer waiting for it cannot deadlock.
 */
public final class SegmentPreparer
{
    /** The name of the thread, before the store directory's name. */
    public static final String THREAD_PREFIX = "memsnap-segments ";
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    private static final int NONE = 0;

    private final StoreFileSystem fs;
    private final Path dir;
    private final boolean preallocate;
    private Thread thread;

    // Guarded by this.
    /** The segment asked for and not yet started, or {@link #NONE}. */
    private int wantedId = NONE;
    private int wantedLength;
    /** The segment whose file the thread is making now, or {@link #NONE}. */
    private int preparingId = NONE;
    /** The file made and not yet taken, or null. */
    private PreparedSegment ready;
    /** A handle the writer is done with (its previous segment's), for the thread to close; null if none. */
    private StoreFile toClose;
    /** Why the last preparation failed, for the roll that needs its segment; null if it did not. */
    private IOException failure;
    private int failedId = NONE;
    private boolean stopping;

    /**
     * @param preallocate whether files are written with zeros ({@code StoreOptions.preallocate}) rather than given
     *                    their length as a hole.
     */
    public SegmentPreparer(final StoreFileSystem fs, final Path dir, final boolean preallocate)
    {
        this.fs = fs;
        this.dir = dir;
        this.preallocate = preallocate;
    }

    /** Starts the thread; what was requested before is prepared first. */
    public void start()
    {
        thread = Threads.start(THREAD_PREFIX + dir.getFileName(), this::run);
    }

    /**
     * The writer: asks for the file of segment {@code id} of {@code length} bytes, replacing any earlier request, and
     * hands over {@code sealed}, a handle it no longer writes through (or null), for the thread to close. A prepared
     * file of another segment is deleted by the thread before it makes this one. Allocates nothing.
     */
    void request(final int id, final int length, final StoreFile sealed)
    {
        final StoreFile unclosed;
        synchronized (this)
        {
            unclosed = toClose;
            toClose = sealed;
            if (!stopping && (ready == null || ready.id() != id || ready.length() != length))
            {
                wantedId = id;
                wantedLength = length;
            }
            notifyAll();
        }
        closeQuietly(unclosed); // the thread has not come to it: at most one waits
    }

    /**
     * The writer, at the roll to segment {@code id} of {@code length} bytes: the file prepared for it, waiting for a
     * preparation under way; or null when none was made (the writer makes the file itself).
     *
     * @throws IOException why the preparation of this segment failed (once: the writer then makes the file itself).
     */
    PreparedSegment take(final int id, final int length) throws IOException
    {
        final PreparedSegment taken;
        synchronized (this)
        {
            awaitNotPreparing(id);
            if (wantedId == id)
            {
                wantedId = NONE; // not started: the writer makes it now
            }
            if (failure != null && failedId == id)
            {
                final IOException failed = failure;
                failure = null;
                throw failed;
            }
            if (ready == null || ready.id() != id)
            {
                return null;
            }
            taken = ready;
            ready = null;
        }
        final IOException unsynced = taken.syncFailure();
        if (taken.length() == length && unsynced == null)
        {
            return taken;
        }
        taken.discard(fs);
        if (unsynced != null)
        {
            throw unsynced;
        }
        return null;
    }

    /**
     * The writer, before it makes a segment file of its own choosing (a rewind's): cancels the request, waits for a
     * preparation under way, and deletes the file prepared, if any.
     */
    void cancel() throws IOException
    {
        final PreparedSegment unused;
        synchronized (this)
        {
            wantedId = NONE;
            awaitNotPreparing(NONE);
            unused = ready;
            ready = null;
            failure = null;
        }
        if (unused != null)
        {
            unused.discard(fs);
        }
    }

    /**
     * Stops the thread, waiting for a preparation under way, and deletes the file prepared and not taken. The writer
     * rolls no more. Idempotent.
     */
    public void stop()
    {
        synchronized (this)
        {
            stopping = true;
            notifyAll();
        }
        final Thread t = thread;
        if (t != null && t != Thread.currentThread())
        {
            Threads.joinUninterruptibly(t);
        }
        final PreparedSegment unused;
        final StoreFile unclosed;
        synchronized (this)
        {
            unused = ready;
            ready = null;
            unclosed = toClose;
            toClose = null;
        }
        closeQuietly(unclosed);
        if (unused != null)
        {
            try
            {
                unused.discard(fs);
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not delete the unused " + unused + " of " + dir +
                    "; the next open deletes it", ex);
            }
        }
    }

    /** Monitor held: waits while the thread makes the file of {@code id} ({@link #NONE}: of any segment). */
    private void awaitNotPreparing(final int id)
    {
        Threads.awaitUninterruptibly(this, () -> preparingId == NONE || id != NONE && preparingId != id);
    }

    private static void closeQuietly(final StoreFile file)
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignored)
            {
                // Nothing was written through it that a close could lose: writes are in the page cache already.
            }
        }
    }

    private void run()
    {
        while (true)
        {
            final int id;
            final int length;
            final PreparedSegment stale;
            final StoreFile sealed;
            synchronized (this)
            {
                while (!stopping && wantedId == NONE && toClose == null)
                {
                    try
                    {
                        wait();
                    }
                    catch (final InterruptedException ex)
                    {
                        // nobody interrupts this thread but the JVM's end: look at the state again
                    }
                }
                if (stopping)
                {
                    return;
                }
                sealed = toClose;
                toClose = null;
                id = wantedId;
                length = wantedLength;
                wantedId = NONE;
                preparingId = id;
                stale = id == NONE ? null : ready;
                ready = id == NONE ? ready : null;
                failure = id == NONE ? failure : null;
            }
            closeQuietly(sealed);
            if (id != NONE)
            {
                prepare(id, length, stale);
            }
        }
    }

    /**
     * The thread: makes the file of segment {@code id}, after deleting a file prepared for another, hands it over,
     * then syncs it (a roll may take it meanwhile: its flushes wait for the sync).
     */
    private void prepare(final int id, final int length, final PreparedSegment stale)
    {
        PreparedSegment made = null;
        IOException failed = null;
        try
        {
            if (stale != null)
            {
                stale.discard(fs);
            }
            made = PreparedSegment.make(fs, dir, id, length, preallocate);
        }
        catch (final IOException ex)
        {
            failed = ex;
        }
        catch (final RuntimeException ex)
        {
            failed = new IOException("could not prepare segment " + id + " in " + dir + ": " + ex, ex);
        }
        finally
        {
            synchronized (this)
            {
                preparingId = NONE;
                ready = made;
                failure = failed;
                failedId = failed == null ? NONE : id;
                notifyAll();
            }
        }
        try
        {
            if (made != null)
            {
                made.sync(fs, dir);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failed = ex instanceof IOException ? (IOException)ex : new IOException(ex.toString(), ex);
        }
        if (failed != null)
        {
            LOG.log(System.Logger.Level.WARNING, "could not prepare segment " + id + " of " + dir + " ahead of the " +
                "log; the roll that needs it makes it itself, or, if it started in the file already, its flushes " +
                "fail", failed);
        }
    }
}
