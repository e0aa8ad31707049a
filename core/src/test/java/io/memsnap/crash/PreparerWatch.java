package io.memsnap.crash;

import io.memsnap.MemoryStore;
import io.memsnap.StoreStats;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.segment.SegmentPreparer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Watches, as the hook of a {@link HookedFileSystem}, the segment files a store's preparer thread
 * ({@code memsnap-segments DIR}) makes ahead of the log, and every create and directory sync of the other threads.
 * A test waits for a file to be prepared ({@link #awaitPrepared}) on this object's monitor, never with a sleep; the
 * wait gives up after a minute (a preparer that never came) with an {@link AssertionError}.
 *
 * <p>Thread safe.
 */
public final class PreparerWatch implements HookedFileSystem.Hook
{
    private static final String PREPARER = SegmentPreparer.THREAD_PREFIX;
    private static final long GIVE_UP_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final TreeSet<Integer> prepared = new TreeSet<>();
    private final List<String> others = new ArrayList<>();
    private Path creating;
    private HookedFileSystem.Hook failing;

    /** Runs {@code hook} before the preparer's creates and directory syncs (to fail or hold them); null for none. */
    public synchronized void onPreparer(final HookedFileSystem.Hook hook)
    {
        this.failing = hook;
    }

    @Override
    public void before(final String operation, final Path path) throws IOException
    {
        final HookedFileSystem.Hook hook;
        synchronized (this)
        {
            if (!Thread.currentThread().getName().startsWith(PREPARER))
            {
                others.add(Thread.currentThread().getName() + ": " + operation + " " + path.getFileName());
                return;
            }
            hook = failing;
        }
        if (hook != null)
        {
            hook.before(operation, path); // outside the monitor: it may hold the preparer at a gate
        }
    }

    @Override
    public synchronized void after(final String operation, final Path path)
    {
        if (!Thread.currentThread().getName().startsWith(PREPARER))
        {
            return;
        }
        if (HookedFileSystem.CREATE.equals(operation))
        {
            creating = path;
        }
        else if (creating != null)
        {
            prepared.add(SegmentDescriptor.parseFileName(creating.getFileName().toString()));
            creating = null;
            notifyAll();
        }
    }

    /** Waits until the preparer has made segment {@code id}'s file and synced it into its directory. */
    public synchronized void awaitPrepared(final int id)
    {
        final long giveUp = System.nanoTime() + GIVE_UP_NANOS;
        while (!prepared.contains(id))
        {
            final long left = giveUp - System.nanoTime();
            if (left <= 0)
            {
                throw new AssertionError("the preparer did not make segment " + id + " (it made " + prepared + ")");
            }
            try
            {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for segment " + id, ex);
            }
        }
    }

    /** Waits until the preparer of {@code store} has made the file of the segment after its tail. */
    public void awaitNextOf(final MemoryStore store)
    {
        int tail = 0;
        for (final StoreStats.SegmentFile s : store.stats().segmentFiles())
        {
            tail = Math.max(tail, SegmentDescriptor.parseFileName(s.name()));
        }
        awaitPrepared(tail + 1);
    }

    /** @return the segments whose files the preparer made so far. */
    public synchronized List<Integer> prepared()
    {
        return new ArrayList<>(prepared);
    }

    /** @return the creates and directory syncs of threads other than the preparer, as "thread: operation file". */
    public synchronized List<String> others()
    {
        return new ArrayList<>(others);
    }

    /** Forgets the operations of the other threads seen so far. */
    public synchronized void clearOthers()
    {
        others.clear();
    }
}
