package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class IndexFileSpaceTest
{
    private static final int ENTRIES = Integer.getInteger("memsnap.space.entries", 400_000);
    private static final int ROUNDS = Integer.getInteger("memsnap.space.rounds", 300);
    private static final int WRITES_PER_ROUND = Integer.getInteger("memsnap.space.writes", 2_000);

    @TempDir
    Path dir;

    @Test
    void run()
    {
        final double ratio = Double.parseDouble(System.getProperty("memsnap.space.ratio", "2"));
        final StoreOptions options = StoreOptions.builder().dimension(TestEntries.DIMENSION).retainedSnapshots(2)
            .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).indexCompactionRatio(ratio)
            .indexCompactionMinBytes(1 << 20).verifyChecksumsOnRead(false).build();
        final SparseVector vector = SparseVector.of(new int[] {1, 2, 3}, new float[] {1, 2, 3});
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                store.put("mem-" + i, vector, 1, i, null);
            }
            store.checkpoint();
            store.snapshot();
            final SplittableRandom random = new SplittableRandom(1);
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int w = 0; w < WRITES_PER_ROUND; w++)
                {
                    store.put("mem-" + random.nextInt(ENTRIES), vector, 1, round, null);
                }
                store.checkpoint();
                store.snapshot();
                final long reach = IndexFiles.reachablePages(store);
                final long allocated = IndexFiles.allocatedBytes(dir);
                System.out.println("round " + round + " reach " + reach + " allocated " + allocated / 4096 +
                    " ratio " + (double)allocated / 4096 / reach + " files " + IndexFiles.generations(dir) +
                    " apparent " + IndexFiles.apparentBytes(dir) / 4096);
            }
        }
    }
}
