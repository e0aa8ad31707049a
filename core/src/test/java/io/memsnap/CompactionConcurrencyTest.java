package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction under concurrent overwrites and deletes: writer threads (each owning a slice of the keys, so that the
 * last write of each key is known) overwrite and delete at random, reader threads check every read against the
 * writes of its key (the version read is at least the last one acknowledged before the read began and at most the
 * last one begun, bit for bit), a snapshot thread commits and so lets compacted segments be deleted, and background
 * compaction runs with a policy eager enough to compact all the time; then every key is compared with its last write,
 * before and after a reopen, and the accounting with a recount from scratch.
 */
class CompactionConcurrencyTest
{
    private static final int WRITERS = 2;
    private static final int READERS = 2;
    private static final int KEYS_PER_WRITER = 2_000;
    private static final int WRITES_PER_WRITER = 60_000;
    /** Version of a deleted key, as the writers publish it. */
    private static final long DELETED = -1;

    @TempDir
    Path dir;

    private StoreOptions options()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .compactionDeadFraction(0.05).compactionLiveFraction(0.9).checkpointRecords(20_000).build();
    }

    @Test
    void readsAndFinalContentMatchTheWritesWhileCompactionRuns() throws Exception
    {
        final int keys = WRITERS * KEYS_PER_WRITER;
        // Per key: the last version whose write returned, and the last one begun (a read may see either).
        final AtomicLongArray done = new AtomicLongArray(keys);
        final AtomicLongArray begun = new AtomicLongArray(keys);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int n = 0; n < keys; n++)
            {
                TestEntries.put(store, n, 0);
            }
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++)
            {
                final int first = w * KEYS_PER_WRITER;
                threads.add(thread("writer-" + w, failure, () -> write(store, first, done, begun, failure)));
            }
            final List<Thread> others = new ArrayList<>();
            for (int r = 0; r < READERS; r++)
            {
                final long seed = r;
                others.add(thread("reader-" + r, failure, () -> read(store, keys, seed, done, begun, stop, reads)));
            }
            others.add(thread("snapshots", failure, () ->
            {
                while (!stop.get())
                {
                    store.snapshot();
                }
            }));
            threads.forEach(Thread::start);
            others.forEach(Thread::start);
            for (final Thread t : threads)
            {
                t.join();
            }
            stop.set(true);
            for (final Thread t : others)
            {
                t.join();
            }
            assertNull(failure.get(), () -> "failed: " + failure.get());
            assertTrue(reads.get() > 0);
            store.compact();
            checkAll(store, done);
            CompactionTest.assertAccountingMatchesRecount(store);
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            checkAll(store, done);
            assertTrue(store.verify(true).problems().isEmpty(), store.verify(true).toString());
        }
    }

    private static Thread thread(final String name, final AtomicReference<Throwable> failure, final Runnable body)
    {
        return new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable t)
            {
                failure.compareAndSet(null, t);
            }
        }, name);
    }

    private static void write(final MemoryStore store, final int first, final AtomicLongArray done,
        final AtomicLongArray begun, final AtomicReference<Throwable> failure)
    {
        final SplittableRandom random = new SplittableRandom(first);
        for (int i = 1; i <= WRITES_PER_WRITER && failure.get() == null; i++)
        {
            final int n = first + random.nextInt(KEYS_PER_WRITER);
            if (random.nextInt(10) == 0)
            {
                begun.set(n, DELETED);
                store.delete(TestEntries.id(n));
                done.set(n, DELETED);
            }
            else
            {
                begun.set(n, i);
                TestEntries.put(store, n, i);
                done.set(n, i);
            }
        }
    }

    private static void read(final MemoryStore store, final int keys, final long seed, final AtomicLongArray done,
        final AtomicLongArray begun, final AtomicBoolean stop, final AtomicLong reads)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        while (!stop.get())
        {
            final int n = random.nextInt(keys);
            final long before = done.get(n);
            final Optional<MemoryEntry> got = store.get(TestEntries.id(n));
            final long after = begun.get(n);
            reads.incrementAndGet();
            if (got.isEmpty())
            {
                if (before != DELETED && after != DELETED)
                {
                    throw new AssertionError("key " + n + " absent, but written " + before + " before the read");
                }
                continue;
            }
            final long version = Long.parseLong(new String(got.get().metadata(), StandardCharsets.UTF_8)
                .replaceAll(".*\"v\":(-?\\d+).*", "$1"));
            if (!TestEntries.matches(got.get(), n, version))
            {
                throw new AssertionError("key " + n + " version " + version + " read back different");
            }
            // Versions grow with each put of a key: a read returns the one done before it began, or a later one.
            if (before != DELETED && version < before || after != DELETED && version > after)
            {
                throw new AssertionError("key " + n + ": read version " + version + ", written " + before +
                    " before the read and " + after + " at its end");
            }
        }
    }

    private static void checkAll(final MemoryStore store, final AtomicLongArray done)
    {
        long live = 0;
        for (int n = 0; n < done.length(); n++)
        {
            final Optional<MemoryEntry> got = store.get(TestEntries.id(n));
            if (done.get(n) == DELETED)
            {
                assertTrue(got.isEmpty(), "deleted key " + n + " is back");
            }
            else
            {
                live++;
                assertTrue(TestEntries.matches(got.orElseThrow(), n, done.get(n)), "key " + n);
            }
        }
        assertEquals(live, store.size());
    }
}
