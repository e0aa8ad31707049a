package io.memsnap;

import io.memsnap.internal.index.IndexFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Readers run while the store switches to new index file generations, without a wrong read or a crash, and the old
 * file's mapping is released only once the readers that may still use it have left.
 *
 * <p>A writer overwrites {@value #ENTRIES} entries at random, with background checkpoints every
 * {@value #CHECKPOINT_RECORDS} records and small thresholds, so that the background thread writes new index files
 * again and again (in steps between checkpoints), and snapshots now and then. Beside it, lookup threads read random
 * entries and check every field against the entry's number; a scanning thread runs {@code forEach} over and over,
 * spinning now and then inside its visitor so that its reads span switches, and checks each entry once. Meanwhile
 * one long {@code forEach} stops inside its visitor: across a switch that happens while it waits (explicit
 * checkpoints write a due index file to the end) and the checkpoints after it, the old file stays mapped; once it
 * returns, the next checkpoint remaps and unmaps it. A read of an unmapped chunk would crash the JVM or read garbage; a read of a page
 * that is a hole in the new file fails its type check.
 */
class IndexFileSwitchReadersTest
{
    private static final int ENTRIES = 100_000;
    private static final int CHECKPOINT_RECORDS = 5_000;
    private static final int WRITES = 300_000;
    private static final int LOOKUP_THREADS = 2;

    @TempDir
    Path dir;

    @Test
    void readersRunWhileTheIndexFileIsReplacedAndHoldTheOldOneUntilTheyLeave() throws Exception
    {
        final StoreOptions options = StoreOptions.builder().dimension(1 << 16).checkpointRecords(CHECKPOINT_RECORDS)
            .indexCompactionRatio(1.5).indexCompactionMinBytes(0).verifyChecksumsOnRead(true).build();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong scans = new AtomicLong();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                put(store, i, 0);
            }
            final IndexFile file = IndexFiles.indexFile(store);
            final Thread[] threads = new Thread[LOOKUP_THREADS + 1];
            for (int t = 0; t < LOOKUP_THREADS; t++)
            {
                final SplittableRandom random = new SplittableRandom(t);
                threads[t] = reader("lookups-" + t, failure, stop, () ->
                {
                    final int n = random.nextInt(ENTRIES);
                    final long[] seen = {-1};
                    if (!store.read("mem-" + n, view -> seen[0] = checked(view)) || seen[0] != n)
                    {
                        throw new AssertionError("mem-" + n + " read back as " + seen[0]);
                    }
                    reads.incrementAndGet();
                });
            }
            threads[LOOKUP_THREADS] = reader("scans", failure, stop, () ->
            {
                final Set<Long> seen = new HashSet<>();
                store.forEach(view ->
                {
                    if (!seen.add(checked(view)))
                    {
                        throw new AssertionError("forEach saw " + view.id() + " twice");
                    }
                    if (seen.size() % 8192 == 0)
                    {
                        ChunkFreeingTest.spin(200_000); // a read that spans checkpoints and switches
                    }
                });
                if (seen.size() != ENTRIES)
                {
                    throw new AssertionError("forEach saw " + seen.size() + " entries of " + ENTRIES);
                }
                scans.incrementAndGet();
            });
            for (final Thread t : threads)
            {
                t.start();
            }

            final long generationBefore = file.generation();
            final SplittableRandom random = new SplittableRandom(42);
            for (int w = 0; w < WRITES && failure.get() == null; w++)
            {
                put(store, random.nextInt(ENTRIES), w + 1);
                if (w % CHECKPOINT_RECORDS == 0)
                {
                    awaitBackgroundCheckpoint(store);
                }
                if (w % 100_000 == 0)
                {
                    store.snapshot();
                }
            }
            assertNull(failure.get(), () -> "a reader failed: " + failure.get());
            final long generationsDuringWrites = file.generation() - generationBefore;

            // One long read that waits inside its visitor across a switch: first, the last switch's old file remapped
            // (only then can the next copy begin).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (file.remapPending())
            {
                assertTrue(System.nanoTime() < deadline, "the readers let the old index file go");
                store.checkpoint();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            final CountDownLatch inside = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final Set<Long> seenByLongRead = new HashSet<>();
            final Thread longRead = reader("long read", failure, null, () ->
                store.forEach(view ->
                {
                    if (!seenByLongRead.add(checked(view)))
                    {
                        throw new AssertionError("the long read saw " + view.id() + " twice");
                    }
                    if (seenByLongRead.size() == 1)
                    {
                        inside.countDown();
                        await(release);
                    }
                }));
            longRead.start();
            assertTrue(inside.await(60, TimeUnit.SECONDS), "the long read started");
            final long generationAtLongRead = file.generation();
            for (int w = 0; file.generation() == generationAtLongRead && w < 500_000 && failure.get() == null; w++)
            {
                put(store, random.nextInt(ENTRIES), WRITES + w + 1);
                if (w % 10_000 == 0)
                {
                    store.checkpoint(); // writes a new index file to the end once it is due
                }
            }
            assertTrue(file.generation() > generationAtLongRead, "a switch while the long read waited");
            for (int w = 0; w < 3 * CHECKPOINT_RECORDS; w++)
            {
                put(store, random.nextInt(ENTRIES), WRITES + w + 1);
            }
            store.checkpoint();
            assertTrue(file.remapPending(), "the long read entered before the switch: the old file stays mapped");
            release.countDown();
            longRead.join();
            assertNull(failure.get(), () -> "a reader failed: " + failure.get());
            assertEquals(ENTRIES, seenByLongRead.size(), "the long read saw every entry once");
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join();
            }
            assertNull(failure.get(), () -> "a reader failed: " + failure.get());
            store.checkpoint();
            assertFalse(file.remapPending(), "remapped once the readers left");
            store.checkpoint();
            assertFalse(file.hasRetiredMappings(), "the old mappings are unmapped");
            System.out.println("IndexFileSwitchReadersTest: " + reads + " lookups and " + scans + " scans; " +
                generationsDuringWrites + " new index files during the writes, index file generation " +
                file.generation() + " at the end");
            assertTrue(generationsDuringWrites >= 2, "the background thread wrote new index files: " +
                generationsDuringWrites);
            assertTrue(reads.get() > 10_000 && scans.get() > 2, reads + " lookups, " + scans + " scans");
            assertTrue(IndexFiles.generations(dir).size() <= 1 + store.snapshots().size(), "only the file written " +
                "to and those the retained snapshots name are left: " + IndexFiles.generations(dir));
        }
    }

    private static void put(final MemoryStore store, final int n, final long version)
    {
        store.put("mem-" + n, SparseVector.of(new int[] {n & 0xFFFF}, new float[] {n}), n, n * 1_000_000L + version,
            null);
    }

    /** @return the entry's number, once every field is checked against it. */
    private static long checked(final EntryView view)
    {
        final long n = Long.parseLong(view.id().substring(4));
        if (view.nnz() != 1 || view.index(0) != (n & 0xFFFF) || view.value(0) != (float)n ||
            view.importance() != (float)n || view.storedAtMillis() / 1_000_000L != n)
        {
            throw new AssertionError("entry " + view.id() + " read back damaged");
        }
        return n;
    }

    /**
     * Paces the writer: waits until the background thread has checkpointed what was written, so that its
     * checkpoints follow {@link #CHECKPOINT_RECORDS} rather than its poll interval.
     */
    private static void awaitBackgroundCheckpoint(final MemoryStore store)
    {
        final long written = store.lastSequence() - CHECKPOINT_RECORDS;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (IndexFiles.durable(store).lastSequence < written)
        {
            assertTrue(System.nanoTime() < deadline, "the background thread checkpoints");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            if (!latch.await(120, TimeUnit.SECONDS))
            {
                throw new AssertionError("never released");
            }
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private interface Body
    {
        void run() throws Exception;
    }

    /** @return a thread running {@code body} until {@code stop} (once if null), keeping the first failure. */
    private static Thread reader(final String name, final AtomicReference<Throwable> failure, final AtomicBoolean stop,
        final Body body)
    {
        return new Thread(() ->
        {
            try
            {
                do
                {
                    body.run();
                }
                while (stop != null && !stop.get() && failure.get() == null);
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, name);
    }
}
