package io.memsnap;

import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.internal.segment.Writeback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.memsnap.TestEntries.DIMENSION;
import static io.memsnap.TestEntries.matches;
import static io.memsnap.TestEntries.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log's write-back ({@link StoreOptions#writebackBytes()}): a thread of the store flushes the tail segment
 * after every so many appended bytes, with no snapshot or sync asked for; off, nothing flushes a segment until one
 * is; with {@link Durability#EVERY_WRITE} there is no such thread. What it flushed stays readable and recovers.
 */
class WritebackTest
{
    /** About 1.2 MiB of records with the test entries' shape. */
    private static final int ENTRIES = 2_000;

    @TempDir
    Path dir;

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().dimension(DIMENSION).backgroundCompaction(false);
    }

    @Test
    void theTailSegmentIsFlushedAfterEverySoManyBytesWithNoSnapshotAskedFor() throws Exception
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final AtomicInteger writebacks = new AtomicInteger();
        disk.beforeForce(".seg", file ->
        {
            if (Thread.currentThread().getName().startsWith(Writeback.THREAD_PREFIX))
            {
                writebacks.incrementAndGet();
            }
        });
        try (MemoryStore store = MemoryStore.open(dir, options().writebackBytes(64 * 1024).build(), disk))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                put(store, i, 0);
            }
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (writebacks.get() < 2 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(writebacks.get() >= 2, "flushes by the write-back thread: " + writebacks.get());
            assertEquals(0, store.lastSnapshot() == null ? 0 : store.lastSnapshot().generation(),
                "no snapshot but the first was taken");
            store.snapshot();
        }
        try (MemoryStore reopened = MemoryStore.open(dir, options().build()))
        {
            assertEquals(ENTRIES, reopened.size());
            for (int i = 0; i < ENTRIES; i += 97)
            {
                assertTrue(matches(reopened.get(TestEntries.id(i)).orElseThrow(), i, 0), "entry " + i);
            }
        }
    }

    @Test
    void offOrWithEveryWriteNoThreadFlushesTheLogOnItsOwn() throws Exception
    {
        for (final StoreOptions opts : new StoreOptions[] {options().writebackBytes(0).build(),
            options().writebackBytes(64 * 1024).durability(Durability.EVERY_WRITE).build()})
        {
            final Path storeDir = dir.resolve(opts.durability() + "-" + opts.writebackBytes());
            final InterceptingFileSystem disk = new InterceptingFileSystem();
            final Set<String> flushingThreads = ConcurrentHashMap.newKeySet();
            disk.beforeForce(".seg", file -> flushingThreads.add(Thread.currentThread().getName()));
            try (MemoryStore store = MemoryStore.open(storeDir, opts, disk))
            {
                for (int i = 0; i < (opts.durability() == Durability.EVERY_WRITE ? 200 : ENTRIES); i++)
                {
                    put(store, i, 0);
                }
                Thread.sleep(200);
                assertTrue(flushingThreads.stream().noneMatch(t -> t.startsWith(Writeback.THREAD_PREFIX)),
                    opts + ": " + flushingThreads);
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals(Writeback.THREAD_PREFIX + storeDir.getFileName())),
                    "no write-back thread runs for " + storeDir.getFileName());
            }
        }
    }

    @Test
    void theThreadEndsWithTheStoreAndABadSizeIsRefused() throws Exception
    {
        assertThrows(IllegalArgumentException.class, () -> options().writebackBytes(100));
        assertThrows(IllegalArgumentException.class, () -> options().writebackBytes(-1));
        assertEquals(StoreOptions.DEFAULT_WRITEBACK_BYTES, options().build().writebackBytes());
        final String name = Writeback.THREAD_PREFIX + dir.getFileName();
        try (MemoryStore store = MemoryStore.open(dir, options().build()))
        {
            put(store, 1, 0);
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name)));
        }
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name)) &&
            System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(name)),
            "the thread ended with close()");
    }
}
