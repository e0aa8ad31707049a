package io.memsnap;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves the concurrency contract of {@link MemoryStore} with real threads on real files:
 *
 * <ul>
 *     <li>Lock-free readers ({@code get}, zero-copy {@code read}, {@code contains}, {@code forEach}) running beside
 *     one writer and a thread looping {@code snapshot()} on a growing store (buckets split, the directory doubles
 *     past one page, segments roll, snapshots freeze and flush meanwhile) only ever see, bit for bit, a version of
 *     an entry that the writer had started to write and not one older than the last it had finished before the
 *     read began; a finished delete is never undone and an unfinished insert is never seen finished; one
 *     {@code forEach} pass never shows an id twice and shows every id that lived throughout the pass.</li>
 *     <li>Every snapshot taken under that load opens read-only, while the writer goes on, as a consistent version
 *     between what was finished before {@code snapshot()} was called and what was started when it returned, with
 *     every index page passing its checksum (a frozen page written after the freeze would fail it).</li>
 *     <li>After the run the store, and the store reopened, hold exactly the writer's final versions.</li>
 *     <li>{@link MemoryStore#close()} while readers, a writer and snapshots hammer the store returns, and every
 *     thread then fails with {@link StoreClosedException}: no other exception and no crash of the JVM (a read of
 *     unmapped memory would kill the forked test JVM).</li>
 *     <li>{@link MemoryStore#sync()} from another thread during writes never fails, and an image of the directory
 *     taken after it returned (files copied while the writer goes on, as a crash would leave them) recovers every
 *     write finished before it was called.</li>
 *     <li>The per-thread scratch of the read path is re-entrant: a read or {@code forEach} nested in a visitor on
 *     the same thread leaves the outer {@link EntryView} on its own entry.</li>
 * </ul>
 */
class ConcurrencyTest
{
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long SYNC_RUN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(15);

    @TempDir
    Path dir;

    private static StoreOptions options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(1 << 20).build();
    }

    @Test
    void readersSeeOnlyWrittenVersionsWhileTheStoreGrowsAndSnapshotsRun() throws Exception
    {
        final History history = new History(130_000, 130_000);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong passes = new AtomicLong();
        final AtomicLong snapshots = new AtomicLong();
        final AtomicLong verifiedSnapshots = new AtomicLong();

        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            // Alone, up to a one-page directory: under the spread placement the densest buckets take keys 1/ln 2
            // times as fast as the mean, so depth 9 comes at about 45,000 ids, and at 60,000 the fullest of 512
            // buckets holds about 200 of 255 slots. The rest, through the doubling to depth 10 (a 2-page directory,
            // at about 80,000 to 90,000 ids), under load.
            for (int n = 0; n < 60_000; n++)
            {
                history.insert(store, n);
            }
            final int depthBefore = globalDepth(store);
            assertTrue(depthBefore <= 9, "depth " + depthBefore);

            final long start = System.nanoTime();
            final List<Thread> threads = new ArrayList<>();
            threads.add(thread("writer", failure, stop, () -> writeUntil(store, history, stop)));
            for (int r = 0; r < 2; r++)
            {
                final long seed = r;
                threads.add(thread("reader-" + r, failure, stop, () -> readUntil(store, history, stop, seed, reads)));
            }
            threads.add(thread("iterator", failure, stop, () -> iterateUntil(store, history, stop, passes)));
            threads.add(thread("snapshotter", failure, stop,
                () -> snapshotUntil(store, history, stop, snapshots, verifiedSnapshots)));
            threads.forEach(Thread::start);
            // At least RUN_NANOS, and on a busy machine as long as it takes (up to the deadline) for every id to
            // go in and for enough snapshots and passes to be checked.
            while (!stop.get() && System.nanoTime() - start < DEADLINE_NANOS &&
                (System.nanoTime() - start < RUN_NANOS || history.inserted() < history.capacity ||
                snapshots.get() < 4 || verifiedSnapshots.get() < 2 || passes.get() < 2))
            {
                Thread.sleep(20);
            }
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join(20_000);
                assertFalse(t.isAlive(), t.getName() + " did not stop");
            }
            rethrow(failure);
            final String summary = "ids " + history.inserted() + ", depth " + depthBefore + " -> " +
                globalDepth(store) + ", snapshots " + snapshots + " (verified " + verifiedSnapshots + "), passes " +
                passes + ", reads " + reads + ", " + (System.nanoTime() - start) / 1_000_000 + " ms";
            assertEquals(history.capacity, history.inserted(), "every id must go in before the deadline: " + summary);
            assertTrue(globalDepth(store) >= 10, "the directory must double past one page under load: " + summary);
            assertTrue(snapshots.get() >= 4 && verifiedSnapshots.get() >= 2, summary);
            assertTrue(passes.get() >= 2 && reads.get() >= 1_000, summary);

            history.assertHolds(store);
            history.overwrite(store, 0);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            history.assertHolds(store);
            assertTrue(store.recoveryReport().replayedRecords() >= 1, store.recoveryReport().toString());
        }
    }

    @Test
    void closeWhileThreadsHammerTheStoreReturnsAndTheyFailWithStoreClosed() throws Exception
    {
        final int n = 20_000;
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < n; i++)
            {
                put(store, i, 0);
            }
            store.snapshot();
        }
        final ExecutorService closer = Executors.newSingleThreadExecutor();
        try
        {
            for (int round = 0; round < 4; round++)
            {
                final MemoryStore store = MemoryStore.open(dir, options());
                assertEquals(n, store.size());
                final List<HammerThread> threads = new ArrayList<>();
                for (int r = 0; r < 3; r++)
                {
                    threads.add(new HammerThread("reader-" + r, r, (random) -> readOnce(store, random, n)));
                }
                threads.add(new HammerThread("writer", 9, (random) -> put(store, random.nextInt(n), 0)));
                threads.add(new HammerThread("snapshotter", 10, (random) -> store.snapshot()));
                threads.forEach(Thread::start);
                for (final HammerThread t : threads)
                {
                    t.awaitWorking();
                }
                Thread.sleep(100 + round * 50);

                final Future<?> closing = closer.submit(store::close);
                closing.get(20, TimeUnit.SECONDS);

                for (final HammerThread t : threads)
                {
                    t.join(20_000);
                    assertFalse(t.isAlive(), t.getName() + " still runs after close");
                    assertTrue(t.operations > 0, t.getName() + " never ran before close");
                    assertTrue(t.ended instanceof StoreClosedException,
                        t.getName() + " ended with " + t.ended + " instead of StoreClosedException");
                }
                assertThrows(StoreClosedException.class, () -> store.get(id(1)));
                assertThrows(StoreClosedException.class, () -> store.forEach(view -> fail("visited")));
                assertThrows(StoreClosedException.class, () -> put(store, 1, 0));
                assertThrows(StoreClosedException.class, store::snapshot);
                store.close();
            }
        }
        finally
        {
            closer.shutdownNow();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(n, store.size());
            for (int i = 0; i < n; i += 97)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0), id(i));
            }
        }
    }

    @Test
    void syncFromAnotherThreadDuringWritesMakesEveryFinishedWriteRecoverable() throws Exception
    {
        final Path store1 = dir.resolve("store");
        final History history = new History(100_000, 0);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicInteger images = new AtomicInteger();
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).segmentSize(64 * 1024).build();

        try (MemoryStore store = MemoryStore.open(store1, options))
        {
            final Thread writer = thread("writer", failure, stop, () -> writeUntil(store, history, stop));
            final Thread syncer = thread("syncer", failure, stop, () ->
            {
                while (!stop.get())
                {
                    final long[] finished = history.completedCopy();
                    final int[] deleted = history.deleteCompletedCopy();
                    store.sync();
                    syncs.incrementAndGet();
                    if (syncs.get() % 25 == 0 && images.get() < 4)
                    {
                        final Path image = dir.resolve("image-" + images.getAndIncrement());
                        copyDirectory(store1, image);
                        try (MemoryStore recovered = MemoryStore.open(image, options))
                        {
                            history.assertRecovered(recovered, finished, deleted);
                        }
                    }
                }
            });
            final long start = System.nanoTime();
            writer.start();
            syncer.start();
            while (!stop.get() && System.nanoTime() - start < DEADLINE_NANOS &&
                (System.nanoTime() - start < SYNC_RUN_NANOS || images.get() < 2))
            {
                Thread.sleep(20);
            }
            stop.set(true);
            writer.join(30_000);
            syncer.join(30_000);
            assertFalse(writer.isAlive() || syncer.isAlive(), "threads did not stop");
            rethrow(failure);
            assertTrue(images.get() >= 2, "syncs: " + syncs.get() + ", images checked: " + images.get());
            store.sync();
            history.assertHolds(store);
        }
        try (MemoryStore store = MemoryStore.open(store1, options))
        {
            history.assertHolds(store);
            assertTrue(store.recoveryReport().replayedRecords() > 0, "the writes were synced, not snapshotted");
        }
    }

    @Test
    void aReadNestedInAVisitorLeavesTheOuterViewOnItsEntry()
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < 100; i++)
            {
                put(store, i, 0);
            }
            final int[] visits = {0};
            assertTrue(store.read(id(1), outer ->
            {
                assertTrue(matches(store.get(id(2)).orElseThrow(), 2, 0));
                assertTrue(store.read(id(3), inner -> checkView(inner, 3, vector(3, 0))));
                store.forEach(inner -> visits[0]++);
                checkView(outer, 1, vector(1, 0));
            }));
            assertEquals(100, visits[0]);
            store.forEach(outer ->
            {
                final int n = numberOf(outer.id());
                assertTrue(store.get(id((n + 1) % 100)).isPresent());
                checkView(outer, n, vector(n, 0));
            });
        }
    }

    // ------------------------------------------------------------------------------------------------ workers

    /**
     * Single writer, until stopped: inserts the ids after those already inserted in order, deleting every tenth id
     * 50 inserts after it was written, and overwrites a random live id with its next version after every fourth
     * insert (and at each step once all ids are in). Deleted ids are never written again.
     */
    private static void writeUntil(final MemoryStore store, final History history, final AtomicBoolean stop)
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (long step = 0; !stop.get(); step++)
        {
            final int n = history.inserted();
            final boolean inserting = n < history.capacity;
            if (inserting)
            {
                history.insert(store, n);
                final int d = n - 50;
                if (d >= 0 && d % 10 == 3)
                {
                    history.deleteStarted.set(d, 1);
                    if (!store.delete(id(d)))
                    {
                        throw new AssertionError("delete of " + id(d) + " found nothing");
                    }
                    history.deleteCompleted.set(d, 1);
                }
            }
            if (!inserting || (step & 3) == 0)
            {
                final int m = random.nextInt(history.inserted());
                if (history.deleteStarted.get(m) == 0)
                {
                    history.overwrite(store, m);
                }
            }
        }
    }

    /** Random {@code get}, zero-copy {@code read} and {@code contains}, each checked against the history. */
    private static void readUntil(final MemoryStore store, final History history, final AtomicBoolean stop,
        final long seed, final AtomicLong reads)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] seen = new long[1];
        while (!stop.get())
        {
            final int limit = history.inserted.get();
            if (limit == 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final int n = random.nextInt(limit);
            final long finished = history.completed.get(n);
            final boolean deleted = history.deleteCompleted.get(n) != 0;
            final long version;
            switch (random.nextInt(3))
            {
                case 0:
                {
                    final Optional<MemoryEntry> e = store.get(id(n));
                    version = e.isPresent() ? history.checkEntry(e.get(), n) : -1;
                    break;
                }
                case 1:
                {
                    seen[0] = -1;
                    final boolean found = store.read(id(n), view -> seen[0] = history.checkView(view, n));
                    if (found != (seen[0] >= 0))
                    {
                        throw new AssertionError("read of " + id(n) + " returned " + found + " but visited " + seen[0]);
                    }
                    version = seen[0];
                    break;
                }
                default:
                {
                    version = store.contains(id(n)) ? Long.MAX_VALUE : -1;
                    break;
                }
            }
            history.checkRead(n, version, finished, deleted, "read");
            reads.incrementAndGet();
        }
    }

    /** Whole passes of {@code forEach}, each checked for duplicates, misses and versions. */
    private static void iterateUntil(final MemoryStore store, final History history, final AtomicBoolean stop,
        final AtomicLong passes)
    {
        final int[] visits = {0};
        do
        {
            final int limit = history.inserted.get();
            final long[] finished = history.completedCopy();
            final int[] deleted = history.deleteCompletedCopy();
            final BitSet seen = new BitSet(limit);
            store.forEach(view ->
            {
                final int n = numberOf(view.id());
                if (seen.get(n))
                {
                    throw new AssertionError("forEach showed " + id(n) + " twice in one pass");
                }
                seen.set(n);
                final long version = (visits[0]++ & 7) == 0 ? history.checkView(view, n) : versionOf(view, n);
                history.checkRead(n, version, finished[n], deleted[n] != 0, "forEach");
            });
            for (int n = 0; n < limit; n++)
            {
                if (finished[n] >= 0 && deleted[n] == 0 && !seen.get(n) && history.deleteStarted.get(n) == 0)
                {
                    throw new AssertionError("forEach missed " + id(n) + ", which lived throughout the pass");
                }
            }
            passes.incrementAndGet();
        }
        while (!stop.get());
    }

    /** Loops snapshot(); every other one is opened read-only beside the running writer and checked. */
    private void snapshotUntil(final MemoryStore store, final History history, final AtomicBoolean stop,
        final AtomicLong snapshots, final AtomicLong verified)
    {
        while (!stop.get())
        {
            final long[] finished = history.completedCopy();
            final int[] deleted = history.deleteCompletedCopy();
            final SnapshotInfo info = store.snapshot();
            final int[] deleteStarted = history.deleteStartedCopy();
            final long[] started = history.startedCopy();
            if (snapshots.incrementAndGet() % 2 != 0)
            {
                continue;
            }
            try (MemoryStore old = MemoryStore.open(dir,
                StoreOptions.builder().readOnly(true).generation(info.generation()).build()))
            {
                assertEquals(info.entryCount(), old.size());
                final BitSet seen = new BitSet();
                final long[] count = {0};
                old.forEach(view ->
                {
                    final int n = numberOf(view.id());
                    assertFalse(seen.get(n), "snapshot shows " + id(n) + " twice");
                    seen.set(n);
                    count[0]++;
                    final long version = (count[0] & 15) == 0 ? history.checkView(view, n) : versionOf(view, n);
                    if (deleted[n] != 0 || version < finished[n] || version > started[n])
                    {
                        throw new AssertionError("snapshot " + info.generation() + " holds version " + version +
                            " of " + id(n) + "; finished before it: " + finished[n] + ", started by its end: " +
                            started[n] + ", deleted before it: " + (deleted[n] != 0));
                    }
                });
                assertEquals(info.entryCount(), count[0], "entries of snapshot " + info.generation());
                for (int n = 0; n < finished.length; n++)
                {
                    if (finished[n] >= 0 && deleteStarted[n] == 0 && !seen.get(n))
                    {
                        throw new AssertionError("snapshot " + info.generation() + " lacks " + id(n));
                    }
                }
            }
            verified.incrementAndGet();
        }
    }

    private static void readOnce(final MemoryStore store, final SplittableRandom random, final int n)
    {
        final int i = random.nextInt(n);
        switch (random.nextInt(4))
        {
            case 0:
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0));
                break;
            case 1:
                assertTrue(store.read(id(i), view -> checkView(view, i, vector(i, 0))));
                break;
            case 2:
                assertTrue(store.contains(id(i)));
                break;
            default:
                final long[] count = {0};
                store.forEach(view -> count[0]++);
                assertEquals(n, count[0]);
                break;
        }
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** What the writer started and finished, per id; readers judge what they saw by it. */
    static final class History
    {
        final int capacity;
        /** Highest version whose put began (-1: none). Set before the put. */
        final AtomicLongArray started;
        /** Highest version whose put returned (-1: none). Set after the put. */
        final AtomicLongArray completed;
        final AtomicIntegerArray deleteStarted;
        final AtomicIntegerArray deleteCompleted;
        /** Ids below this have begun to be inserted. */
        final AtomicInteger inserted = new AtomicInteger();
        /** Version 0 of the first ids, computed once: the writer and the checkers spend their time in the store. */
        private final SparseVector[] firstVersions;

        History(final int capacity, final int cached)
        {
            this.capacity = capacity;
            firstVersions = new SparseVector[cached];
            Arrays.parallelSetAll(firstVersions, n -> TestEntries.vector(n, 0));
            started = new AtomicLongArray(capacity);
            completed = new AtomicLongArray(capacity);
            deleteStarted = new AtomicIntegerArray(capacity);
            deleteCompleted = new AtomicIntegerArray(capacity);
            for (int i = 0; i < capacity; i++)
            {
                started.set(i, -1);
                completed.set(i, -1);
            }
        }

        int inserted()
        {
            return inserted.get();
        }

        SparseVector vector(final int n, final long version)
        {
            return version == 0 && n < firstVersions.length ? firstVersions[n] : TestEntries.vector(n, version);
        }

        /** Writer: inserts version 0 of id n, the next id. */
        void insert(final MemoryStore store, final int n)
        {
            started.set(n, 0);
            inserted.set(n + 1);
            write(store, n, 0);
        }

        /** Writer: writes the next version of live id n. */
        void overwrite(final MemoryStore store, final int n)
        {
            final long version = started.get(n) + 1;
            started.set(n, version);
            write(store, n, version);
        }

        private void write(final MemoryStore store, final int n, final long version)
        {
            store.put(id(n), vector(n, version), importance(n, version), storedAt(n, version), metadata(n, version));
            completed.set(n, version);
        }

        long checkEntry(final MemoryEntry e, final int n)
        {
            final long version = versionOf(e.metadata(), n);
            if (!e.id().equals(id(n)) || !e.vector().equals(vector(n, version)) ||
                Float.floatToRawIntBits(e.importance()) != Float.floatToRawIntBits(importance(n, version)) ||
                e.storedAtMillis() != storedAt(n, version) || !Arrays.equals(e.metadata(), metadata(n, version)))
            {
                throw new AssertionError(id(n) + " does not match its version " + version + " bit for bit: " + e);
            }
            return version;
        }

        long checkView(final EntryView view, final int n)
        {
            final long version = versionOf(view, n);
            ConcurrencyTest.checkView(view, n, vector(n, version));
            return version;
        }

        /**
         * @param version what the read saw: -1 nothing, {@code Long.MAX_VALUE} present (version unknown).
         * @param finished version finished before the read began.
         * @param deleted  whether a delete had finished before the read began.
         */
        void checkRead(final int n, final long version, final long finished, final boolean deleted,
            final String what)
        {
            final long startedNow = started.get(n);
            final boolean deleting = deleteStarted.get(n) != 0;
            if (version < 0)
            {
                if (finished >= 0 && !deleting)
                {
                    throw new AssertionError(what + " of " + id(n) + " found nothing though version " + finished +
                        " was finished before it began and no delete started");
                }
                return;
            }
            if (deleted)
            {
                throw new AssertionError(what + " of " + id(n) + " found it though its delete had finished");
            }
            if (version != Long.MAX_VALUE && (version < finished || version > startedNow))
            {
                throw new AssertionError(what + " of " + id(n) + " saw version " + version + "; finished before: " +
                    finished + ", started by its end: " + startedNow);
            }
            if (startedNow < 0)
            {
                throw new AssertionError(what + " of " + id(n) + " found an entry never written");
            }
        }

        long[] completedCopy()
        {
            final int limit = inserted.get();
            final long[] copy = new long[capacity];
            Arrays.fill(copy, -1);
            for (int i = 0; i < limit; i++)
            {
                copy[i] = completed.get(i);
            }
            return copy;
        }

        long[] startedCopy()
        {
            final long[] copy = new long[capacity];
            for (int i = 0; i < capacity; i++)
            {
                copy[i] = started.get(i);
            }
            return copy;
        }

        int[] deleteCompletedCopy()
        {
            final int[] copy = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                copy[i] = deleteCompleted.get(i);
            }
            return copy;
        }

        int[] deleteStartedCopy()
        {
            final int[] copy = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                copy[i] = deleteStarted.get(i);
            }
            return copy;
        }

        /** With the writer stopped: the store holds exactly the finished versions. */
        void assertHolds(final MemoryStore store)
        {
            final int limit = inserted.get();
            long live = 0;
            for (int n = 0; n < limit; n++)
            {
                final Optional<MemoryEntry> e = store.get(id(n));
                if (deleteCompleted.get(n) != 0)
                {
                    assertTrue(e.isEmpty(), id(n) + " was deleted");
                }
                else
                {
                    live++;
                    assertTrue(e.isPresent(), id(n) + " is missing");
                    assertEquals(completed.get(n), checkEntry(e.get(), n), id(n));
                }
            }
            assertEquals(live, store.size());
            final long[] count = {0};
            store.forEach(view -> count[0]++);
            assertEquals(live, count[0]);
        }

        /** A store recovered from an image taken after a sync holds every write finished before the sync. */
        void assertRecovered(final MemoryStore recovered, final long[] finished, final int[] deleted)
        {
            for (int n = 0; n < inserted.get(); n++)
            {
                final Optional<MemoryEntry> e = recovered.get(id(n));
                if (deleted[n] != 0)
                {
                    assertTrue(e.isEmpty(), id(n) + " was deleted before the sync");
                    continue;
                }
                if (finished[n] < 0)
                {
                    continue;
                }
                if (e.isEmpty())
                {
                    assertTrue(deleteStarted.get(n) != 0, id(n) + " version " + finished[n] +
                        " was finished before the sync but is not in the image");
                    continue;
                }
                final long version = checkEntry(e.get(), n);
                assertTrue(version >= finished[n] && version <= started.get(n),
                    id(n) + " recovered at version " + version + ", finished before the sync: " + finished[n]);
            }
        }
    }

    /** Checks every field of the viewed entry bit for bit against the version its metadata names. */
    private static void checkView(final EntryView view, final int n, final SparseVector expected)
    {
        final long version = versionOf(view, n);
        boolean same = view.idEquals(id(n)) && view.nnz() == expected.nnz() &&
            Float.floatToRawIntBits(view.importance()) == Float.floatToRawIntBits(importance(n, version)) &&
            view.storedAtMillis() == storedAt(n, version);
        for (int i = 0; same && i < expected.nnz(); i++)
        {
            same = view.index(i) == expected.index(i) &&
                Float.floatToRawIntBits(view.value(i)) == Float.floatToRawIntBits(expected.value(i));
        }
        if (!same)
        {
            throw new AssertionError("the view of " + id(n) + " does not match its version " + version);
        }
    }

    /** @return the version recorded in the viewed entry's metadata; checks the id, metadata and stored-at. */
    private static long versionOf(final EntryView view, final int n)
    {
        final byte[] metadata = new byte[view.metadataLength()];
        view.getMetadata(metadata, 0);
        final long version = versionOf(metadata, n);
        if (view.storedAtMillis() != storedAt(n, version))
        {
            throw new AssertionError(id(n) + " version " + version + " has stored-at " + view.storedAtMillis());
        }
        return version;
    }

    private static long versionOf(final byte[] metadata, final int n)
    {
        final String json = new String(metadata, StandardCharsets.UTF_8);
        final String prefix = "{\"n\":" + n + ",\"v\":";
        if (!json.startsWith(prefix) || !json.endsWith("}"))
        {
            throw new AssertionError("metadata of " + id(n) + " is not its own: " + json);
        }
        return Long.parseLong(json.substring(prefix.length(), json.length() - 1));
    }

    /** White box: the global depth of the store's index, to prove the directory doubled during the run. */
    private static int globalDepth(final MemoryStore store) throws ReflectiveOperationException
    {
        final Field field = MemoryStore.class.getDeclaredField("index");
        field.setAccessible(true);
        final HashIndex index = (HashIndex)field.get(store);
        final int root = index.rootPage();
        return index.file().buffer(root).getByte(IndexFile.pageOffset(root) + IndexPageDescriptor.DEPTH_OFFSET);
    }

    private static int numberOf(final String id)
    {
        return Integer.parseInt(id.substring("mem-".length()));
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private static Thread thread(final String name, final AtomicReference<Throwable> failure,
        final AtomicBoolean stop, final ThrowingRunnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, new AssertionError(Thread.currentThread().getName() + " failed", ex));
                stop.set(true);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static void rethrow(final AtomicReference<Throwable> failure)
    {
        final Throwable t = failure.get();
        if (t != null)
        {
            throw t instanceof AssertionError ? (AssertionError)t : new AssertionError(t);
        }
    }

    private static void copyDirectory(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        final List<Path> files;
        try (Stream<Path> list = Files.list(from))
        {
            files = list.sorted().toList();
        }
        for (final Path f : files)
        {
            try
            {
                Files.copy(f, to.resolve(f.getFileName()));
            }
            catch (final NoSuchFileException ex)
            {
                // a pending manifest renamed or an old manifest deleted meanwhile, as a crash could leave it
            }
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable
    {
        void run() throws Exception;
    }

    /** Repeats one operation until it throws; remembers what it threw. */
    static final class HammerThread extends Thread
    {
        private final SplittableRandom random;
        private final Consumer<SplittableRandom> operation;
        private final CountDownLatch working = new CountDownLatch(1);
        volatile long operations;
        volatile Throwable ended;

        HammerThread(final String name, final long seed, final Consumer<SplittableRandom> operation)
        {
            super(name);
            setDaemon(true);
            this.random = new SplittableRandom(seed);
            this.operation = operation;
        }

        @Override
        public void run()
        {
            try
            {
                while (true)
                {
                    operation.accept(random);
                    operations++;
                    working.countDown();
                }
            }
            catch (final Throwable t)
            {
                ended = t;
                working.countDown();
            }
        }

        void awaitWorking() throws InterruptedException
        {
            assertTrue(working.await(20, TimeUnit.SECONDS), getName() + " did not start working");
        }
    }
}
