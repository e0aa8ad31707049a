package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The index checkpoint bounds what an open replays: the background thread checkpoints on its own after
 * {@code checkpointRecords} records, the next snapshot names the checkpoint, and reopening replays exactly the
 * records after it, giving the same state.
 */
class CheckpointTest
{
    @TempDir
    Path dir;

    @Test
    void backgroundCheckpointBoundsReplay() throws InterruptedException
    {
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).segmentSize(1 << 20)
            .checkpointRecords(1_000).build();
        final SnapshotInfo last;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 5_000; i++)
            {
                put(store, i, 0);
            }
            SnapshotInfo info = store.snapshot();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (info.checkpointSequence() < 1_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                info = store.snapshot();
            }
            assertTrue(info.checkpointSequence() >= 1_000, "the background thread checkpointed: " + info);
            for (int i = 0; i < 300; i++)
            {
                put(store, i, 1);
            }
            last = store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(last.lastSequence() - last.checkpointSequence(), store.recoveryReport().replayedRecords());
            assertEquals(5_000, store.size());
            for (int i = 0; i < 5_000; i++)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, i < 300 ? 1 : 0), id(i));
            }
        }
    }

    /**
     * Index pages created since the last checkpoint wait in memory for it: once they reach checkpointIndexBytes
     * the background thread checkpoints, long before checkpointRecords, and the memory held drops back.
     */
    @Test
    void indexPagesWaitingInMemoryTriggerABackgroundCheckpoint() throws InterruptedException
    {
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).segmentSize(8 << 20)
            .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(StoreOptions.MIN_CHECKPOINT_INDEX_BYTES).build();
        final int n = 120_000; // about 500 bucket pages at the usual fill: 2 MiB, past the 1 MiB budget
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < n; i++)
            {
                store.put("k" + i, SparseVector.of(new int[] {i % DIMENSION}, new float[] {1f}), 1f, i, null);
            }
            SnapshotInfo info = store.snapshot();
            final long deadline = System.nanoTime() + 20_000_000_000L;
            while (info.checkpointSequence() == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
                info = store.snapshot();
            }
            assertTrue(info.checkpointSequence() > 0, "the index budget made the background thread checkpoint");
            assertTrue(info.checkpointSequence() <= n, info.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(n, store.size());
            assertTrue(store.get("k" + (n - 1)).isPresent());
        }
    }

    @Test
    void checkpointIndexBytesHasAFloor()
    {
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.builder().backgroundCompaction(false)
            .checkpointIndexBytes(4096));
    }

    @Test
    void explicitCheckpointBeforeSnapshotMakesReopenReplayNothing()
    {
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).segmentSize(1 << 20).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 2_000; i++)
            {
                put(store, i, 0);
            }
            store.checkpoint();
            final SnapshotInfo info = store.snapshot();
            assertEquals(info.lastSequence(), info.checkpointSequence());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(0, store.recoveryReport().replayedRecords());
            assertEquals(2_000, store.size());
        }
    }

    @Test
    void readOnlyOpenReplaysExactlyToItsSnapshot()
    {
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).segmentSize(1 << 20).build();
        final SnapshotInfo middle;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 1_500; i++)
            {
                put(store, i, 0);
            }
            store.checkpoint();
            for (int i = 0; i < 700; i++)
            {
                put(store, i, 1);
            }
            middle = store.snapshot();
            for (int i = 0; i < 700; i++)
            {
                put(store, i, 2);
            }
            store.snapshot();

            try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
                .readOnly(true)
                .generation(middle.generation()).build()))
            {
                assertEquals(middle.lastSequence() - middle.checkpointSequence(),
                    old.recoveryReport().replayedRecords());
                for (int i = 0; i < 1_500; i++)
                {
                    assertTrue(matches(old.get(id(i)).orElseThrow(), i, i < 700 ? 1 : 0), id(i));
                }
            }
        }
    }
}
