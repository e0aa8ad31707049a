package io.memsnap;

import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.snapshot.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What a power cut can leave of a slot commit (a slot of manifests.mss written in place while the records it names are
 * flushed), built byte for byte: a torn slot, and a slot durable before its records. Neither is damage: the commit was
 * never acknowledged, opens restore the snapshot before it and say why, verify warns, and a writer's open frees the
 * slot for the next commit. A damaged slot (a sector that fails its checksum) is damage: there, it is copied into
 * quarantine and no torn tail is cut after it; anywhere else, it held an older snapshot: verify reports it, opens leave
 * it.
 */
class TornSlotTest
{
    @TempDir
    Path dir;

    private final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
        .dimension(DIMENSION).segmentSize(256 * 1024).build();

    /** The newest snapshot's generation, and its slot. */
    private long newest;
    private int newestSlot;

    /** Entries 0..3, a snapshot after each (three retained), then entries 4 and 5 and a snapshot of them. */
    private void snapshots() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 4; i++)
            {
                put(store, i, 0);
                store.snapshot();
            }
            put(store, 4, 0);
            put(store, 5, 0);
            newest = store.snapshot().generation();
        }
        newestSlot = Manifests.slotOf(dir, newest);
    }

    private Path slots()
    {
        return dir.resolve(ManifestSlotsDescriptor.FILE_NAME);
    }

    @Test
    void aTornSlotIsACommitCutShortNotDamage() throws IOException
    {
        snapshots();
        // The slot's first sectors hold the new bytes, the rest what the slot held before (zeros): a torn write.
        StoreFiles.zero(slots(), ManifestSlotsDescriptor.slotOffset(newestSlot) + 1024, 3072);
        try (MemoryStore store = MemoryStore.open(dir, options.toBuilder().readOnly(true).build()))
        {
            assertEquals(newest - 1, store.recoveryReport().restoredGeneration());
            assertEquals(1, store.recoveryReport().skippedSnapshots().size(), store.recoveryReport().toString());
            assertTrue(store.recoveryReport().skippedSnapshots().get(0).startsWith("slot " + newestSlot + " of " +
                ManifestSlotsDescriptor.FILE_NAME), store.recoveryReport().toString());
            assertEquals(4, store.size());
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
            assertEquals(1, report.warnings().size(), report.toString());
            assertTrue(report.warnings().get(0).what().startsWith("slot " + newestSlot + " does not validate"),
                report.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(newest - 1, store.recoveryReport().restoredGeneration());
            assertEquals(1, store.recoveryReport().skippedSnapshots().size(), store.recoveryReport().toString());
            assertNull(store.recoveryReport().tailCut());
            assertTrue(store.recoveryReport().discardedFiles().isEmpty(), "a torn slot is freed, not kept: " +
                store.recoveryReport());
            assertEquals(6, store.size(), "the records after the snapshot restored are replayed");
            assertTrue(store.verify(true).ok() && store.verify(true).warnings().isEmpty(), "the open freed the slot");
            put(store, 6, 0);
            final SnapshotInfo next = store.snapshot();
            assertEquals(newestSlot, Manifests.slotOf(dir, next.generation()), "the next commit writes the slot");
            assertEquals(List.of(next.generation(), newest - 1, newest - 2), generations(store));
        }
    }

    @Test
    void aSlotDurableBeforeItsRecordsIsNeverCommitted() throws IOException
    {
        snapshots();
        // The power cut came during the commit: no close marked the log clean after it.
        Files.delete(dir.resolve(io.memsnap.internal.format.WatermarkDescriptor.FILE_NAME));
        final Manifest m = Manifests.read(dir, newest);
        // Its records did not reach the disk: the blocks they were written to read as zeros.
        for (final Manifest.FileEntry e : m.segments)
        {
            if (e.flushedFrom < e.committedLength)
            {
                StoreFiles.zero(dir.resolve(io.memsnap.internal.format.SegmentDescriptor.fileName(e.segmentId)),
                    e.flushedFrom, e.committedLength - e.flushedFrom);
            }
        }
        try (MemoryStore store = MemoryStore.open(dir, options.toBuilder().readOnly(true).build()))
        {
            assertEquals(newest - 1, store.recoveryReport().restoredGeneration());
            assertEquals(4, store.size());
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
            assertTrue(report.warnings().stream().anyMatch(w -> w.what().startsWith("snapshot " + newest +
                " was never committed")), report.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(newest - 1, store.recoveryReport().restoredGeneration());
            assertEquals(List.of("generation " + newest), store.recoveryReport().skippedSnapshots().stream()
                .map(l -> l.substring(0, l.indexOf(':'))).collect(Collectors.toList()));
            assertEquals(4, store.size(), "the records were lost with the commit that never completed");
            assertNull(store.recoveryReport().tailCut(), "the log ends cleanly before them");
            assertFalse(generations(store).contains(newest), "the writer's open freed its slot");
            assertTrue(store.verify(true).ok() && store.verify(true).warnings().isEmpty(), store.verify(true).toString());
            put(store, 4, 1);
            final SnapshotInfo next = store.snapshot();
            assertEquals(newestSlot, Manifests.slotOf(dir, next.generation()));
        }
    }

    @Test
    void damageToAnotherSlotIsDamageToAnOlderSnapshotThatVerifyReports() throws IOException
    {
        snapshots();
        final long older = newest - 2;
        final int slot = Manifests.slotOf(dir, older);
        StoreFiles.flip(slots(), ManifestSlotsDescriptor.slotOffset(slot) + ManifestSlotsDescriptor.MANIFEST_OFFSET +
            100, 0x10);
        for (final boolean readOnly : new boolean[] {true, false})
        {
            try (MemoryStore store = MemoryStore.open(dir, options.toBuilder().readOnly(readOnly).build()))
            {
                assertEquals(newest, store.recoveryReport().restoredGeneration());
                assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
                assertEquals(6, store.size());
                assertEquals(List.of(newest, newest - 1), generations(store));
                final VerifyReport report = store.verify(false);
                assertFalse(report.ok(), report.toString());
                assertTrue(report.problems().get(0).what().startsWith("slot " + slot + " does not validate"),
                    report.toString());
            }
        }
    }

    private static List<Long> generations(final MemoryStore store)
    {
        return store.snapshots().stream().map(SnapshotInfo::generation).collect(Collectors.toList());
    }
}
