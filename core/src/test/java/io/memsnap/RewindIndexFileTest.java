package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Rewinds to a snapshot whose index checkpoint lives in an older index file generation than the one the writer's
 * checkpoints go to: the rewound store holds exactly the target's content, before and after a reopen, its snapshot
 * names the current index file, a deep verify passes, and the old file goes once nothing retained names it.
 */
class RewindIndexFileTest
{
    private static final int ENTRIES = 400;

    @TempDir
    Path dir;

    private final StoreHistory history = new StoreHistory();

    /** A new index file generation at almost every checkpoint; checkpoints only when asked for. */
    private static StoreOptions options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .preallocate(false).retainedSnapshots(2).backgroundCompaction(false).checkpointRecords(Long.MAX_VALUE)
            .checkpointIndexBytes(Long.MAX_VALUE).indexCompactionMinBytes(0)
            .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).build();
    }

    /** Every entry at {@code version}, some deleted, a named state; then a checkpoint. */
    private void version(final MemoryStore store, final long version)
    {
        for (int n = 0; n < ENTRIES; n++)
        {
            if ((n + version) % 13 == 0)
            {
                history.delete(store, id(n));
            }
            else
            {
                history.put(store, id(n), vector(n, version), importance(n, version), storedAt(n, version),
                    metadata(n, version));
            }
        }
        history.putState(store, "state", ("v" + version).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        store.checkpoint();
    }

    private void assertHolds(final MemoryStore store, final long sequence, final String what)
    {
        final StoreHistory.Verification v = history.verify(store, sequence, what);
        assertEquals(0, v.readErrors, what + ": " + v.errorSamples);
    }

    @Test
    void theTargetsPagesComeFromItsOlderIndexFile()
    {
        final SnapshotInfo target;
        final long targetFile;
        final long current;
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            version(store, 1);
            target = store.snapshot();
            targetFile = IndexFiles.durable(store).indexFile;
            store.pin(target.generation(), "keep");
            for (long v = 2; v <= 6; v++)
            {
                version(store, v);
                store.snapshot();
            }
            current = IndexFiles.durable(store).indexFile;
            assertTrue(current > targetFile, "index files " + targetFile + " then " + current + ": " +
                IndexFiles.generations(dir));
        }
        // Reopened: the writer reads the current file, where the target's pages are holes, not what it wrote.
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(current, IndexFiles.durable(store).indexFile);
            assertTrue(Files.exists(IndexFiles.path(dir, targetFile)), "kept: the pinned target names it");
            final RewindResult result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            assertHolds(store, target.lastSequence(), "rewound");
            assertEquals(current, IndexFiles.durable(store).indexFile, "the rewind checkpoints into the current file");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertHolds(store, target.lastSequence(), "reopened after the rewind");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
            for (int n = 0; n < ENTRIES; n += 7)
            {
                history.put(store, id(n), vector(n, 7), importance(n, 7), storedAt(n, 7), metadata(n, 7));
            }
            store.snapshot();
            assertHolds(store, history.lastSequence(), "written after the rewind");
            store.unpin(target.generation());
            for (long v = 8; v <= 10; v++)
            {
                version(store, v);
                store.snapshot();
            }
            assertTrue(store.snapshots().stream().noneMatch(s -> s.generation() == target.generation()));
            assertFalse(Files.exists(IndexFiles.path(dir, targetFile)), "deleted once nothing retained names it: " +
                IndexFiles.generations(dir));
            assertHolds(store, history.lastSequence(), "after the target was retired");
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertHolds(store, history.lastSequence(), "reopened after the old file was deleted");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore rewound = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertHolds(rewound, history.lastSequence(), "read-only");
        }
    }
}
