package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotFiles;
import io.memsnap.StoreOptions;
import io.memsnap.VerifyReport;
import io.memsnap.cloud.internal.PartCache;
import io.memsnap.cloud.internal.RemoteManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A read-only replica of the snapshots pushed to a prefix, kept in a local directory: each {@link #poll()} (or the
 * background thread {@link #start(Duration)} runs) looks for a newer remote snapshot, fetches only the parts the
 * directory does not hold yet, checks each, installs the snapshot beside the one being read, opens it read-only,
 * verifies it, and only then switches readers to it, in one atomic step. Readers take the current snapshot with
 * {@link #acquire()}, a few atomic operations that never wait, and keep it, whole, until they close their
 * {@link Lease}; the snapshot before is closed, and its files no later snapshot needs deleted, by the polling
 * thread once its last lease is closed.
 *
 * <p>The directory holds a subdirectory per remote timeline ({@code timeline-T}), files of a timeline only growing:
 * a part is written where no snapshot being read reads.
 *
 * <p>Thread safe: {@link #acquire()} and {@link #status()} from any thread; polls run one at a time.
 */
public final class Follower implements AutoCloseable
{
    private final RemoteStore remote;
    private final Path dir;
    private final PartCache parts;
    private final AtomicReference<Held> current = new AtomicReference<>();
    private final Deque<Held> retired = new ArrayDeque<>();
    private volatile Status status;
    private volatile Thread poller;
    private volatile Exception lastError;
    /** Set by {@link #close()}; a closed follower polls no more. */
    private volatile boolean closed;

    private Follower(final RemoteStore remote, final Path dir)
    {
        this.remote = remote;
        this.dir = dir;
        this.parts = new PartCache(remote);
    }

    /**
     * Follows {@code remote} in {@code dir} (created if needed; a previous follower's directory is reused) and
     * applies the newest remote snapshot before it returns.
     *
     * @throws RemoteNotFoundException if the prefix holds no snapshot yet.
     */
    public static Follower open(final RemoteStore remote, final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final Follower follower = new Follower(remote, dir);
        if (!follower.poll())
        {
            throw new RemoteNotFoundException("no snapshot under " + remote.location() + " to follow: push one first");
        }
        return follower;
    }

    /**
     * Applies the newest remote snapshot if it is newer than the current one.
     *
     * @return whether readers were switched to a new snapshot.
     * @throws RemoteCorruptException if an object of the new snapshot is damaged: the current one stays.
     */
    public synchronized boolean poll() throws IOException
    {
        requireOpen();
        closeRetired();
        final List<Long> generations = remote.generations();
        final Held held = current.get();
        final long applied = held == null ? 0 : held.manifest.generation;
        if (generations.isEmpty() || generations.get(generations.size() - 1) <= applied)
        {
            status = status == null ? null : status.polled(generations.isEmpty() ? 0 :
                generations.get(generations.size() - 1));
            return false;
        }
        final RemoteManifest manifest = remote.manifest(generations.get(generations.size() - 1));
        final Path timeline = dir.resolve("timeline-" + manifest.timeline);
        Files.createDirectories(timeline);
        final long fetched = parts.fetch(manifest, timeline, remote.config().parallelism());
        SnapshotFiles.install(timeline, manifest.storeManifest());
        final MemoryStore store = MemoryStore.open(timeline, StoreOptions.builder().readOnly(true)
            .generation(manifest.localGeneration).build());
        try
        {
            final VerifyReport report = store.verify(false);
            if (!report.ok())
            {
                throw new RemoteCorruptException(remote.location() + "snapshots/" + manifest.generation,
                    "the snapshot does not verify: " + report);
            }
        }
        catch (final RuntimeException ex)
        {
            store.close();
            throw ex;
        }
        final Held next = new Held(store, manifest, timeline);
        current.set(next); // readers acquire the new snapshot from here on
        if (held != null)
        {
            retired.add(held);
            held.release();
        }
        status = new Status(manifest.generation, manifest.localGeneration, manifest.createdAtMillis,
            System.currentTimeMillis(), manifest.generation, fetched);
        closeRetired();
        return true;
    }

    /**
     * Polls every {@code interval} on a daemon thread ({@code memsnap-follow}) until {@link #close()}; a failed poll
     * is retried at the next interval and reported by {@link #lastError()}.
     */
    public synchronized void start(final Duration interval)
    {
        requireOpen();
        if (poller != null)
        {
            throw new IllegalStateException("already polling");
        }
        final Thread t = new Thread(() ->
        {
            while (!closed && !Thread.currentThread().isInterrupted())
            {
                try
                {
                    Thread.sleep(interval.toMillis());
                    poll();
                    lastError = null;
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                catch (final IOException | RuntimeException ex)
                {
                    lastError = ex;
                }
            }
        }, "memsnap-follow " + dir.getFileName());
        t.setDaemon(true);
        poller = t;
        t.start();
    }

    /** @return the failure of the last background poll, or null if it succeeded. */
    public Exception lastError()
    {
        return lastError;
    }

    /**
     * @return the current snapshot, held until the lease is closed. Never waits: a few atomic operations.
     * @throws IllegalStateException if the follower is closed.
     */
    public Lease acquire()
    {
        while (true)
        {
            final Held h = current.get();
            if (h == null)
            {
                throw new IllegalStateException("the follower of " + remote.location() + " is closed");
            }
            if (h.tryRetain())
            {
                return new Lease(h);
            }
            // retired between our read and our retain: the next one is current already
        }
    }

    /** @return what the follower applied and how far behind it is. */
    public Status status()
    {
        return status;
    }

    @Override
    public synchronized void close() throws IOException
    {
        closed = true; // a poll that waited for the monitor meanwhile finds it closed and opens nothing
        final Thread t = poller;
        if (t != null)
        {
            t.interrupt();
        }
        final Held h = current.getAndSet(null);
        if (h != null)
        {
            retired.add(h);
            h.release();
        }
        for (final Held r : retired)
        {
            r.store.close(); // waits for the readers that still hold it
        }
        retired.clear();
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the follower of " + remote.location() + " is closed");
        }
    }

    /** Closes the snapshots no lease holds any more, and deletes what only they needed. */
    private void closeRetired() throws IOException
    {
        boolean closed = false;
        for (final Iterator<Held> it = retired.iterator(); it.hasNext(); )
        {
            final Held h = it.next();
            if (h.refs.get() == 0)
            {
                it.remove();
                h.store.close();
                closed = true;
            }
        }
        if (closed)
        {
            final Map<Path, List<RemoteManifest>> live = new HashMap<>();
            final Held now = current.get();
            for (final Held h : now == null ? retired : concat(retired, now))
            {
                live.computeIfAbsent(h.directory, d -> new ArrayList<>()).add(h.manifest);
            }
            parts.forget(live);
        }
    }

    private static List<Held> concat(final Deque<Held> retired, final Held current)
    {
        final List<Held> all = new ArrayList<>(retired);
        all.add(current);
        return all;
    }

    /** A snapshot being read, and the leases on it (the follower's own included while it is current). */
    static final class Held
    {
        final MemoryStore store;
        final RemoteManifest manifest;
        final Path directory;
        final AtomicInteger refs = new AtomicInteger(1);

        Held(final MemoryStore store, final RemoteManifest manifest, final Path directory)
        {
            this.store = store;
            this.manifest = manifest;
            this.directory = directory;
        }

        boolean tryRetain()
        {
            for (int r = refs.get(); r > 0; r = refs.get())
            {
                if (refs.compareAndSet(r, r + 1))
                {
                    return true;
                }
            }
            return false;
        }

        void release()
        {
            refs.decrementAndGet();
        }
    }

    /** One reader's hold on a snapshot: read it through {@link #store()} until {@link #close()}. Not thread safe. */
    public static final class Lease implements AutoCloseable
    {
        private Held held;

        Lease(final Held held)
        {
            this.held = held;
        }

        /** @return the snapshot, read-only; valid until this lease is closed. */
        public MemoryStore store()
        {
            if (held == null)
            {
                throw new IllegalStateException("lease closed");
            }
            return held.store;
        }

        /** @return the remote generation the snapshot is. */
        public long remoteGeneration()
        {
            return held.manifest.generation;
        }

        @Override
        public void close()
        {
            if (held != null)
            {
                held.release();
                held = null;
            }
        }
    }

    /** What a follower applied last, and how far behind. Thread safe: immutable. */
    public static final class Status
    {
        private final long remoteGeneration;
        private final long localGeneration;
        private final long createdAtMillis;
        private final long appliedAtMillis;
        private final long newestSeen;
        private final long bytesFetched;

        Status(final long remoteGeneration, final long localGeneration, final long createdAtMillis,
            final long appliedAtMillis, final long newestSeen, final long bytesFetched)
        {
            this.remoteGeneration = remoteGeneration;
            this.localGeneration = localGeneration;
            this.createdAtMillis = createdAtMillis;
            this.appliedAtMillis = appliedAtMillis;
            this.newestSeen = newestSeen;
            this.bytesFetched = bytesFetched;
        }

        Status polled(final long newest)
        {
            return new Status(remoteGeneration, localGeneration, createdAtMillis, appliedAtMillis, newest,
                bytesFetched);
        }

        /** @return the remote generation readers get. */
        public long remoteGeneration()
        {
            return remoteGeneration;
        }

        public long localGeneration()
        {
            return localGeneration;
        }

        /** @return how old the snapshot readers get was when it was applied: writer's snapshot to switch. */
        public Duration lag()
        {
            return Duration.ofMillis(Math.max(0, appliedAtMillis - createdAtMillis));
        }

        /** @return remote generations pushed after the one readers get, as of the last poll. */
        public long behind()
        {
            return Math.max(0, newestSeen - remoteGeneration);
        }

        /** @return the bytes the switch to it fetched. */
        public long bytesFetched()
        {
            return bytesFetched;
        }

        @Override
        public String toString()
        {
            return "following remote generation " + remoteGeneration + " (local " + localGeneration + "), lag " +
                lag().toMillis() + " ms, " + behind() + " behind, " + bytesFetched + " bytes fetched";
        }
    }
}
