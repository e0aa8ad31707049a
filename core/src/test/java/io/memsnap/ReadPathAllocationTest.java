package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The read path allocates nothing: zero-copy reads, contains and dot products over 100,000 lookups (hits and
 * misses, checksums verified) allocate less than a few hundred bytes in all, measured by HotSpot's per-thread
 * allocation counter.
 */
class ReadPathAllocationTest
{
    private static final int ENTRIES = 5_000;

    @TempDir
    Path dir;

    private double sink;

    @Test
    void zeroCopyReadsDoNotAllocate()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final String[] ids = new String[ENTRIES * 2];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = id(i); // half of them are never stored: misses
        }
        final SparseVector query = vector(7, 0);
        final EntryVisitor visitor = e -> sink += e.dot(query) + e.importance() + e.nnz();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION).build()))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                put(store, i, 0);
            }
            store.snapshot();
            for (int round = 0; round < 20; round++) // warm up: JIT, thread-local read context, segment views
            {
                readAll(store, ids, visitor);
            }
            final long tid = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(tid);
            final int hits = readAll(store, ids, visitor) + readAll(store, ids, visitor);
            final long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertEquals(4 * ENTRIES, hits);
            assertTrue(allocated < 512, "100,000 reads allocated " + allocated + " bytes");
        }
    }

    private static int readAll(final MemoryStore store, final String[] ids, final EntryVisitor visitor)
    {
        int hits = 0;
        for (final String id : ids)
        {
            hits += store.read(id, visitor) ? 1 : 0;
            hits += store.contains(id) ? 1 : 0;
        }
        return hits;
    }
}
