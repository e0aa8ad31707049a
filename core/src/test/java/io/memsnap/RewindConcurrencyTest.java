package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A rewind on a store in use: readers never stop and see, for each entry, the present or the target, never anything
 * else; a visitor holding an entry view across a rewind reads it whole; a writer's writes are each in the safety
 * snapshot or on the new timeline, in the order made (those before the rewind in the safety snapshot, those after
 * in the rewound store); compaction passes running beside rewinds.
 */
class RewindConcurrencyTest
{
    private static final int ENTRIES = 300;

    @TempDir
    Path dir;

    /** Puts version {@code version} of every entry. */
    private static void all(final MemoryStore store, final long version)
    {
        for (int n = 0; n < ENTRIES; n++)
        {
            put(store, n, version);
        }
    }

    @Test
    void readersSeeThePresentOrTheTargetAndWritesLandOnOneTimelineOrTheOther() throws Exception
    {
        try (MemoryStore store = MemoryStore.open(dir, RewindTest.small().build()))
        {
            all(store, 1);
            final long target = store.snapshot().generation();
            all(store, 2);
            store.sync();

            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong reads = new AtomicLong();
            final List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                final int seed = r;
                threads.add(thread("reader-" + r, failure, () ->
                {
                    final java.util.Random random = new java.util.Random(seed);
                    while (!stop.get())
                    {
                        final int n = random.nextInt(ENTRIES);
                        final MemoryEntry e = store.get(id(n)).orElseThrow();
                        assertTrue(matches(e, n, 1) || matches(e, n, 2), "entry " + n + " is neither version: " + e);
                        reads.incrementAndGet();
                    }
                }));
            }
            threads.add(thread("forEach", failure, () ->
            {
                while (!stop.get())
                {
                    final Set<String> seen = new HashSet<>();
                    store.forEach(view ->
                    {
                        final MemoryEntry e = view.toEntry();
                        assertTrue(seen.add(e.id()), "visited twice: " + e.id());
                        final long n = Long.parseLong(e.id().substring(4));
                        assertTrue(n >= ENTRIES || matches(e, n, 1) || matches(e, n, 2), e.toString());
                    });
                }
            }));
            final CountDownLatch writing = new CountDownLatch(50);
            final CountDownLatch rewound = new CountDownLatch(1);
            final java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
            threads.add(thread("writer", failure, () ->
            {
                // Writes before, during and after the rewind, then 100 more.
                for (int after = 0; after < 100; after += rewound.getCount() == 0 ? 1 : 0)
                {
                    put(store, ENTRIES + written.get(), 3);
                    written.incrementAndGet();
                    writing.countDown();
                }
            }));
            final CountDownLatch visiting = new CountDownLatch(1);
            threads.add(thread("visitor", failure, () -> store.read(id(7), view ->
            {
                visiting.countDown();
                await(rewound);
                // The record stays mapped: the view reads whole across the rewind.
                assertTrue(matches(view.toEntry(), 7, 2), view.toEntry().toString());
            })));
            threads.forEach(Thread::start);
            assertTrue(writing.await(30, TimeUnit.SECONDS));
            assertTrue(visiting.await(30, TimeUnit.SECONDS));
            final long readsBefore = reads.get();
            final RewindResult result = store.rewind(target);
            rewound.countDown();
            while (reads.get() < readsBefore + 1000 && failure.get() == null)
            {
                Thread.onSpinWait();
            }
            threads.get(threads.size() - 2).join(); // the writer
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());

            // Each write is in the safety snapshot or on the new timeline: a prefix before, the rest after.
            final int writes = written.get();
            int firstAfter = -1;
            for (int i = 0; i < writes; i++)
            {
                final boolean present = store.contains(id(ENTRIES + i));
                if (present && firstAfter < 0)
                {
                    firstAfter = i;
                }
                assertEquals(firstAfter >= 0, present, "write " + i + " (first on the new timeline: " + firstAfter +
                    ")");
            }
            assertTrue(firstAfter >= 50 && firstAfter <= writes - 100, "first write after the rewind: " + firstAfter +
                " of " + writes);
            try (MemoryStore safety = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                .generation(result.safety().generation()).build()))
            {
                for (int i = 0; i < writes; i++)
                {
                    assertEquals(i < firstAfter, safety.contains(id(ENTRIES + i)), "write " + i);
                }
                for (int n = 0; n < ENTRIES; n++)
                {
                    assertTrue(matches(safety.get(id(n)).orElseThrow(), n, 2));
                }
            }
            for (int n = 0; n < ENTRIES; n++)
            {
                assertTrue(matches(store.get(id(n)).orElseThrow(), n, 1), "entry " + n + " rewound");
            }
        }
    }

    /**
     * Compaction passes (the background thread's, and on demand in a loop) and a writer overwriting every entry run
     * while the store rewinds back and forth: a rewind waits for a running pass and no pass spans a rewind, nothing
     * deadlocks, every read is a whole version of its entry, and the last rewind leaves exactly its target, whose
     * accounting equals a recount, before and after a reopen.
     */
    @Test
    void compactionPassesAndRewindsExcludeEachOther() throws Exception
    {
        final StoreOptions options = RewindTest.small().backgroundCompaction(true).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            all(store, 1);
            final long first = store.snapshot().generation();
            store.pin(first, "first");
            all(store, 2);
            final long second = store.snapshot().generation();
            store.pin(second, "second");

            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicBoolean stopWriting = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong compactions = new AtomicLong();
            final AtomicLong overwrites = new AtomicLong();
            final List<Thread> threads = new ArrayList<>();
            threads.add(thread("compactor", failure, () ->
            {
                while (!stop.get())
                {
                    store.compact();
                    compactions.incrementAndGet();
                }
            }));
            threads.add(thread("writer", failure, () ->
            {
                final java.util.Random random = new java.util.Random(3);
                for (long version = 3; !stopWriting.get(); version++)
                {
                    put(store, random.nextInt(ENTRIES), version);
                    overwrites.incrementAndGet();
                }
            }));
            threads.add(thread("reader", failure, () ->
            {
                final java.util.Random random = new java.util.Random(4);
                while (!stop.get())
                {
                    final int n = random.nextInt(ENTRIES);
                    final MemoryEntry e = store.get(id(n)).orElseThrow();
                    assertTrue(matches(e, n, version(e)), "entry " + n + " is no whole version: " + e);
                }
            }));
            threads.forEach(Thread::start);
            for (int i = 0; i < 8 && failure.get() == null; i++)
            {
                final long wanted = overwrites.get() + 500;
                final long compacted = compactions.get() + 1;
                while ((overwrites.get() < wanted || compactions.get() < compacted) && failure.get() == null)
                {
                    Thread.onSpinWait();
                }
                store.rewind(i % 2 == 0 ? first : second);
            }
            stopWriting.set(true);
            threads.get(1).join();
            store.rewind(first);
            final long compacted = compactions.get() + 2;
            while (compactions.get() < compacted && failure.get() == null)
            {
                Thread.onSpinWait();
            }
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            assertFirstVersions(store);
            store.compact();
            CompactionTest.assertAccountingMatchesRecount(store);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertFirstVersions(store);
            CompactionTest.assertAccountingMatchesRecount(store);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
    }

    private static void assertFirstVersions(final MemoryStore store)
    {
        assertEquals(ENTRIES, store.size());
        for (int n = 0; n < ENTRIES; n++)
        {
            assertTrue(matches(store.get(id(n)).orElseThrow(), n, 1), "entry " + n);
        }
    }

    /** @return the version an entry's metadata names ({@link TestEntries#metadata}). */
    private static long version(final MemoryEntry e)
    {
        final String json = new String(e.metadata(), java.nio.charset.StandardCharsets.UTF_8);
        return Long.parseLong(json.substring(json.indexOf("\"v\":") + 4, json.length() - 1));
    }

    private static Thread thread(final String name, final AtomicReference<Throwable> failure, final Runnable body)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
