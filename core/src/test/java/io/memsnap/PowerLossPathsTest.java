package io.memsnap;

import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The paths by which a power loss (or damage found after one) could lose acknowledged data, each built byte for byte
 * from a store the library wrote: the crash image is a copy of the files taken while the writer runs (what the page
 * cache held), then damaged or cut where a power loss or bit rot would.
 */
class PowerLossPathsTest
{
    private static StoreOptions.Builder small()
    {
        return StoreOptions.builder().backgroundCompaction(false)
            .dimension(TestEntries.DIMENSION)
            .segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .checkpointRecords(Long.MAX_VALUE);
    }

    /** @return the persistence operations recorded from entry {@code from} on, as "kind file-name" lines. */
    private static void putRange(final MemoryStore store, final int from, final int to)
    {
        for (int n = from; n < to; n++)
        {
            TestEntries.put(store, n, 1);
        }
    }

    private static Manifest newestManifest(final Path dir) throws IOException
    {
        final ManifestStore manifests = new ManifestStore(StoreFileSystem.real(), dir);
        return manifests.read(manifests.generations().get(0));
    }

    /** A record that sync() acknowledged, damaged: the open refuses and changes nothing (it used to cut there). */
    @Test
    void damageToRecordsThatSyncAcknowledgedIsRefusedAndChangesNothing(@TempDir final Path tmp)
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        try (MemoryStore store = MemoryStore.open(a, small().build()))
        {
            putRange(store, 0, 600);
            store.sync();
            StoreFiles.copyStore(a, b);
        }
        assertTrue(Files.exists(b.resolve(SegmentDescriptor.fileName(3))), "the writes span several segments");
        StoreFiles.flip(b.resolve(SegmentDescriptor.fileName(2)),
            SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH + 3, 0x40);
        final Map<String, String> before = StoreFiles.fingerprint(b);

        final CorruptStoreException ex = assertThrows(CorruptStoreException.class,
            () -> MemoryStore.open(b, small().build()));
        assertTrue(ex.getMessage().contains("acknowledged") && ex.getMessage().contains("salvage"), ex.getMessage());
        assertEquals(before, StoreFiles.fingerprint(b), "a refused open changes nothing");
    }

    /**
     * The newest snapshot's manifest damaged, and a record it holds damaged too: falling back to the previous
     * snapshot must not cut the log at that record (the newer snapshot had acknowledged it).
     */
    @Test
    void fallbackPastADamagedSnapshotDoesNotCutWhatItHeld(@TempDir final Path tmp) throws IOException
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        try (MemoryStore store = MemoryStore.open(a, small().build()))
        {
            putRange(store, 0, 100);
            store.snapshot();
            putRange(store, 100, 400);
            store.snapshot();
            StoreFiles.copyStore(a, b);
        }
        final ManifestStore manifests = new ManifestStore(StoreFileSystem.real(), b);
        final List<Long> generations = manifests.generations();
        final Manifest older = manifests.read(generations.get(1));
        Manifests.flip(b, generations.get(0), 40, 0x01);
        StoreFiles.flip(b.resolve(SegmentDescriptor.fileName(older.tailSegment)),
            older.tailOffset + RecordDescriptor.HEADER_LENGTH + 3, 0x40);
        final Map<String, String> before = StoreFiles.fingerprint(b);

        assertThrows(CorruptStoreException.class, () -> MemoryStore.open(b, small().build()));
        assertEquals(before, StoreFiles.fingerprint(b), "a refused open changes nothing");
    }

    /**
     * A torn record above the durable watermark is a crash's torn tail: the open cuts it, keeps everything
     * acknowledged, and moves the later segments aside instead of deleting them.
     */
    @Test
    void aTornTailAboveTheWatermarkIsCutAndLaterSegmentsAreMovedAside(@TempDir final Path tmp) throws IOException
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        final long acknowledged;
        try (MemoryStore store = MemoryStore.open(a, small().build()))
        {
            putRange(store, 0, 100);
            store.sync();
            acknowledged = store.lastSequence();
            putRange(store, 100, 700);
            StoreFiles.copyStore(a, b);
        }
        final DurableWatermark.Mark mark = DurableWatermark.read(b);
        assertEquals(acknowledged, mark.lastSequence);
        final int segment = IndexPageDescriptor.segmentId(mark.tailAddress);
        StoreFiles.flip(b.resolve(SegmentDescriptor.fileName(segment)),
            IndexPageDescriptor.offset(mark.tailAddress) + RecordDescriptor.HEADER_LENGTH + 3, 0x40);
        final Set<String> later = new TreeSet<>();
        for (int id = segment + 1; StoreFiles.isStartedSegment(b.resolve(SegmentDescriptor.fileName(id))); id++)
        {
            later.add(SegmentDescriptor.fileName(id));
        }
        assertFalse(later.isEmpty(), "the unacknowledged writes span later segments");

        try (MemoryStore store = MemoryStore.open(b, small().build()))
        {
            assertEquals(acknowledged, store.lastSequence());
            assertNotNull(store.recoveryReport().tailCut());
            for (int n = 0; n < 100; n++)
            {
                final int k = n;
                assertTrue(TestEntries.matches(store.get(TestEntries.id(n)).orElseThrow(), k, 1));
            }
        }
        final Set<String> aside = new TreeSet<>();
        try (var files = Files.list(b.resolve(StoreDirectory.QUARANTINE)))
        {
            files.forEach(p -> aside.add(p.getFileName().toString().replaceAll("\\.\\d+$", "")));
        }
        assertTrue(aside.containsAll(later), "moved aside: " + aside + ", later segments: " + later);
    }

    /**
     * Records replayed after a crash of the process were never flushed: recovery flushes them before the reopened
     * store acknowledges anything (an EVERY_WRITE put flushes only its own segment).
     */
    @Test
    void recoveryFlushesTheRecordsItReplays(@TempDir final Path tmp)
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        try (MemoryStore store = MemoryStore.open(a, small().build()))
        {
            putRange(store, 0, 400);
            StoreFiles.copyStore(a, b);
        }
        final Set<String> segments = new TreeSet<>();
        for (int id = 1; StoreFiles.isStartedSegment(b.resolve(SegmentDescriptor.fileName(id))); id++)
        {
            segments.add("force " + SegmentDescriptor.fileName(id));
        }
        assertTrue(segments.size() >= 3, "the writes span several segments: " + segments);
        final RecordingFileSystem fs = new RecordingFileSystem(b);
        try (MemoryStore store = MemoryStore.open(b, small().durability(Durability.EVERY_WRITE).build(), fs))
        {
            assertEquals(400, store.size());
            final List<String> done = operations(fs, 0);
            assertTrue(done.containsAll(segments), "flushed at open: " + done);
        }
    }

    /**
     * After a power loss the replay can stop at a lost page with records of the lost timeline after it. A writer
     * that appended there would, once its records reach those, have them spliced into the log by the next replay.
     */
    @Test
    void aWriterNeverAppendsInFrontOfStaleRecords(@TempDir final Path tmp) throws IOException
    {
        final Path a = tmp.resolve("a");
        final Path b = tmp.resolve("b");
        try (MemoryStore store = MemoryStore.open(a, small().build()))
        {
            for (int n = 0; n < 60; n++)
            {
                putFixedSize(store, n, 1);
                if (n == 9)
                {
                    store.snapshot();
                }
            }
            StoreFiles.copyStore(a, b);
        }
        final Manifest manifest = newestManifest(b);
        assertEquals(10, manifest.lastSequence);
        final int record = RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(8, 5, 0));
        final Path segment = b.resolve(SegmentDescriptor.fileName(manifest.tailSegment));
        // The pages holding records 11 to 30 were lost; those of 31 to 60 reached the disk.
        StoreFiles.zero(segment, manifest.tailOffset, 20 * record);

        try (MemoryStore store = MemoryStore.open(b, small().build()))
        {
            assertEquals(10, store.lastSequence());
            for (int n = 10; n < 30; n++)
            {
                putFixedSize(store, n, 2);
            }
        }
        try (MemoryStore store = MemoryStore.open(b, small().build()))
        {
            assertEquals(30, store.lastSequence(), "records of the lost timeline were spliced in");
            assertFalse(store.contains(id(30)));
            assertEquals(2.0f, store.get(id(29)).orElseThrow().importance());
        }
    }

    private static String id(final int n)
    {
        return String.format("s%04d", n);
    }

    /** Puts entry {@code n} as a record of the same length whatever {@code n} and {@code version}. */
    private static void putFixedSize(final MemoryStore store, final int n, final int version)
    {
        final int[] indices = new int[8];
        final float[] values = new float[8];
        for (int i = 0; i < 8; i++)
        {
            indices[i] = n * 8 + i;
            values[i] = version + i;
        }
        store.put(id(n), SparseVector.of(indices, values), version, 1_700_000_000_000L, null);
    }

    /** A second writer is refused by the lock before it looks at the directory. */
    @Test
    void aSecondWriterIsRefusedByTheLockBeforeItLooks(@TempDir final Path tmp) throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            TestEntries.put(store, 1, 1);
            Files.writeString(dir.resolve("notes.txt"), "not memsnap's");
            assertThrows(StoreLockedException.class, () -> MemoryStore.open(dir, small().build()));
            Files.delete(dir.resolve("notes.txt"));
        }
    }

    /**
     * Retention's deletes of manifest files (those of a store migrated from 3.x) are made durable before the snapshot
     * returns; a slot it frees (its first sector zeroed) is made durable by the next commit, which forces the same
     * file, before the commit writes over it.
     */
    @Test
    void retentionSyncsTheDirectoryAfterItDeletesAFileAndTheNextCommitFlushesAFreedSlot(@TempDir final Path tmp)
    {
        final Path dir = tmp.resolve("store");
        GoldenStores.unpack("v3.0", dir);
        Migration.migrate(dir);
        final RecordingFileSystem fs = new RecordingFileSystem(tmp);
        int filesDeleted = 0;
        int slotsFreed = 0;
        try (MemoryStore store = MemoryStore.open(dir, GoldenStores.options().toBuilder().retainedSnapshots(2)
            .build(), fs))
        {
            boolean freedBefore = false;
            for (int i = 0; i < 6; i++)
            {
                store.put("entry-" + i, SparseVector.of(new int[] {i}, new float[] {1f}), 0.5f, i, null);
                final int from = fs.journal().size();
                store.snapshot();
                final List<String> lines = operations(fs, from);
                int lastDelete = -1;
                int free = -1;
                for (int j = 0; j < lines.size(); j++)
                {
                    lastDelete = lines.get(j).startsWith("delete manifest-") ? j : lastDelete;
                    free = lines.get(j).startsWith("write manifests.mss") && lines.get(j).endsWith(" 512") ? j : free;
                }
                if (lastDelete >= 0)
                {
                    filesDeleted++;
                    assertTrue(lines.subList(lastDelete, lines.size()).stream().anyMatch(l ->
                        l.startsWith("sync directory")), "no directory sync after " + lines.get(lastDelete) + ": " +
                        lines);
                }
                if (freedBefore)
                {
                    assertTrue(lines.indexOf("force manifests.mss") >= 0, "the commit flushes the slots: " + lines);
                }
                freedBefore = free >= 0;
                slotsFreed += freedBefore ? 1 : 0;
            }
        }
        assertTrue(filesDeleted > 0, "retention deleted no manifest file");
        assertTrue(slotsFreed > 0, "retention freed no slot");
    }

    private static List<String> operations(final RecordingFileSystem fs, final int from)
    {
        final List<JournalEntry> entries = fs.journal().entries();
        final List<String> lines = new java.util.ArrayList<>();
        for (final JournalEntry e : entries.subList(from, entries.size()))
        {
            if (e.kind == JournalEntry.Kind.WRITE)
            {
                lines.add("write " + e.path.getFileName() + " " + e.bytes.length);
            }
            else if (!e.kind.isMarker() && e.path != null)
            {
                lines.add(e.toString());
            }
        }
        return lines;
    }
}
