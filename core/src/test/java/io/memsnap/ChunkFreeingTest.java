package io.memsnap;

import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves that the direct buffers of index chunks a checkpoint replaced by mappings are freed explicitly, while lock-free
 * readers run, without a reader ever reading freed memory:
 *
 * <ul>
 * <li>A writer puts {@value #ENTRIES} entries into a store limited to {@value #LIMIT_MIB} MiB of resident index
 * memory, checkpointing every MiB, while one thread looks up random entries already written (zero-copy, checking
 * each field) and another visits every entry again and again ({@code forEach}, a long read that holds back the
 * freeing of what a checkpoint swapped meanwhile). The index pages created add up to many times the limit; the
 * store's direct buffers never exceed it, the JVM's direct buffer memory grows by no more than it (plus
 * {@value #SLACK_MIB} MiB), chunks are freed, and every read finds its entry intact (a read of a freed chunk would
 * find garbage or crash the test JVM). Before the fix the JVM's direct memory grew with every checkpoint.</li>
 * <li>A put from inside a visitor of the store, at the limit, gets {@link IndexMemoryFullException} rather than
 * waiting forever for its own read to end, and the store goes on once the visit returns.</li>
 * </ul>
 */
class ChunkFreeingTest
{
    private static final int ENTRIES = 300_000;
    private static final int LIMIT_MIB = 16;
    private static final int SLACK_MIB = 8;
    private static final long LIMIT = LIMIT_MIB * 1024L * 1024L;

    @TempDir
    Path dir;

    @Test
    void replacedChunksAreFreedWhileReadersRun() throws Exception
    {
        final String[] ids = new String[ENTRIES];
        for (int i = 0; i < ENTRIES; i++)
        {
            ids[i] = "mem-" + i;
        }
        final int[] indices = {1, 10, 100, 1000};
        final float[] values = new float[4];
        final SparseVector vector = SparseVector.wrap(indices, values);
        final AtomicLong published = new AtomicLong();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong visits = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long directBefore = directMemoryUsed();
        long directPeak = directBefore;
        long storePeak = 0;
        final StoreOptions options = StoreOptions.builder().dimension(1 << 16).checkpointIndexBytes(1L << 20)
            .maxResidentIndexBytes(LIMIT).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final IndexFile file = indexFile(store);
            final Thread lookups = reader("lookups", failure, stop, () ->
            {
                final SplittableRandom random = new SplittableRandom(7);
                final long[] seen = new long[1];
                final EntryVisitor check = view -> seen[0] = checked(view);
                while (!stop.get())
                {
                    final long n = published.get();
                    if (n > 0)
                    {
                        final int i = random.nextInt((int)n);
                        seen[0] = -1;
                        if (!store.read(ids[i], check) || seen[0] != i)
                        {
                            throw new AssertionError(ids[i] + " written, read back as " + seen[0]);
                        }
                        reads.incrementAndGet();
                    }
                }
            });
            final Thread scans = reader("scans", failure, stop, () ->
            {
                while (!stop.get())
                {
                    final long before = published.get();
                    final long[] count = {0};
                    store.forEach(view ->
                    {
                        checked(view);
                        if (++count[0] % 64 == 0)
                        {
                            spin(50_000); // holds the bucket's chunk longer, so that a chunk freed early is noticed
                        }
                    });
                    if (count[0] < before)
                    {
                        throw new AssertionError("forEach saw " + count[0] + " entries of at least " + before);
                    }
                    visits.incrementAndGet();
                }
            });
            for (int i = 0; i < ENTRIES && failure.get() == null; i++)
            {
                values[0] = i;
                store.put(ids[i], vector, i, i, null);
                published.set(i + 1);
                if (i % 1024 == 0)
                {
                    storePeak = Math.max(storePeak, file.directBytes());
                    directPeak = Math.max(directPeak, directMemoryUsed());
                }
            }
            stop.set(true);
            lookups.join();
            scans.join();
            System.out.println("ChunkFreeingTest: " + reads + " lookups and " + visits + " scans beside " + ENTRIES +
                " puts; index pages created " + (long)file.nextPage() * IndexFile.CHUNK_BYTES / IndexFile.CHUNK_PAGES +
                " bytes, chunks freed " + file.freedChunks() + ", store's direct peak " + storePeak + ", JVM's direct " +
                "memory grew by at most " + (directPeak - directBefore));
            assertNull(failure.get(), () -> "a reader failed: " + failure.get());
            assertTrue(reads.get() > 1000 && visits.get() > 2, reads + " lookups and " + visits + " scans ran");
            final long created = (long)file.nextPage() * IndexFile.CHUNK_BYTES / IndexFile.CHUNK_PAGES;
            assertTrue(created > 4 * LIMIT, "the index pages created (" + created + " bytes) must add up to " +
                "many times the limit for the test to mean anything");
            assertTrue(storePeak <= LIMIT, "the store's chunks held " + storePeak + " bytes");
            assertTrue(file.freedChunks() >= (created - LIMIT) / IndexFile.CHUNK_BYTES / 2, "freed only " +
                file.freedChunks() + " chunks of the " + created / IndexFile.CHUNK_BYTES + " created");
        }
        assertTrue(directPeak - directBefore <= LIMIT + SLACK_MIB * 1024L * 1024L, "the JVM's direct memory grew " +
            "by " + (directPeak - directBefore) + " bytes");
    }

    @Test
    void aPutFromInsideAVisitorAtTheLimitIsRefusedInsteadOfWaitingForItself() throws Exception
    {
        final StoreOptions options = StoreOptions.builder().dimension(1 << 16).checkpointIndexBytes(1L << 20)
            .maxResidentIndexBytes(LIMIT).build();
        final SparseVector vector = SparseVector.wrap(new int[] {1, 2}, new float[] {1, 2});
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            store.put("first", vector);
            final long[] written = {0};
            final IndexMemoryFullException refused = assertThrows(IndexMemoryFullException.class, () ->
                store.forEach(view ->
                {
                    for (long i = 0; i < 10_000_000; i++)
                    {
                        store.put("mem-" + i, vector);
                        written[0]++;
                    }
                }));
            assertTrue(refused.getMessage().contains("inside a visitor"), refused.getMessage());
            assertTrue(written[0] > 0, "puts inside the visitor went on until the limit");
            store.put("after", vector);
            assertEquals(written[0] + 2, store.size());
        }
    }

    /** @return the storedAt of the entry, once its other fields are checked against it. */
    private static long checked(final EntryView view)
    {
        final long n = view.storedAtMillis();
        if (view.nnz() != 4 || view.index(3) != 1000 || view.value(0) != (float)n || view.importance() != (float)n)
        {
            throw new AssertionError("entry " + n + " read back damaged");
        }
        return n;
    }

    static void spin(final long nanos)
    {
        final long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end)
        {
            Thread.onSpinWait();
        }
    }

    private interface Body
    {
        void run() throws Exception;
    }

    private static Thread reader(final String name, final AtomicReference<Throwable> failure,
        final AtomicBoolean stop, final Body body)
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
                stop.set(true);
            }
        }, name);
        t.start();
        return t;
    }

    private static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new AssertionError("no direct buffer pool");
    }

    /** White box: the index file of the store. */
    private static IndexFile indexFile(final MemoryStore store) throws ReflectiveOperationException
    {
        final Field field = MemoryStore.class.getDeclaredField("index");
        field.setAccessible(true);
        return ((HashIndex)field.get(store)).file();
    }
}
