package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Puts that replace entries allocate nothing on the writer's thread, automatic snapshots on (whose writer's side
 * is a comparison and a wake-up twice between snapshots): 100,000 of them allocate less than 16 KiB in all (one
 * object a put would be at least 1.6 MB), measured by HotSpot's per-thread allocation counter. The slack is for the
 * store's background threads, which take the write lock now and then: a writer that parks for it gets a queue node
 * (0 to about 4 KiB in all, measured with automatic snapshots on and off alike).
 */
class WritePathAllocationTest
{
    private static final int IDS = 1_000;

    @TempDir
    Path dir;

    @Test
    void replacingPutsDoNotAllocateWithAutomaticSnapshotsOn()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported());
        final String[] ids = new String[IDS];
        final SparseVector[] vectors = new SparseVector[IDS];
        final byte[][] metadata = new byte[IDS][];
        for (int i = 0; i < IDS; i++)
        {
            ids[i] = id(i);
            vectors[i] = vector(i, 0);
            metadata[i] = metadata(i, 0);
        }
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).checkpointRecords(10_000_000)
            .autoSnapshotEveryChanges(10_000_000).autoSnapshotInterval(Duration.ofHours(1)).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int round = 0; round < 30; round++) // warm up: JIT, the index's pages of these ids
            {
                putAll(store, ids, vectors, metadata);
            }
            store.snapshot(); // the next put is the first change since a snapshot: it wakes the thread
            final long tid = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(tid);
            for (int round = 0; round < 100; round++)
            {
                putAll(store, ids, vectors, metadata);
            }
            final long allocated = threads.getThreadAllocatedBytes(tid) - before;
            assertTrue(allocated < 16 * 1024, "100,000 puts allocated " + allocated + " bytes");
        }
    }

    private static void putAll(final MemoryStore store, final String[] ids, final SparseVector[] vectors,
        final byte[][] metadata)
    {
        for (int i = 0; i < ids.length; i++)
        {
            store.put(ids[i], vectors[i], 0.5f, 1_700_000_000_000L, metadata[i]);
        }
    }
}
