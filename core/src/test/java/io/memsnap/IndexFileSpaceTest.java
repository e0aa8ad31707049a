package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.memsnap.internal.format.IndexPageDescriptor.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The index files take disk space proportional to the live index, however long a store is written: copy-on-write
 * leaves a superseded copy of every page a checkpoint saw changed, and without new index file generations the file
 * grows with every checkpoint.
 *
 * <p>{@value #ENTRIES} entries, then {@value #ROUNDS} rounds of {@value #WRITES} random overwrites, each round ended by
 * a checkpoint and a snapshot (two retained), so that every checkpoint copies a large part of the index. After a
 * warm-up of {@value #WARM_UP} rounds, the disk space of all index files (allocated blocks, measured with
 * {@code stat}: the files of later generations are sparse) stays within 4 times the pages the newest checkpoint
 * reaches: the file written to grows to twice the pages a new one would need before one is written (the default
 * ratio), and the file before it stays, with its twice, until the snapshot that names it is retired, while the new
 * one grows by what the checkpoints meanwhile write. With new generations turned off, the same run ends with a file
 * many times larger.
 */
class IndexFileSpaceTest
{
    private static final int ENTRIES = 200_000;
    private static final int ROUNDS = 40;
    private static final int WRITES = 500;
    private static final int WARM_UP = 8;
    private static final SparseVector VECTOR = SparseVector.of(new int[] {1, 2, 3}, new float[] {1, 2, 3});

    @TempDir
    Path dir;

    @Test
    void randomOverwritesKeepTheIndexFilesWithinFourTimesTheLiveIndex()
    {
        double worst = 0;
        long newest = 0;
        try (MemoryStore store = MemoryStore.open(dir, options(StoreOptions.DEFAULT_INDEX_COMPACTION_RATIO)))
        {
            load(store);
            final SplittableRandom random = new SplittableRandom(1);
            for (int round = 0; round < ROUNDS; round++)
            {
                overwrite(store, random, round);
                final long live = (long)IndexFiles.reachablePages(store) * PAGE_SIZE;
                final long allocated = IndexFiles.allocatedBytes(dir);
                newest = IndexFiles.generations(dir).get(IndexFiles.generations(dir).size() - 1);
                if (round >= WARM_UP)
                {
                    worst = Math.max(worst, (double)allocated / live);
                    assertTrue(allocated <= 4 * live, "round " + round + ": the index files " +
                        IndexFiles.generations(dir) + " take " + allocated + " bytes for " + live + " bytes of " +
                        "pages the newest checkpoint reaches");
                    assertTrue(IndexFiles.generations(dir).size() <= 2, "round " + round + ": " +
                        IndexFiles.generations(dir) + ": only the file written to, and the one the older retained " +
                        "snapshot names");
                }
            }
            System.out.println("IndexFileSpaceTest: at most " + worst + " times the live index after the warm-up; " +
                "index file generation " + newest + ", " + IndexFiles.apparentBytes(dir) + " bytes long and " +
                IndexFiles.allocatedBytes(dir) + " allocated");
        }
        assertTrue(newest >= ROUNDS / 8, "new index files were written again and again, the last " + newest);
    }

    @Test
    void withoutNewIndexFilesTheFileGrowsWithEveryCheckpoint()
    {
        try (MemoryStore store = MemoryStore.open(dir, options(Double.POSITIVE_INFINITY)))
        {
            load(store);
            final SplittableRandom random = new SplittableRandom(1);
            for (int round = 0; round < ROUNDS; round++)
            {
                overwrite(store, random, round);
            }
            final long live = (long)IndexFiles.reachablePages(store) * PAGE_SIZE;
            final long allocated = IndexFiles.allocatedBytes(dir);
            System.out.println("IndexFileSpaceTest: without new index files, " + allocated / live + " times the " +
                "live index after " + ROUNDS + " rounds");
            assertEquals(java.util.List.of(0L), IndexFiles.generations(dir));
            assertTrue(allocated > 10 * live, allocated + " bytes for " + live);
        }
    }

    private static StoreOptions options(final double ratio)
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).retainedSnapshots(2)
            .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).indexCompactionRatio(ratio)
            .indexCompactionMinBytes(1 << 20).build();
    }

    private static void load(final MemoryStore store)
    {
        for (int i = 0; i < ENTRIES; i++)
        {
            store.put("mem-" + i, VECTOR, 1, i, null);
        }
        store.checkpoint();
        store.snapshot();
    }

    private static void overwrite(final MemoryStore store, final SplittableRandom random, final int round)
    {
        for (int w = 0; w < WRITES; w++)
        {
            store.put("mem-" + random.nextInt(ENTRIES), VECTOR, 1, round, null);
        }
        store.checkpoint();
        store.snapshot();
    }
}
