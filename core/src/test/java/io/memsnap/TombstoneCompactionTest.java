package io.memsnap;

import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deleted key never comes back: not after compaction copies (or drops) the delete records of the segments it
 * empties and the files go, not after a reopen, not after a salvage (which reads every file that is left, the old
 * records of the deleted keys included). Segment 1 holds the first version of the keys deleted later and stays,
 * being mostly live; the delete records lie in segments that compaction empties and that are then deleted.
 */
class TombstoneCompactionTest
{
    private static final int DOOMED = 20;
    private static final int KEEPERS = 300;
    private static final int CHURN = 50;

    @TempDir
    Path dir;

    @Test
    void deletedKeysStayDeletedThroughCompactionReopenAndSalvage() throws Exception
    {
        final Path store = dir.resolve("store");
        final StoreOptions options = StoreOptions.builder().dimension(TestEntries.DIMENSION)
            .segmentSize(StoreOptions.MIN_SEGMENT_SIZE).backgroundCompaction(false).build();
        try (MemoryStore s = MemoryStore.open(store, options))
        {
            for (int n = 0; n < DOOMED; n++)
            {
                s.put("doomed-" + n, TestEntries.vector(n, 0));
            }
            s.put("reborn", TestEntries.vector(1, 0));
            for (int n = 0; n < KEEPERS; n++)
            {
                s.put("keeper-" + n, TestEntries.vector(n, 1));
            }
            for (int n = 0; n < DOOMED; n++)
            {
                assertTrue(s.delete("doomed-" + n));
            }
            assertTrue(s.delete("reborn"));
            for (int round = 0; round < 20; round++)
            {
                for (int n = 0; n < CHURN; n++)
                {
                    s.put("churn-" + n, TestEntries.vector(n, round));
                }
                if (round == 10)
                {
                    s.put("reborn", TestEntries.vector(2, 0)); // deleted, then put again: its delete record must go
                }
            }
            s.snapshot();
            final CompactionResult result = s.compact();
            assertTrue(result.segmentsCompacted() > 1, result.toString());
            for (int i = 0; i <= options.retainedSnapshots(); i++)
            {
                s.snapshot();
            }
            assertTrue(Files.exists(store.resolve(SegmentDescriptor.fileName(1))), "segment 1 is mostly live");
            assertTrue(result.bytesAwaitingDeletion() > 0, result.toString());
            // The snapshots since retired every manifest that needed it: the commits' reclamation deleted it.
            assertFalse(Files.exists(store.resolve(SegmentDescriptor.fileName(2))), "the delete records' segment is " +
                "still there once every snapshot that needed it retired");
            checkContent(s);
        }
        assertFalse(Files.exists(store.resolve(SegmentDescriptor.fileName(2))), "the delete records' segment went");
        try (MemoryStore s = MemoryStore.open(store, options))
        {
            checkContent(s);
            assertTrue(s.verify(true).problems().isEmpty(), s.verify(true).toString());
        }
        final Path salvaged = dir.resolve("salvaged");
        final SalvageReport report = Salvage.salvage(store, salvaged);
        assertTrue(report.nothingLost(), report.toString());
        try (MemoryStore s = MemoryStore.open(salvaged, StoreOptions.builder().readOnly(true).build()))
        {
            checkContent(s);
        }
    }

    private static void checkContent(final MemoryStore s)
    {
        for (int n = 0; n < DOOMED; n++)
        {
            assertFalse(s.contains("doomed-" + n), "doomed-" + n + " came back");
        }
        assertEquals(TestEntries.vector(2, 0), s.get("reborn").orElseThrow().vector());
        assertEquals(KEEPERS + CHURN + 1, s.size());
    }
}
