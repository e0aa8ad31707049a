package io.memsnap;

import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.IndexPlacement;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.WatermarkDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.snapshot.IndexPlacementExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.NextSlotExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that damage to any file memsnap writes is either harmless or reported, and never turns into a wrong value
 * or an undeclared exception. In the manner of Lucene's {@code TestAllFilesDetectBitFlips} and
 * {@code TestAllFilesDetectTruncation}: a store with several snapshots (three retained), overwrites, deletes, named
 * state and a tail of writes after the last snapshot crossing into a new segment (five 64 KiB segments, 684 writes,
 * and the file made ahead for the next roll, never started) is built once; then, for
 * every file in its directory (every segment, the index, every manifest; not the lock file, which holds no data),
 * one at a time and on a fresh copy, one byte is flipped (at chosen offsets in every structure and at seeded
 * random ones) or the file is truncated (to 0, to half, to length - 1): about 310 cases. Each damaged copy is
 * opened read-only and then as a writer in the default FALLBACK mode and read in full: {@code get} and {@code contains} of every id ever
 * written, {@code forEach}, {@code getState} of every name ever written, {@code stateNames}, the counts.
 *
 * <p><b>The contract accepted.</b> Open either throws {@link CorruptStoreException} (then no segment or manifest
 * was changed and the index only beyond the pages any manifest commits), or the store holds exactly the state
 * after its first {@code L = lastSequence()} writes, every read returning exactly that state, bit for bit and
 * sequence numbers included, or throwing {@link CorruptStoreException}. Any other exception, or a single wrong
 * bit, fails; so does {@link IncompatibleFormatException}, since checksums are checked before version fields and
 * a flipped version byte must read as damage, not as a newer format. An older state ({@code L} below the full history) is accepted only as such a prefix, only when a
 * segment was damaged, only if it loses nothing written before the damaged byte ({@code L >= s - 1} for the first
 * record {@code s} at or after it; for a damaged header or a truncation, the segment's first record) and only if
 * the recovery report is not clean. A read-only open must change no byte and restore exactly one of the retained
 * snapshots. When the writer's recovery had to repair anything (the first three cases of each kind of repair
 * and file), one more entry is written, snapshotted and read back after a reopen, to prove that the repaired store
 * is consistent.
 *
 * <p><b>Where detection is required.</b> Each damaged byte is classified by the structure it hits. Damage to a
 * structure the newest state depends on (segment headers, the tail after the last snapshot, live records, records
 * the tail replaces, the index header, index pages reachable from the newest root, the newest manifest) must be
 * detected: refused, reported by recovery, or thrown by a read. Damage to structures nothing reads any more (record
 * padding, dead records, unused or unreachable index pages, the unused end of segments, older manifests) must
 * change nothing. Damage to the file made ahead for the next roll is reported where its header and first record go
 * (it no longer reads as never started: moved aside) and changes nothing elsewhere. The report of every (file, damage, outcome) is printed and written to
 * {@code target/corruption-report.txt}; {@code -Dmemsnap.test.seed=N} draws other random offsets and masks,
 * {@code -Dmemsnap.test.randomFlips=N} draws N per file instead of 3 (plus one anywhere in the file).
 */
class CorruptionTest
{
    private static final long SEED = Long.getLong("memsnap.test.seed", 0x5EED_C0DEL);
    private static final int SEGMENT_SIZE = StoreOptions.MIN_SEGMENT_SIZE;
    private static final int DIMENSION = 4096;
    private static final int RANDOM_FLIPS_PER_FILE = Integer.getInteger("memsnap.test.randomFlips", 3);
    private static final String NEW_ID = "written-after-recovery";

    @TempDir
    static Path root;

    private static Path pristine;
    private static StoreHistory history;
    private static Layout layout;
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final Map<String, String> REPORT = new ConcurrentSkipListMap<>();
    private static final int WRITES_AFTER_REPAIR_PER_KIND = 3;
    private static final Map<String, Integer> REPAIRS_WRITTEN = new ConcurrentHashMap<>();

    enum Expect
    {
        /** Damage to something the newest state needs: refused, reported by recovery, or thrown by a read. */
        DETECT,
        /** Damage to something nothing reads: the full state, a clean recovery report, no read error. */
        UNCHANGED,
        /**
         * Damage to a superseded record: the replay at open reads it when it lies after the index checkpoint or
         * is the previous version of a key the replay rewrites, and then refuses to open (nothing changed);
         * otherwise nothing reads it. Either refused, or opened with the full state.
         */
        REFUSED_OR_UNCHANGED
    }

    // ------------------------------------------------------------------------------------------------ fixture

    @BeforeAll
    static void buildStore() throws IOException
    {
        pristine = root.resolve("pristine");
        history = new StoreHistory();
        final Random random = new Random(SEED);
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).segmentSize(SEGMENT_SIZE).build();
        final Writes w = new Writes(random);
        // The fixture is the crash image of a writer that never closed (a close makes everything durable and would
        // leave no unacknowledged tail to damage): the files as they are while it runs, copied.
        final Path live = root.resolve("live");
        final PreparerWatch preparer = new PreparerWatch();
        final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
        fs.hook(preparer);
        try (MemoryStore store = MemoryStore.open(live, options, fs))
        {
            for (int i = 0; i < 150; i++)
            {
                w.putNew(store);
            }
            history.putState(store, "config", w.bytes(300));
            history.putState(store, "history", w.bytes(2000));
            store.snapshot(Map.of("phase", "one", "encoder", "bm25"));

            w.mixed(store, 160);
            history.putState(store, "history", w.bytes(2500));
            history.putState(store, "scratch", w.bytes(64));
            store.snapshot(Map.of("phase", "two"));

            w.mixed(store, 100);
            history.putState(store, "\u00e9tat-\u65e5\u672c", w.bytes(700));
            store.snapshot();

            w.mixed(store, 100);
            history.deleteState(store, "scratch");
            store.snapshot(Map.of("phase", "four"));
            // A sync with nothing new: the durable watermark file, at the newest snapshot's end; the tail after it
            // is unacknowledged, so damage there reads as a torn tail.
            store.sync();

            // The tail: replayed at open, spread over the segments after the last snapshot's tail segment.
            w.overwriteAllLive(store, 25);
            w.mixed(store, 140);
            history.putState(store, "history", w.bytes(3000));
            history.deleteState(store, "config");
            history.putState(store, "config", w.bytes(100));
            // An index checkpoint that no manifest names: its pages lie past the newest snapshot's committed ones,
            // where an open finds pages written but never committed.
            store.checkpoint();
            assertEquals(history.lastSequence(), store.lastSequence());
            // With the file made ahead for the next roll, which a crash leaves too: a segment never started.
            preparer.awaitNextOf(store);
            StoreFiles.copyStore(live, pristine);
        }
        layout = new Layout(pristine, history);
        assertTrue(layout.segments.size() >= 5, "fixture should span several segments: " + layout.segments.keySet());
        assertTrue(layout.manifestGenerations.size() >= 3, "fixture should retain several snapshots");
        assertTrue(layout.tailSegmentsBeyondNewest() >= 1, "the tail should reach past the newest snapshot's segment");
        assertEquals(1, layout.neverStarted(), "the fixture should hold the file made ahead for the next roll");
        assertTrue(history.lastSequence() > layout.newest.lastSequence, "the fixture should have a tail to replay");
    }

    @AfterAll
    static void printReport() throws IOException
    {
        if (REPORT.isEmpty())
        {
            return;
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("memsnap corruption report: seed=0x").append(Long.toHexString(SEED)).append(", ")
            .append(REPORT.size()).append(" damage cases, full history ").append(history.lastSequence())
            .append(" writes, newest snapshot generation ").append(layout.newestGeneration).append(" at sequence ")
            .append(layout.newest.lastSequence).append('\n');
        final Map<String, Integer> summary = new TreeMap<>();
        for (final Map.Entry<String, String> e : REPORT.entrySet())
        {
            sb.append(e.getKey()).append(" -> ").append(e.getValue()).append('\n');
            final String file = e.getKey().substring(0, e.getKey().indexOf(' '));
            final String kind = file.startsWith("segment") ? "segment" : file.startsWith("manifest") ? "manifest" :
                "index";
            final String outcome = e.getValue().substring(0, e.getValue().indexOf(';'));
            final String shape = outcome.replaceAll("\\([^)]*\\)+", "").replaceAll("=?[0-9]+", "")
                .replace(", write after repair ok", "");
            summary.merge(kind + " " + e.getKey().split(" ")[1] + ": " + shape, 1, Integer::sum);
        }
        final StringBuilder totals = new StringBuilder("summary (file kind, damage, writer outcome):\n");
        summary.forEach((k, v) -> totals.append(String.format("  %5d  %s%n", v, k)));
        sb.append(totals);
        final Path target = Path.of("target");
        if (Files.isDirectory(target))
        {
            final Path file = target.resolve("corruption-report.txt");
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
            {
                out.write(sb.toString());
            }
            System.out.println(sb.substring(0, sb.indexOf("\n") + 1) + totals + "every case: " + file.toAbsolutePath());
        }
        else
        {
            System.out.println(sb);
        }
    }

    // ------------------------------------------------------------------------------------------------ sweeps

    @Test
    void undamagedCopyOpensCleanWithEverything()
    {
        final Path dir = freshCopy("control");
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            assertEquals(layout.newestGeneration, store.recoveryReport().restoredGeneration());
            assertEquals(history.lastSequence() - layout.newest.checkpoint.lastSequence,
                store.recoveryReport().replayedRecords(), "replay starts at the snapshot's index checkpoint");
            final StoreHistory.Verification v = history.verify(store, history.lastSequence(), "control");
            assertEquals(0, v.readErrors, v.errorSamples.toString());
        }
        StoreFiles.deleteTree(dir);
    }

    @TestFactory
    Stream<DynamicContainer> allFilesDetectBitFlips()
    {
        final Random random = new Random(SEED ^ 0xF11BL);
        return layout.files.stream().map(file -> DynamicContainer.dynamicContainer(file,
            layout.flips(file, random).stream().map(d -> DynamicTest.dynamicTest(d.toString(), () -> run(d)))));
    }

    @TestFactory
    Stream<DynamicContainer> allFilesDetectTruncation()
    {
        return layout.files.stream().map(file -> DynamicContainer.dynamicContainer(file,
            layout.truncations(file).stream().map(d -> DynamicTest.dynamicTest(d.toString(), () -> run(d)))));
    }

    // ------------------------------------------------------------------------------------------------ modes

    @Test
    void strictModeRefusesDamagedNewestManifest()
    {
        final Path dir = freshCopy("strict");
        final Path newest = dir.resolve(ManifestSlotsDescriptor.FILE_NAME);
        flipManifest(dir, layout.newestGeneration, ManifestDescriptor.ENTRY_COUNT_OFFSET, 0x01);
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final StoreOptions strict = StoreOptions.builder().backgroundCompaction(false)
            .recoveryMode(RecoveryMode.STRICT).build();

        final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () -> MemoryStore.open(dir, strict));
        assertEquals(newest, ex.file());
        assertTrue(ex.getMessage().contains("checksum"), ex.getMessage());
        assertEquals(before, StoreFiles.fingerprint(dir), "a refused STRICT open must change nothing");
        // Read-only STRICT refuses the same way.
        assertThrows(CorruptStoreException.class,
            () -> MemoryStore.open(dir, strict.toBuilder().readOnly(true).build()));
        StoreFiles.deleteTree(dir);
    }

    @Test
    void fallbackModeSkipsDamagedNewestManifestAndReplaysTheTail()
    {
        final Path dir = freshCopy("fallback");
        final int slot = layout.slotOf.get(layout.newestGeneration);
        final String newestName = ManifestSlotsDescriptor.FILE_NAME + ".slot-" + slot;
        flipManifest(dir, layout.newestGeneration, ManifestDescriptor.TAIL_OFFSET_OFFSET, 0x10);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(1, report.skippedSnapshots().size(), report.toString());
            assertTrue(report.skippedSnapshots().get(0).startsWith("slot " + slot + " of " +
                ManifestSlotsDescriptor.FILE_NAME), report.toString());
            assertEquals(layout.manifestGenerations.get(1), report.restoredGeneration());
            final long previousCheckpoint = layout.manifests.get(layout.manifestGenerations.get(1))
                .checkpoint.lastSequence;
            assertEquals(history.lastSequence() - previousCheckpoint, report.replayedRecords(),
                "the replay from the older snapshot's checkpoint covers the writes of the damaged one");
            assertTrue(report.discardedFiles().stream().anyMatch(f -> f.startsWith("slot " + slot) &&
                f.contains(" copied to " + StoreDirectory.QUARANTINE)), report.toString());
            assertFalse(Manifests.onDisk(dir).contains(layout.newestGeneration), "the damaged slot is freed");
            assertTrue(StoreFiles.list(dir.resolve(StoreDirectory.QUARANTINE)).stream()
                .anyMatch(p -> p.getFileName().toString().startsWith(newestName)), "kept in quarantine, not deleted");
            final StoreHistory.Verification v = history.verify(store, history.lastSequence(), "fallback");
            assertEquals(0, v.readErrors, "every record is intact: " + v.errorSamples);

            // The store goes on: a new snapshot takes a generation above the discarded one.
            final SnapshotInfo info = store.snapshot();
            assertTrue(info.generation() > layout.newestGeneration, info.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            history.verify(store, history.lastSequence(), "fallback, reopened");
        }
        StoreFiles.deleteTree(dir);
    }

    /**
     * STRICT refuses any damage to the tail, wherever it lies, and changes nothing; FALLBACK opens the writes
     * before the damage and says it cut the tail there.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "first tail record, in the newest snapshot's tail segment",
        "a tail record in the last segment",
        "header of the last segment",
        "last segment truncated to half",
        "last segment truncated to one header"})
    void strictModeRefusesDamageToTheTail(final String damage)
    {
        final Path dir = freshCopy("strict-tail");
        final SegmentInfo last = layout.lastStarted();
        assertTrue(last.id > layout.newest.tailSegment, "the fixture's last segment holds only tail records");
        final Path lastFile = dir.resolve(last.name);
        final long lostFrom;
        switch (damage)
        {
            case "first tail record, in the newest snapshot's tail segment":
                final SegmentInfo tail = layout.segments.get(layout.newest.tailSegment);
                final RecordInfo first = tail.records.stream()
                    .filter(r -> r.sequence == layout.newest.lastSequence + 1).findFirst().orElseThrow();
                StoreFiles.flip(dir.resolve(tail.name), first.start + first.length - 1, 0x04);
                lostFrom = first.sequence;
                break;
            case "a tail record in the last segment":
                final RecordInfo middle = last.records.get(last.records.size() / 2);
                StoreFiles.flip(lastFile, middle.start + RecordDescriptor.HEADER_LENGTH, 0x40);
                lostFrom = middle.sequence;
                break;
            case "header of the last segment":
                StoreFiles.flip(lastFile, SegmentDescriptor.FIRST_SEQUENCE_OFFSET, 0x01);
                lostFrom = last.firstSequence;
                break;
            case "last segment truncated to half":
                StoreFiles.truncate(lastFile, last.size / 2);
                lostFrom = last.firstSequence;
                break;
            default:
                StoreFiles.truncate(lastFile, SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH);
                lostFrom = last.firstSequence;
                break;
        }
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final Map<String, Long> committedBefore = committedIndexPrefix(dir);
        final StoreOptions strict = StoreOptions.builder().backgroundCompaction(false)
            .recoveryMode(RecoveryMode.STRICT).build();
        final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () -> MemoryStore.open(dir, strict),
            "STRICT must refuse: " + damage);
        assertTrue(ex.file() != null && ex.file().getFileName().toString().startsWith("segment-"), ex.getMessage());
        assertRefusalChangedNothing(damage, dir, before, committedBefore);

        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(lostFrom - 1, store.lastSequence(), report.toString());
            assertTrue(report.tailCut() != null, "FALLBACK must report where it cut the tail: " + report);
            final StoreHistory.Verification v = history.verify(store, lostFrom - 1, "FALLBACK after " + damage);
            assertEquals(0, v.readErrors, v.errorSamples.toString());
        }
        StoreFiles.deleteTree(dir);
    }

    /**
     * An open that falls back past a snapshot whose index root is damaged keeps that snapshot's pages untouched and
     * allocates above them; its first checkpoint then seals the range of the newer pages too, some of them in whole
     * chunks that the writer maps read-only. A damaged page there must be resealed (its CRC written to the file)
     * like any other in the sealed range, or every later verify reports damage in a page nothing uses.
     */
    @Test
    void aFallbackPastWholeChunksOfNewerPagesLeavesEveryIndexPageSealed()
    {
        final Path dir = root.resolve("fallback-chunks");
        // One index file: the newer snapshot's pages above the older one's in it (no new index file generation).
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(4).segmentSize(16 << 20).preallocate(false)
            .checkpointRecords(Long.MAX_VALUE).indexCompactionRatio(Double.POSITIVE_INFINITY).build();
        final SparseVector v = SparseVector.of(new int[] {1}, new float[] {0.5f});
        final long older;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 100_000; i++)
            {
                store.put("a" + i, v, 1.0f, i, null);
            }
            older = checkpointAndSnapshot(store);
            for (int i = 0; i < 500_000; i++)
            {
                store.put("b" + i, v, 1.0f, i, null);
            }
            checkpointAndSnapshot(store);
        }
        final Manifest a = manifest(dir, older);
        final Manifest b = manifest(dir, newestGeneration(dir));
        final int wholeChunk = (a.checkpoint.indexPages + IndexFile.CHUNK_PAGES - 1) & -IndexFile.CHUNK_PAGES;
        assertTrue(wholeChunk + IndexFile.CHUNK_PAGES <= b.checkpoint.indexPages, "the newer pages span a whole " +
            "chunk: " + a.checkpoint.indexPages + " to " + b.checkpoint.indexPages);
        final Path index = dir.resolve(IndexPageDescriptor.FILE_NAME);
        StoreFiles.flip(index, (long)b.checkpoint.rootPage * IndexPageDescriptor.PAGE_SIZE +
            IndexPageDescriptor.BODY_OFFSET + 8, 0x10);
        StoreFiles.flip(index, (long)(wholeChunk + 5) * IndexPageDescriptor.PAGE_SIZE +
            IndexPageDescriptor.BODY_OFFSET + 8, 0x10);
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(1, store.recoveryReport().skippedSnapshots().size(), store.recoveryReport().toString());
            assertEquals(600_000, store.size(), "the older snapshot and the log replayed after it");
            store.put("c", v, 1.0f, 0, null);
            checkpointAndSnapshot(store);
            final VerifyReport report = store.verify(false);
            assertTrue(report.ok(), report.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(600_001, store.size());
            assertTrue(store.verify(true).ok());
        }
    }

    /**
     * Copy-on-write must not reseal damage: a frozen directory page that no read has checked yet is copied when a
     * bucket it does not lead to splits, and the copy gets a new, valid checksum at the next snapshot. The damaged
     * directory entry here points at a neighbouring bucket page, so a laundered copy would make the ids behind it
     * silently absent. Needs a directory of two pages: about 110 000 entries, a few seconds.
     */
    @Test
    void copyOnWriteDoesNotResealADamagedDirectoryPage()
    {
        // The manifests name index checkpoints taken right before them, so that the open below replays nothing and
        // the damaged directory page is first met by the split.
        final Path dir = root.resolve("directory-pages");
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(4).segmentSize(16 << 20).preallocate(false)
            .build();
        final StoreHistory h = new StoreHistory();
        final SparseVector v = SparseVector.of(new int[] {1}, new float[] {0.5f});
        int next = 0;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            while (rootDepth(dir, checkpointAndSnapshot(store)) <= IndexPageDescriptor.FANOUT_SHIFT)
            {
                for (int i = 0; i < 10_000; i++, next++)
                {
                    h.put(store, "k" + next, v, 1.0f, next, null);
                }
            }
        }
        final Manifest m = manifest(dir, newestGeneration(dir));
        final Path indexFile = dir.resolve(IndexPageDescriptor.fileName(m.checkpoint.indexFile));
        final ByteBuffer index = ByteBuffer.wrap(StoreFiles.read(indexFile)).order(ByteOrder.LITTLE_ENDIAN);
        final int rootOffset = m.checkpoint.rootPage * IndexPageDescriptor.PAGE_SIZE;
        assertEquals(IndexPageDescriptor.FANOUT_SHIFT + 1, index.get(rootOffset + IndexPageDescriptor.DEPTH_OFFSET));
        final int firstDirectory = index.getInt(rootOffset + IndexPageDescriptor.entryOffset(0));
        final int secondDirectory = index.getInt(rootOffset + IndexPageDescriptor.entryOffset(1));
        // Trigger: an index of the first directory page whose bucket (local depth 9) it shares with the second page,
        // so that splitting it relinks, and copies, both directory pages. Damage: another entry of the second page,
        // its bucket number flipped to name the neighbouring bucket page; the split does not relink it.
        int trigger = -1;
        for (int j = 0; j < IndexPageDescriptor.FANOUT && trigger < 0; j++)
        {
            if (directoryEntry(index, firstDirectory, j) == directoryEntry(index, secondDirectory, j))
            {
                trigger = j;
            }
        }
        int damaged = -1;
        for (int j = 0; j < IndexPageDescriptor.FANOUT && damaged < 0; j++)
        {
            final int other = directoryEntry(index, secondDirectory, j) ^ 1;
            if (j != trigger && other > 0 && other < m.checkpoint.indexPages &&
                index.get(other * IndexPageDescriptor.PAGE_SIZE + IndexPageDescriptor.TYPE_OFFSET) ==
                IndexPageDescriptor.TYPE_BUCKET)
            {
                damaged = j;
            }
        }
        assertTrue(damaged >= 0 && trigger >= 0, "fixture: damaged entry " + damaged + ", trigger " + trigger);
        final long hidden = IndexPageDescriptor.FANOUT + damaged;
        assertTrue(h.ids().stream().anyMatch(id -> (position(m, id) & 1023) == hidden), "no id behind the entry");
        StoreFiles.flip(indexFile, (long)secondDirectory * IndexPageDescriptor.PAGE_SIZE +
            IndexPageDescriptor.entryOffset(damaged), 0x01);

        // Fill the trigger's bucket until it splits: its lookups only read the first directory page.
        String refused = null;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            try
            {
                for (int written = 0; written < IndexPageDescriptor.BUCKET_SLOTS + 1; next++)
                {
                    final String id = "k" + next;
                    if ((position(m, id) & 1023) == trigger)
                    {
                        h.put(store, id, v, 1.0f, next, null);
                        written++;
                    }
                }
            }
            catch (final CorruptStoreException ex)
            {
                refused = ex.getMessage();
            }
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final StoreHistory.Verification verification = h.verify(store, h.lastSequence(), "directory page");
            assertTrue(refused != null || verification.readErrors > 0, "the damaged directory page went unnoticed");
        }
        StoreFiles.deleteTree(dir);
    }

    private static int directoryEntry(final ByteBuffer index, final int directoryPage, final int entry)
    {
        return index.getInt(directoryPage * IndexPageDescriptor.PAGE_SIZE + IndexPageDescriptor.entryOffset(entry));
    }

    private static int position(final Manifest m, final String id)
    {
        return IndexPlacement.position(IndexPlacementExtension.placement(m, null),
            KeyHash.hash(m.seed, KeyHash.NAMESPACE_ENTRY, id));
    }

    private static long newestGeneration(final Path dir)
    {
        return Manifests.onDisk(dir).get(0);
    }

    private static Manifest manifest(final Path dir, final long generation)
    {
        try
        {
            return Manifests.read(dir, generation);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int rootDepth(final Path dir, final long generation)
    {
        final Manifest m = manifest(dir, generation);
        final byte[] page = StoreFiles.readPrefix(dir.resolve(IndexPageDescriptor.fileName(m.checkpoint.indexFile)),
            (m.checkpoint.rootPage + 1) * IndexPageDescriptor.PAGE_SIZE);
        return page[m.checkpoint.rootPage * IndexPageDescriptor.PAGE_SIZE + IndexPageDescriptor.DEPTH_OFFSET];
    }

    /** A version field rewritten with a valid checksum reads as a newer format: refused, nothing changed. */
    @ParameterizedTest(name = "the next major version in the {0}")
    @ValueSource(strings = {"newest manifest", "index", "first segment", "last segment"})
    void unknownMajorVersionIsRefusedAndChangesNothing(final String where)
    {
        final Path dir = freshCopy("version-" + where.replace(' ', '-'));
        final Path file;
        switch (where)
        {
            case "newest manifest":
                file = dir.resolve(ManifestSlotsDescriptor.FILE_NAME);
                rewriteManifestVersion(dir, layout.newestGeneration, FormatVersion.CURRENT_MAJOR + 1, 0);
                break;
            case "index":
                file = dir.resolve(IndexPageDescriptor.FILE_NAME);
                rewriteHeaderVersion(file, IndexPageDescriptor.FILE_MAJOR_OFFSET, IndexPageDescriptor.FILE_CRC_OFFSET);
                break;
            case "first segment":
                file = dir.resolve(SegmentDescriptor.fileName(layout.segments.keySet().iterator().next()));
                rewriteHeaderVersion(file, SegmentDescriptor.MAJOR_OFFSET, SegmentDescriptor.CRC_OFFSET);
                break;
            default:
                file = dir.resolve(layout.lastStarted().name);
                rewriteHeaderVersion(file, SegmentDescriptor.MAJOR_OFFSET, SegmentDescriptor.CRC_OFFSET);
                break;
        }
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        for (final StoreOptions options : List.of(
            StoreOptions.builder().backgroundCompaction(false).build(),
            StoreOptions.builder().backgroundCompaction(false).recoveryMode(RecoveryMode.STRICT).build()))
        {
            final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
                () -> MemoryStore.open(dir, options), where + " " + options.recoveryMode());
            assertEquals(FormatVersion.CURRENT_MAJOR + 1, ex.foundMajor());
            assertEquals(0, ex.foundMinor());
            assertTrue(ex.getMessage().contains(file.getFileName().toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("nothing was changed on disk"), ex.getMessage());
            assertEquals(before, StoreFiles.fingerprint(dir), "refusing a newer format must change nothing on disk");
        }
        if (where.equals("newest manifest") || where.equals("index"))
        {
            // Read-only readers refuse it too (the last segment is not one the newest snapshot needs).
            assertThrows(IncompatibleFormatException.class,
                () -> MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).readOnly(true).build()));
            assertEquals(before, StoreFiles.fingerprint(dir));
        }
        StoreFiles.deleteTree(dir);
    }

    @Test
    void newerMinorVersionIsRead()
    {
        final Path dir = freshCopy("minor");
        rewriteManifestVersion(dir, layout.newestGeneration, FormatVersion.CURRENT_MAJOR, 7);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            history.verify(store, history.lastSequence(), "minor version 1.7");
        }
        StoreFiles.deleteTree(dir);
    }

    /** Rewrites the version of the manifest of {@code generation}, with its checksums made to match. */
    private static void rewriteManifestVersion(final Path dir, final long generation, final int major,
        final int minor)
    {
        try
        {
            final byte[] m = Manifests.bytes(dir, generation);
            final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)major).putShort(ManifestDescriptor.MINOR_OFFSET,
                (short)minor);
            b.putInt(m.length - 4, new Checksum().compute(m, 0, m.length - 4));
            Manifests.rewrite(dir, generation, m);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void rewriteHeaderVersion(final Path file, final int majorOffset, final int crcOffset)
    {
        final byte[] header = new byte[crcOffset + 4];
        System.arraycopy(StoreFiles.read(file), 0, header, 0, header.length);
        final ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(majorOffset, (short)(FormatVersion.CURRENT_MAJOR + 1)).putShort(majorOffset + 2, (short)0);
        b.putInt(crcOffset, new Checksum().compute(header, 0, crcOffset));
        final byte[] whole = StoreFiles.read(file);
        System.arraycopy(header, 0, whole, 0, header.length);
        StoreFiles.write(file, whole);
    }

    // ------------------------------------------------------------------------------------------------ one case

    private static Path freshCopy(final String name)
    {
        final Path dir = root.resolve("case-" + CASES.incrementAndGet() + "-" + name);
        StoreFiles.copyStore(pristine, dir);
        return dir;
    }

    /** XORs byte {@code at} of the manifest of {@code generation} with {@code mask}, where it lies. */
    private static void flipManifest(final Path dir, final long generation, final int at, final int mask)
    {
        try
        {
            Manifests.flip(dir, generation, at, mask);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void run(final Damage d)
    {
        final Path dir = freshCopy(d.file);
        try
        {
            d.apply(dir.resolve(d.file));
            final Map<String, String> damaged = StoreFiles.fingerprint(dir);
            final String readOnly = checkReadOnly(d, dir, damaged);
            final String writer = checkWriter(d, dir, damaged);
            REPORT.put(d.toString(), writer + "; read-only " + readOnly);
        }
        catch (final AssertionError ex)
        {
            REPORT.put(d.toString(), "FAILED; " + ex.getMessage());
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            REPORT.put(d.toString(), "FAILED; " + ex);
            throw new AssertionError(d + ": undeclared " + ex, ex);
        }
        finally
        {
            StoreFiles.deleteTree(dir);
        }
    }

    /** Read-only open: restores one retained snapshot exactly, or refuses with CorruptStoreException; writes nothing. */
    private static String checkReadOnly(final Damage d, final Path dir, final Map<String, String> before)
    {
        final String outcome;
        MemoryStore store = null;
        try
        {
            store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).readOnly(true).build());
        }
        catch (final CorruptStoreException ex)
        {
            outcome = "refused";
            assertEquals(before, StoreFiles.fingerprint(dir), d + ": a refused read-only open changed files");
            return outcome;
        }
        try
        {
            final RecoveryReport report = store.recoveryReport();
            final long sequence = store.lastSequence();
            final Manifest restored = layout.manifests.get(report.restoredGeneration());
            assertTrue(restored != null && restored.lastSequence == sequence,
                d + ": read-only restored generation " + report.restoredGeneration() + " at sequence " + sequence +
                ", not a retained snapshot");
            if (report.restoredGeneration() != layout.newestGeneration)
            {
                assertFalse(report.skippedSnapshots().isEmpty(), d + ": read-only fell back without saying why");
            }
            final StoreHistory.Verification v = history.verify(store, sequence, d + " (read-only)");
            outcome = "generation " + report.restoredGeneration() + (v.readErrors > 0 ? " readErrors=" +
                v.readErrors : "");
        }
        finally
        {
            store.close();
        }
        assertEquals(before, StoreFiles.fingerprint(dir), d + ": a read-only open changed files");
        return outcome;
    }

    /** Writer open in FALLBACK mode, then the contract, the expectation and, after a repair, a write round trip. */
    private static String checkWriter(final Damage d, final Path dir, final Map<String, String> before)
    {
        final Map<String, Long> indexPrefixBefore = committedIndexPrefix(dir);
        final MemoryStore store;
        try
        {
            store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build());
        }
        catch (final CorruptStoreException ex)
        {
            assertNotEquals(Expect.UNCHANGED, d.expect, d + ": must open unchanged but was refused: " +
                ex.getMessage());
            assertRefusalChangedNothing(d.toString(), dir, before, indexPrefixBefore);
            return "refused(" + shortReason(ex) + ")";
        }

        final RecoveryReport report;
        final long sequence;
        final StoreHistory.Verification v;
        try
        {
            report = store.recoveryReport();
            sequence = store.lastSequence();
            assertEquals(sequence, report.lastSequence(), d + ": report and store disagree on the last sequence");
            assertTrue(sequence <= history.lastSequence(), d + ": more writes than were made");
            assertTrue(sequence >= d.minSequence, d + ": opened at sequence " + sequence + " but nothing before " +
                "the damage may be lost (at least " + d.minSequence + "); report " + report);
            if (sequence < history.lastSequence())
            {
                assertFalse(report.clean(), d + ": lost writes " + (sequence + 1) + ".. with a clean report");
            }
            v = history.verify(store, sequence, d.toString());
            final boolean unchanged = sequence == history.lastSequence() && report.clean() && v.readErrors == 0;
            if (d.expect == Expect.UNCHANGED || d.expect == Expect.REFUSED_OR_UNCHANGED)
            {
                assertTrue(unchanged, d + ": must change nothing but got sequence " + sequence + ", read errors " +
                    v.errorSamples + ", " + report);
            }
            else
            {
                assertFalse(unchanged, d + ": damage to a structure in use went unnoticed");
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            store.close();
            throw ex;
        }
        final String outcome = (sequence == history.lastSequence() ? "full" : "prefix(" + sequence + ")") +
            (report.restoredGeneration() != layout.newestGeneration ? " fellBackTo=" +
                report.restoredGeneration() : "") +
            (report.tailCut() != null ? " tailCut" : "") +
            (report.discardedFiles().isEmpty() ? "" : " discarded=" + report.discardedFiles().size()) +
            (v.readErrors > 0 ? " readErrors=" + v.readErrors : "");
        // A write round trip after each kind of repair, a few times each: it costs a snapshot's fsyncs.
        final String kind = d.file.replaceAll("[0-9]", "") + outcome.replaceAll("[0-9]", "");
        if (report.clean() || REPAIRS_WRITTEN.merge(kind, 1, Integer::sum) > WRITES_AFTER_REPAIR_PER_KIND)
        {
            store.close();
            return outcome;
        }
        return outcome + writeAfterRepair(d, dir, store, sequence);
    }

    /**
     * A refused open may have replayed part of the tail into index pages above every committed one (scratch space
     * that the next open overwrites); it must change nothing else: no file added, removed or changed.
     */
    private static void assertRefusalChangedNothing(final String what, final Path dir,
        final Map<String, String> before, final Map<String, Long> committedIndexBefore)
    {
        final Map<String, String> after = StoreFiles.fingerprint(dir);
        assertEquals(before.keySet(), after.keySet(), what + ": a refused open added or removed files");
        for (final String name : before.keySet())
        {
            if (!name.equals(IndexPageDescriptor.FILE_NAME))
            {
                assertEquals(before.get(name), after.get(name), what + ": a refused open changed " + name);
            }
        }
        assertEquals(committedIndexBefore, committedIndexPrefix(dir),
            what + ": a refused open changed committed index pages");
    }

    /** After a repair: one more put, a snapshot, a reopen; the store must hold the prefix plus that put. */
    private static String writeAfterRepair(final Damage d, final Path dir, final MemoryStore store,
        final long sequence)
    {
        final StoreHistory after = history.prefix(sequence);
        final SnapshotInfo snapshot;
        try
        {
            try
            {
                after.put(store, NEW_ID, SparseVector.of(new int[] {1, 7, DIMENSION - 1},
                    new float[] {0.5f, -0.0f, Float.MIN_VALUE}), 0.25f, 42L, new byte[] {1, 2, 3});
            }
            catch (final CorruptStoreException ex)
            {
                return ", write after repair refused(" + shortReason(ex) + ")";
            }
            snapshot = store.snapshot(Map.of("after", "repair"));
        }
        finally
        {
            store.close();
        }
        try (MemoryStore reopened = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            assertEquals(snapshot.generation(), reopened.recoveryReport().restoredGeneration(),
                d + ": the snapshot taken after the repair must validate: " + reopened.recoveryReport());
            final StoreHistory.Verification v = after.verify(reopened, sequence + 1, d + " (reopened after repair)");
            StoreHistory.assertSame(after.latest().entries.get(NEW_ID), reopened.get(NEW_ID).orElse(null),
                d + ": the entry written after the repair");
            return ", write after repair ok" + (v.readErrors > 0 ? " (readErrors=" + v.readErrors + ")" : "");
        }
    }

    private static String shortReason(final MemsnapException ex)
    {
        final String message = ex.getMessage();
        final int cut = message.indexOf(" (file=");
        final String reason = cut < 0 ? message : message.substring(0, cut);
        return reason.length() > 90 ? reason.substring(0, 87) + "..." : reason;
    }

    /** @return the length and CRC32C of the index pages any retained manifest commits (others may be rewritten). */
    private static Map<String, Long> committedIndexPrefix(final Path dir)
    {
        final byte[] bytes = StoreFiles.readPrefix(dir.resolve(IndexPageDescriptor.FILE_NAME),
            layout.maxCommittedPages() * IndexPageDescriptor.PAGE_SIZE);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        return Map.of(String.valueOf(bytes.length), crc.getValue());
    }

    // ------------------------------------------------------------------------------------------------ damage

    /** One damage to one file: a flipped byte or a truncation, with what the test demands of it. */
    static final class Damage
    {
        final String file;
        final boolean truncation;
        final long offset;
        final int mask;
        final String region;
        final Expect expect;
        /** Lowest sequence a store opened on this damage may hold: nothing before the damaged byte is lost. */
        final long minSequence;

        Damage(final String file, final boolean truncation, final long offset, final int mask, final String region,
            final Expect expect, final long minSequence)
        {
            this.file = file;
            this.truncation = truncation;
            this.offset = offset;
            this.mask = mask;
            this.region = region;
            this.expect = expect;
            this.minSequence = minSequence;
        }

        void apply(final Path path)
        {
            if (truncation)
            {
                StoreFiles.truncate(path, offset);
            }
            else
            {
                StoreFiles.flip(path, offset, mask);
            }
        }

        @Override
        public String toString()
        {
            return file + (truncation ? " truncate to " + String.format("%08d", offset) :
                " flip " + String.format("%08d", offset) + " ^0x" + Integer.toHexString(mask)) + " [" + region +
                "] " + expect;
        }
    }

    /** One record as the fixture wrote it. */
    static final class RecordInfo
    {
        final int start;
        final int length;
        final long sequence;
        final byte type;
        final int nnz;

        RecordInfo(final int start, final int length, final long sequence, final byte type, final int nnz)
        {
            this.start = start;
            this.length = length;
            this.sequence = sequence;
            this.type = type;
            this.nnz = nnz;
        }

        int aligned()
        {
            return RecordDescriptor.alignedLength(length);
        }
    }

    /** One segment file as the fixture left it. */
    static final class SegmentInfo
    {
        final int id;
        final String name;
        final long size;
        final long firstSequence;
        /** Whether the log started it: false for the file made ahead for the next roll (all zeros). */
        final boolean started;
        final List<RecordInfo> records = new ArrayList<>();
        int end;

        SegmentInfo(final int id, final String name, final long size, final long firstSequence,
            final boolean started)
        {
            this.id = id;
            this.name = name;
            this.size = size;
            this.firstSequence = firstSequence;
            this.started = started;
        }

        /** @return the sequence of the first record at or after {@code offset}, or the next one if none. */
        long firstSequenceFrom(final long offset)
        {
            for (final RecordInfo r : records)
            {
                if (r.start + r.aligned() > offset)
                {
                    return r.sequence;
                }
            }
            if (records.isEmpty())
            {
                return firstSequence;
            }
            final RecordInfo last = records.get(records.size() - 1);
            return RecordDescriptor.isPadType(last.type) ? last.sequence : last.sequence + 1;
        }
    }

    /**
     * The pristine store, decoded independently of the engine's readers (only the manifest is decoded with the
     * engine's codec): records of every segment, reachable index pages, manifests. Classifies every byte.
     */
    static final class Layout
    {
        final List<String> files = new ArrayList<>();
        final Map<Integer, SegmentInfo> segments = new TreeMap<>();
        final Map<Long, Manifest> manifests = new HashMap<>();
        final Map<Long, Long> manifestSizes = new HashMap<>();
        final List<Long> manifestGenerations = new ArrayList<>();
        /** The slot of manifests.mss each generation is in. */
        final Map<Long, Integer> slotOf = new HashMap<>();
        long slotsSize;
        final Manifest newest;
        final long newestGeneration;
        final Set<Integer> reachablePages = new TreeSet<>();
        final Map<Integer, Byte> pageTypes = new HashMap<>();
        final long indexSize;
        /** Class of every record by sequence: tail, live, replacedByTail or dead. */
        final Map<Long, String> recordClass = new HashMap<>();
        /** Records flipped field by field, and whether every field or a few. */
        final Map<RecordInfo, Boolean> sweptRecords = new LinkedHashMap<>();

        Layout(final Path dir, final StoreHistory history) throws IOException
        {
            for (final Path p : StoreFiles.list(dir))
            {
                final String name = p.getFileName().toString();
                if (name.equals(StoreDirectory.LOCK_FILE))
                {
                    continue;
                }
                files.add(name);
                final int segmentId = SegmentDescriptor.parseFileName(name);
                final long generation = ManifestDescriptor.parseFileName(name);
                if (segmentId > 0)
                {
                    segments.put(segmentId, readSegment(p, segmentId));
                }
                else if (generation >= 0)
                {
                    manifests.put(generation, ManifestCodec.decode(Files.readAllBytes(p), p));
                    manifestSizes.put(generation, Files.size(p));
                    manifestGenerations.add(generation);
                }
                else if (name.equals(ManifestSlotsDescriptor.FILE_NAME))
                {
                    slotsSize = Files.size(p);
                    for (final ManifestSlots.Slot slot : new ManifestSlots(StoreFileSystem.real(), dir).readAll())
                    {
                        if (slot.state == ManifestSlots.Slot.State.VALID)
                        {
                            manifests.put(slot.generation, ManifestCodec.decode(slot.manifest(), p));
                            manifestSizes.put(slot.generation, (long)slot.manifest().length);
                            manifestGenerations.add(slot.generation);
                            slotOf.put(slot.generation, slot.index);
                        }
                    }
                }
                else if (!name.equals(WatermarkDescriptor.FILE_NAME))
                {
                    assertEquals(IndexPageDescriptor.FILE_NAME, name, "unexpected file in the fixture");
                }
            }
            manifestGenerations.sort(Collections.reverseOrder());
            newestGeneration = manifestGenerations.get(0);
            newest = manifests.get(newestGeneration);
            final byte[] index = Files.readAllBytes(dir.resolve(IndexPageDescriptor.FILE_NAME));
            indexSize = index.length;
            walkIndex(ByteBuffer.wrap(index).order(ByteOrder.LITTLE_ENDIAN));
            classifyRecords(history);
            chooseSweptRecords();
        }

        private static long nextSequence(final SegmentInfo s)
        {
            if (s.records.isEmpty())
            {
                return s.firstSequence;
            }
            final RecordInfo last = s.records.get(s.records.size() - 1);
            return RecordDescriptor.isPadType(last.type) ? last.sequence : last.sequence + 1;
        }

        private static SegmentInfo readSegment(final Path p, final int id) throws IOException
        {
            final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            final SegmentInfo s = new SegmentInfo(id, p.getFileName().toString(), b.capacity(),
                b.getLong(SegmentDescriptor.FIRST_SEQUENCE_OFFSET), !Segment.neverStarted(p));
            int offset = SegmentDescriptor.HEADER_LENGTH;
            while (offset + RecordDescriptor.HEADER_LENGTH <= b.capacity())
            {
                final int crc = b.getInt(offset + RecordDescriptor.CRC_OFFSET);
                final int length = b.getInt(offset + RecordDescriptor.LENGTH_OFFSET);
                if (crc == 0 && length == 0)
                {
                    break;
                }
                final RecordInfo r = new RecordInfo(offset, length, b.getLong(offset + RecordDescriptor.SEQUENCE_OFFSET),
                    b.get(offset + RecordDescriptor.TYPE_OFFSET), b.getInt(offset + RecordDescriptor.NNZ_OFFSET));
                assertEquals(nextSequence(s), r.sequence,
                    "fixture records must have consecutive sequences (a PAD carries the next record's)");
                s.records.add(r);
                offset += r.aligned();
            }
            s.end = offset;
            return s;
        }

        private void walkIndex(final ByteBuffer b)
        {
            final int rootOffset = newest.checkpoint.rootPage * IndexPageDescriptor.PAGE_SIZE;
            final int depth = b.get(rootOffset + IndexPageDescriptor.DEPTH_OFFSET);
            reachablePages.add(newest.checkpoint.rootPage);
            pageTypes.put(newest.checkpoint.rootPage, IndexPageDescriptor.TYPE_ROOT);
            for (int i = 0; i < 1 << depth; i++)
            {
                final int dir = b.getInt(rootOffset + IndexPageDescriptor.entryOffset(i >>> IndexPageDescriptor.FANOUT_SHIFT));
                reachablePages.add(dir);
                pageTypes.put(dir, IndexPageDescriptor.TYPE_DIRECTORY);
                final int bucket = b.getInt(dir * IndexPageDescriptor.PAGE_SIZE +
                    IndexPageDescriptor.entryOffset(i & (IndexPageDescriptor.FANOUT - 1)));
                reachablePages.add(bucket);
                pageTypes.put(bucket, IndexPageDescriptor.TYPE_BUCKET);
            }
            for (final int page : reachablePages)
            {
                assertTrue(page > 0 && page < newest.checkpoint.indexPages, "reachable page " + page + " is committed");
                assertEquals((byte)pageTypes.get(page), b.get(page * IndexPageDescriptor.PAGE_SIZE +
                    IndexPageDescriptor.TYPE_OFFSET), "type of page " + page);
            }
        }

        private void classifyRecords(final StoreHistory history)
        {
            final StoreHistory.State atSnapshot = history.at(newest.lastSequence);
            final StoreHistory.State atEnd = history.latest();
            final Set<Long> liveAtSnapshot = new LinkedHashSet<>(atSnapshot.entrySequences.values());
            liveAtSnapshot.addAll(atSnapshot.stateSequences.values());
            final Set<Long> liveAtEnd = new LinkedHashSet<>(atEnd.entrySequences.values());
            liveAtEnd.addAll(atEnd.stateSequences.values());
            for (final StoreHistory.Write w : history.writes())
            {
                final String c;
                if (w.sequence > newest.lastSequence)
                {
                    c = "tail";
                }
                else if (liveAtEnd.contains(w.sequence))
                {
                    c = "live";
                }
                else if (liveAtSnapshot.contains(w.sequence))
                {
                    c = "replacedByTail";
                }
                else
                {
                    c = "dead";
                }
                recordClass.put(w.sequence, c);
            }
        }

        int tailSegmentsBeyondNewest()
        {
            return (int)segments.values().stream().filter(s -> s.started && s.id > newest.tailSegment).count();
        }

        /** @return the last segment the log started (not the file made ahead for the next roll). */
        SegmentInfo lastStarted()
        {
            return segments.values().stream().filter(s -> s.started).reduce((a, b) -> b).orElseThrow();
        }

        /** @return the segments the log never started: the file made ahead for the next roll. */
        long neverStarted()
        {
            return segments.values().stream().filter(s -> !s.started).count();
        }

        int maxCommittedPages()
        {
            return manifests.values().stream().mapToInt(m -> m.checkpoint.indexPages).max().orElse(0);
        }

        long fullSequence()
        {
            return history.lastSequence();
        }

        // -------------------------------------------------------------------------------------------- flips

        List<Damage> flips(final String file, final Random random)
        {
            final Map<Long, String> offsets = new TreeMap<>();
            final long size;
            final long usedEnd;
            if (file.equals(IndexPageDescriptor.FILE_NAME))
            {
                size = indexSize;
                usedEnd = (long)(newest.checkpoint.indexPages + 4) * IndexPageDescriptor.PAGE_SIZE;
                chosenIndexOffsets(offsets);
            }
            else if (SegmentDescriptor.parseFileName(file) > 0)
            {
                final SegmentInfo s = segments.get(SegmentDescriptor.parseFileName(file));
                size = s.size;
                usedEnd = s.end + 64;
                chosenSegmentOffsets(s, offsets);
            }
            else if (file.equals(WatermarkDescriptor.FILE_NAME))
            {
                size = WatermarkDescriptor.FILE_LENGTH;
                usedEnd = size;
                for (int slot = 0; slot < WatermarkDescriptor.SLOTS; slot++)
                {
                    final long at = (long)slot * WatermarkDescriptor.SLOT_STRIDE;
                    offsets.put(at + WatermarkDescriptor.MAGIC_OFFSET, "watermark slot " + slot + " magic");
                    offsets.put(at + WatermarkDescriptor.COUNTER_OFFSET, "watermark slot " + slot + " counter");
                    offsets.put(at + WatermarkDescriptor.LAST_SEQUENCE_OFFSET, "watermark slot " + slot + " sequence");
                    offsets.put(at + WatermarkDescriptor.CRC_OFFSET, "watermark slot " + slot + " crc");
                }
            }
            else if (file.equals(ManifestSlotsDescriptor.FILE_NAME))
            {
                size = slotsSize;
                usedEnd = size;
                chosenSlotOffsets(offsets);
            }
            else
            {
                size = manifestSizes.get(ManifestDescriptor.parseFileName(file));
                usedEnd = size;
                chosenManifestOffsets((int)size, ManifestDescriptor.parseFileName(file) == newestGeneration, offsets);
            }
            for (int i = 0; i < RANDOM_FLIPS_PER_FILE; i++)
            {
                offsets.putIfAbsent((long)(random.nextDouble() * Math.min(size, usedEnd)), "random");
            }
            offsets.putIfAbsent((long)(random.nextDouble() * size), "random");
            final List<Damage> damages = new ArrayList<>();
            for (final Map.Entry<Long, String> e : offsets.entrySet())
            {
                final long offset = e.getKey();
                final int mask = 1 + random.nextInt(255);
                damages.add(classify(file, offset, mask, e.getValue()));
            }
            return damages;
        }

        private Damage classify(final String file, final long offset, final int mask, final String label)
        {
            final int segmentId = SegmentDescriptor.parseFileName(file);
            final long generation = ManifestDescriptor.parseFileName(file);
            final long full = fullSequence();
            if (segmentId > 0)
            {
                final SegmentInfo s = segments.get(segmentId);
                final long minSequence = offset < SegmentDescriptor.HEADER_LENGTH ? s.firstSequence - 1 :
                    s.firstSequenceFrom(offset) - 1;
                final String region;
                final Expect expect;
                final RecordInfo r = s.records.stream()
                    .filter(x -> x.start <= offset && offset < x.start + x.aligned()).findFirst().orElse(null);
                if (!s.started)
                {
                    // The file made ahead for the next roll. Damage where its header and first record go makes it a
                    // segment that does not validate, which recovery moves aside and reports; elsewhere it still
                    // holds nothing, and recovery deletes it.
                    final boolean start = offset < SegmentDescriptor.HEADER_LENGTH + 8;
                    region = (start ? "start" : "rest") + " of the segment made ahead, never started";
                    expect = start ? Expect.DETECT : Expect.UNCHANGED;
                }
                else if (offset < SegmentDescriptor.HEADER_LENGTH)
                {
                    region = "segment header";
                    expect = Expect.DETECT;
                }
                else if (r != null && offset >= r.start + r.length)
                {
                    region = "padding of record " + r.sequence;
                    expect = Expect.UNCHANGED;
                }
                else if (r != null && RecordDescriptor.isPadType(r.type))
                {
                    // A PAD carries the sequence of the record after it. One that ends the newest snapshot's bytes
                    // or lies in the tail is read by the replay (a cut, reported); an older one is read only when
                    // it lies after the index checkpoint, and then the open refuses.
                    final boolean tail = r.sequence > newest.lastSequence;
                    region = (tail ? "tail" : "committed") + " PAD before sequence " + r.sequence + " " +
                        recordField((int)(offset - r.start), r);
                    expect = tail ? Expect.DETECT : Expect.REFUSED_OR_UNCHANGED;
                }
                else if (r != null)
                {
                    final String c = recordClass.get(r.sequence);
                    region = c + " record " + r.sequence + " " + recordField((int)(offset - r.start), r) +
                        " (" + typeName(r.type) + ")";
                    expect = c.equals("dead") ? Expect.REFUSED_OR_UNCHANGED : Expect.DETECT;
                }
                else if (offset < s.end + 8L && segmentId == lastStarted().id)
                {
                    region = "clean-end marker of the tail";
                    expect = Expect.DETECT;
                }
                else
                {
                    region = "unused end of segment";
                    expect = Expect.UNCHANGED;
                }
                return new Damage(file, false, offset, mask, label + ": " + region, expect,
                    Math.min(minSequence, full));
            }
            if (file.equals(WatermarkDescriptor.FILE_NAME))
            {
                // The watermark says how far sync() acknowledged: at the newest snapshot's end here, which the
                // manifest says too. A damaged slot is skipped (the other holds the previous watermark, or nothing).
                return new Damage(file, false, offset, mask, label + ": durable watermark +" + offset,
                    Expect.UNCHANGED, full);
            }
            if (generation >= 0)
            {
                final boolean isNewest = generation == newestGeneration;
                return new Damage(file, false, offset, mask, label + ": " + (isNewest ? "newest" : "older") +
                    " manifest " + manifestField(offset), isNewest ? Expect.DETECT : Expect.UNCHANGED, full);
            }
            if (file.equals(ManifestSlotsDescriptor.FILE_NAME))
            {
                return classifySlots(file, offset, mask, label, full);
            }
            final int page = (int)(offset / IndexPageDescriptor.PAGE_SIZE);
            final int inPage = (int)(offset % IndexPageDescriptor.PAGE_SIZE);
            final String region;
            final Expect expect;
            if (page == 0)
            {
                final boolean header = inPage < IndexPageDescriptor.FILE_CRC_OFFSET + 4;
                region = header ? "index file header" : "unused part of the header page";
                expect = header ? Expect.DETECT : Expect.UNCHANGED;
            }
            else if (reachablePages.contains(page))
            {
                region = pageTypeName(pageTypes.get(page)) + " page " + page + " reachable from the newest root";
                expect = Expect.DETECT;
            }
            else if (page < newest.checkpoint.indexPages)
            {
                region = "committed page " + page + " only older snapshots reach";
                expect = Expect.UNCHANGED;
            }
            else
            {
                region = "page " + page + " past the committed " + newest.checkpoint.indexPages;
                expect = Expect.UNCHANGED;
            }
            return new Damage(file, false, offset, mask, label + ": " + region + " +" + inPage, expect, full);
        }

        private void chosenSegmentOffsets(final SegmentInfo s, final Map<Long, String> offsets)
        {
            offsets.put((long)SegmentDescriptor.MAGIC_OFFSET, "magic");
            offsets.put((long)SegmentDescriptor.FIRST_SEQUENCE_OFFSET, "first sequence");
            offsets.put((long)SegmentDescriptor.FILE_LENGTH_OFFSET + 2, "file length");
            offsets.put((long)SegmentDescriptor.CRC_OFFSET, "header crc");
            if (s.id == segments.keySet().iterator().next() || s.id == lastStarted().id || !s.started)
            {
                offsets.put((long)SegmentDescriptor.MAJOR_OFFSET, "major version");
                offsets.put((long)SegmentDescriptor.SEGMENT_ID_OFFSET, "segment id");
                offsets.put((long)SegmentDescriptor.RESERVED_OFFSET + 7, "reserved");
            }
            if (!s.records.isEmpty())
            {
                final RecordInfo first = s.records.get(0);
                final RecordInfo last = s.records.get(s.records.size() - 1);
                offsets.putIfAbsent((long)first.start + RecordDescriptor.CRC_OFFSET, "first record");
                offsets.putIfAbsent((long)first.start + first.length / 2, "first record");
                offsets.putIfAbsent((long)last.start + RecordDescriptor.TYPE_OFFSET, "last record");
                offsets.putIfAbsent((long)last.start + last.length - 1, "last record");
            }
            for (final Map.Entry<RecordInfo, Boolean> e : sweptRecords.entrySet())
            {
                final RecordInfo r = e.getKey();
                if (s.records.contains(r))
                {
                    final String label = "field sweep";
                    final List<Integer> fields = e.getValue() ? List.of(0, 4, 8, 16, 17, 19, 23, 27, 28, 32, 40) :
                        List.of(0, 16, 19, 23);
                    for (final int field : fields)
                    {
                        offsets.putIfAbsent((long)r.start + field, label);
                    }
                    offsets.putIfAbsent((long)r.start + r.length / 2 + 20, label);
                    offsets.putIfAbsent((long)r.start + r.length - 1, label);
                    if (r.aligned() > r.length)
                    {
                        offsets.putIfAbsent((long)r.start + r.length, label);
                    }
                }
            }
            for (final long offset : new long[] {s.end, s.end + 100, s.size - 1})
            {
                if (offset < s.size)
                {
                    offsets.putIfAbsent(offset, "after the last record");
                }
            }
        }

        /**
         * Picks, store-wide, one record of each kind and class to flip field by field: every field of the puts
         * and state puts that recovery or reads interpret, a few of the others.
         */
        private void chooseSweptRecords()
        {
            final List<RecordInfo> all = segments.values().stream().flatMap(x -> x.records.stream())
                .collect(Collectors.toList());
            for (final String c : List.of("tail", "live", "replacedByTail", "dead"))
            {
                for (final byte type : new byte[] {RecordDescriptor.TYPE_PUT, RecordDescriptor.TYPE_STATE_PUT,
                    RecordDescriptor.TYPE_DELETE, RecordDescriptor.TYPE_STATE_DELETE})
                {
                    final boolean everyField = !c.equals("dead") && !RecordDescriptor.isDeleteType(type);
                    all.stream().filter(r -> r.type == type && recordClass.get(r.sequence).equals(c))
                        // not the first record of a segment: that one has its own offsets
                        .filter(r -> r.start > SegmentDescriptor.HEADER_LENGTH)
                        .findFirst().ifPresent(r -> sweptRecords.put(r, everyField));
                }
            }
            // PAD records: one that ends a committed snapshot, one in the tail (the sync at the end wrote it).
            all.stream().filter(r -> RecordDescriptor.isPadType(r.type) && r.sequence <= newest.lastSequence)
                .filter(r -> r.start > SegmentDescriptor.HEADER_LENGTH)
                .findFirst().ifPresent(r -> sweptRecords.put(r, true));
            all.stream().filter(r -> RecordDescriptor.isPadType(r.type) && r.sequence > newest.lastSequence)
                .reduce((a, b) -> b).ifPresent(r -> sweptRecords.put(r, true));
            assertTrue(all.stream().anyMatch(r -> RecordDescriptor.isPadType(r.type)),
                "the fixture's snapshots and sync should have written PAD records");
        }

        private void chosenIndexOffsets(final Map<Long, String> offsets)
        {
            final long p = IndexPageDescriptor.PAGE_SIZE;
            offsets.put((long)IndexPageDescriptor.FILE_MAGIC_OFFSET, "magic");
            offsets.put((long)IndexPageDescriptor.FILE_MAJOR_OFFSET, "major version");
            offsets.put((long)IndexPageDescriptor.FILE_PAGE_SIZE_OFFSET + 1, "page size");
            offsets.put((long)IndexPageDescriptor.FILE_CRC_OFFSET, "header crc");
            offsets.put(200L, "header page padding");
            for (final byte type : new byte[] {IndexPageDescriptor.TYPE_ROOT, IndexPageDescriptor.TYPE_DIRECTORY,
                IndexPageDescriptor.TYPE_BUCKET})
            {
                final int page = reachablePages.stream().filter(x -> pageTypes.get(x) == type).findFirst().orElseThrow();
                for (final int field : new int[] {IndexPageDescriptor.CRC_OFFSET, IndexPageDescriptor.TYPE_OFFSET,
                    IndexPageDescriptor.DEPTH_OFFSET, IndexPageDescriptor.COUNT_OFFSET,
                    IndexPageDescriptor.BODY_OFFSET + 8, 4095})
                {
                    offsets.putIfAbsent(page * p + field, "in use");
                }
            }
            for (int page = 1; page < newest.checkpoint.indexPages; page++)
            {
                if (!reachablePages.contains(page))
                {
                    offsets.putIfAbsent(page * p + IndexPageDescriptor.BODY_OFFSET, "unreachable");
                    offsets.putIfAbsent(page * p + IndexPageDescriptor.TYPE_OFFSET, "unreachable");
                    break;
                }
            }
            // The fixture's last checkpoint, named by no manifest, wrote pages past the committed ones.
            assertTrue((newest.checkpoint.indexPages + 1L) * p <= indexSize, "the fixture leaves pages past the " +
                "committed ones: " + indexSize + " bytes, " + newest.checkpoint.indexPages + " committed pages");
            offsets.putIfAbsent(newest.checkpoint.indexPages * p + IndexPageDescriptor.TYPE_OFFSET, "past committed");
            offsets.putIfAbsent(newest.checkpoint.indexPages * p + IndexPageDescriptor.BODY_OFFSET + 8,
                "past committed");
            offsets.putIfAbsent(indexSize - 1, "last byte");
        }

        /** The header's fields, and in every slot a stamp, the slot's own fields, manifest fields and a checksum. */
        private void chosenSlotOffsets(final Map<Long, String> offsets)
        {
            for (final int field : new int[] {ManifestSlotsDescriptor.HEADER_MAGIC_OFFSET,
                ManifestSlotsDescriptor.HEADER_MAJOR_OFFSET, ManifestSlotsDescriptor.SLOT_LENGTH_OFFSET,
                ManifestSlotsDescriptor.HEADER_CRC_OFFSET, 1000})
            {
                offsets.put((long)field, "slots header");
            }
            for (int slot = 0; slot < ManifestSlotsDescriptor.slotCount(slotsSize); slot++)
            {
                final long at = ManifestSlotsDescriptor.slotOffset(slot);
                offsets.put(at + ManifestSlotsDescriptor.STAMP_OFFSET, "slot " + slot + " stamp");
                offsets.put(at + ManifestSlotsDescriptor.payloadToSlot(ManifestSlotsDescriptor.SLOT_INDEX_OFFSET),
                    "slot " + slot + " index");
                for (final int field : new int[] {ManifestDescriptor.MAGIC_OFFSET, ManifestDescriptor.GENERATION_OFFSET,
                    ManifestDescriptor.FIXED_LENGTH})
                {
                    offsets.put(at + ManifestSlotsDescriptor.payloadToSlot(ManifestSlotsDescriptor.MANIFEST_OFFSET +
                        field), "slot " + slot + " manifest");
                }
                offsets.put(at + 3L * ManifestSlotsDescriptor.SECTOR_LENGTH + ManifestSlotsDescriptor.SECTOR_CRC_OFFSET,
                    "slot " + slot + " sector checksum");
            }
        }

        /** @return the generation in slot {@code slot}, or -1 if it is free. */
        private long inSlot(final int slot)
        {
            return slotOf.entrySet().stream().filter(e -> e.getValue() == slot).mapToLong(Map.Entry::getKey)
                .findFirst().orElse(-1);
        }

        private static void chosenManifestOffsets(final int size, final boolean newest,
            final Map<Long, String> offsets)
        {
            final int[] fields = !newest ? new int[] {ManifestDescriptor.MAGIC_OFFSET, ManifestDescriptor.MAJOR_OFFSET,
                ManifestDescriptor.TOTAL_LENGTH_OFFSET, ManifestDescriptor.GENERATION_OFFSET,
                ManifestDescriptor.CHECKPOINT_ROOT_OFFSET, ManifestDescriptor.TAIL_OFFSET_OFFSET,
                ManifestDescriptor.FIXED_LENGTH, size - 4} : new int[] {ManifestDescriptor.MAGIC_OFFSET, ManifestDescriptor.MAJOR_OFFSET,
                ManifestDescriptor.MINOR_OFFSET, ManifestDescriptor.TOTAL_LENGTH_OFFSET,
                ManifestDescriptor.GENERATION_OFFSET, ManifestDescriptor.LAST_SEQUENCE_OFFSET,
                ManifestDescriptor.ENTRY_COUNT_OFFSET, ManifestDescriptor.SEED_OFFSET,
                ManifestDescriptor.DIMENSION_OFFSET, ManifestDescriptor.HASH_FUNCTION_OFFSET,
                ManifestDescriptor.CHECKPOINT_ROOT_OFFSET, ManifestDescriptor.CHECKPOINT_PAGES_OFFSET,
                ManifestDescriptor.TAIL_SEGMENT_OFFSET, ManifestDescriptor.TAIL_OFFSET_OFFSET,
                ManifestDescriptor.SEGMENT_COUNT_OFFSET, ManifestDescriptor.LABEL_COUNT_OFFSET,
                ManifestDescriptor.FIXED_LENGTH, ManifestDescriptor.FIXED_LENGTH + 4,
                ManifestDescriptor.FIXED_LENGTH + 8, size - 4, size - 2, size - 1};
            for (final int field : fields)
            {
                offsets.putIfAbsent((long)field, "field");
            }
        }

        private static String recordField(final int at, final RecordInfo r)
        {
            if (at < RecordDescriptor.LENGTH_OFFSET)
            {
                return "crc";
            }
            if (at < RecordDescriptor.SEQUENCE_OFFSET)
            {
                return "length";
            }
            if (at < RecordDescriptor.TYPE_OFFSET)
            {
                return "sequence";
            }
            if (at < RecordDescriptor.RESERVED_OFFSET)
            {
                return "type";
            }
            if (at < RecordDescriptor.ID_LENGTH_OFFSET)
            {
                return "reserved";
            }
            if (at < RecordDescriptor.NNZ_OFFSET)
            {
                return "id length";
            }
            if (at < RecordDescriptor.VALUE_LENGTH_OFFSET)
            {
                return "nnz";
            }
            if (at < RecordDescriptor.IMPORTANCE_OFFSET)
            {
                return "value length";
            }
            if (at < RecordDescriptor.STORED_AT_OFFSET)
            {
                return "importance";
            }
            if (at < RecordDescriptor.HEADER_LENGTH)
            {
                return "stored-at";
            }
            return at < RecordDescriptor.HEADER_LENGTH + r.nnz * 8 ? "vector" : "id/value";
        }

        /**
         * The header is checked by verify, not by opens; damage to the newest snapshot's slot is detected (it is the one
         * the snapshot before it names as the next: fallen back from, said, moved aside), to an older one's it changes
         * nothing (verify reports it); in the free slot the newest names as the next, damage to its first sector is
         * detected (a newer snapshot could have been there), anywhere else in it changes nothing.
         */
        private Damage classifySlots(final String file, final long offset, final int mask, final String label,
            final long full)
        {
            if (offset < ManifestSlotsDescriptor.SLOT_LENGTH)
            {
                return new Damage(file, false, offset, mask, label + ": slots header +" + offset, Expect.UNCHANGED,
                    full);
            }
            final int slot = (int)(offset / ManifestSlotsDescriptor.SLOT_LENGTH - 1);
            final long held = inSlot(slot);
            final int inSlotOffset = (int)(offset % ManifestSlotsDescriptor.SLOT_LENGTH);
            final String region;
            final Expect expect;
            if (held == newestGeneration)
            {
                region = "newest manifest's slot " + slot + " +" + inSlotOffset;
                expect = Expect.DETECT;
            }
            else if (held >= 0)
            {
                region = "older manifest's slot " + slot + " +" + inSlotOffset;
                expect = Expect.UNCHANGED;
            }
            else
            {
                final boolean next = slot == NextSlotExtension.read(newest, null);
                final boolean firstSector = inSlotOffset < ManifestSlotsDescriptor.SECTOR_LENGTH;
                region = (next ? "next" : "free") + " slot " + slot + " +" + inSlotOffset;
                expect = next && firstSector ? Expect.DETECT : Expect.UNCHANGED;
            }
            return new Damage(file, false, offset, mask, label + ": " + region, expect, full);
        }

        private static String manifestField(final long offset)
        {
            if (offset < ManifestDescriptor.MAJOR_OFFSET)
            {
                return "magic";
            }
            if (offset < ManifestDescriptor.TOTAL_LENGTH_OFFSET)
            {
                return "version";
            }
            if (offset < ManifestDescriptor.GENERATION_OFFSET)
            {
                return "length";
            }
            if (offset < ManifestDescriptor.SEGMENT_COUNT_OFFSET)
            {
                return "fixed fields";
            }
            if (offset < ManifestDescriptor.FIXED_LENGTH)
            {
                return "counts";
            }
            return "entries/labels/crc";
        }

        private static String typeName(final byte type)
        {
            switch (type)
            {
                case RecordDescriptor.TYPE_PUT:
                    return "put";
                case RecordDescriptor.TYPE_DELETE:
                    return "delete";
                case RecordDescriptor.TYPE_STATE_PUT:
                    return "state put";
                case RecordDescriptor.TYPE_PAD:
                    return "pad";
                default:
                    return "state delete";
            }
        }

        private static String pageTypeName(final byte type)
        {
            return type == IndexPageDescriptor.TYPE_ROOT ? "root" : type == IndexPageDescriptor.TYPE_DIRECTORY ?
                "directory" : "bucket";
        }

        // -------------------------------------------------------------------------------------------- truncation

        List<Damage> truncations(final String file)
        {
            final int segmentId = SegmentDescriptor.parseFileName(file);
            final long generation = ManifestDescriptor.parseFileName(file);
            final long size;
            final long minSequence;
            if (segmentId > 0)
            {
                size = segments.get(segmentId).size;
                minSequence = segments.get(segmentId).firstSequence - 1;
            }
            else if (generation >= 0)
            {
                size = manifestSizes.get(generation);
                minSequence = fullSequence();
            }
            else if (file.equals(WatermarkDescriptor.FILE_NAME))
            {
                size = WatermarkDescriptor.FILE_LENGTH;
                minSequence = fullSequence();
            }
            else if (file.equals(ManifestSlotsDescriptor.FILE_NAME))
            {
                size = slotsSize;
                minSequence = fullSequence();
            }
            else
            {
                size = indexSize;
                minSequence = fullSequence();
            }
            final List<Damage> damages = new ArrayList<>();
            for (final long length : new long[] {0, size / 2, size - 1})
            {
                final Expect expect;
                final String region;
                if (segmentId > 0)
                {
                    region = "segment";
                    expect = Expect.DETECT;
                }
                else if (generation >= 0)
                {
                    region = generation == newestGeneration ? "newest manifest" : "older manifest";
                    expect = generation == newestGeneration ? Expect.DETECT : Expect.UNCHANGED;
                }
                else if (file.equals(WatermarkDescriptor.FILE_NAME))
                {
                    region = "durable watermark";
                    expect = Expect.UNCHANGED;
                }
                else if (file.equals(ManifestSlotsDescriptor.FILE_NAME))
                {
                    // Cut inside or before the newest snapshot's slot: detected; after it, older slots or the free one.
                    final boolean cutsNewest = length < ManifestSlotsDescriptor.slotOffset(slotOf.get(newestGeneration)) +
                        ManifestSlotsDescriptor.SLOT_LENGTH;
                    region = cutsNewest ? "slots, the newest manifest's cut" : "slots, only older or free ones cut";
                    expect = cutsNewest ? Expect.DETECT : Expect.UNCHANGED;
                }
                else
                {
                    final boolean cutsCommitted = length < (long)maxCommittedPages() * IndexPageDescriptor.PAGE_SIZE;
                    region = cutsCommitted ? "index, committed pages cut" : "index, only uncommitted pages cut";
                    expect = cutsCommitted ? Expect.DETECT : Expect.UNCHANGED;
                }
                damages.add(new Damage(file, true, length, 0, region, expect, minSequence));
            }
            return damages;
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    /** Generates the fixture's writes: vectors with awkward floats, multibyte ids, metadata of every size. */
    private static final class Writes
    {
        private final Random random;
        private int nextId;

        Writes(final Random random)
        {
            this.random = random;
        }

        String newId()
        {
            final int n = nextId++;
            if (n % 7 == 3)
            {
                return "\u00e9l\u00e9ment-" + n;
            }
            if (n % 11 == 5)
            {
                return "\u8a18\u61b6-" + n;
            }
            if (n % 13 == 7)
            {
                return "\ud83d\ude42-" + n;
            }
            return "mem-" + n;
        }

        SparseVector vector()
        {
            final int nnz = 1 + random.nextInt(110);
            final TreeSet<Integer> indices = new TreeSet<>();
            while (indices.size() < nnz)
            {
                indices.add(random.nextInt(DIMENSION));
            }
            final int[] idx = indices.stream().mapToInt(Integer::intValue).toArray();
            final float[] values = new float[nnz];
            for (int i = 0; i < nnz; i++)
            {
                final int r = random.nextInt(50);
                values[i] = r == 0 ? -0.0f : r == 1 ? Float.MIN_VALUE : r == 2 ? -Float.MAX_VALUE :
                    random.nextFloat() * 2 - 1;
            }
            return SparseVector.of(idx, values);
        }

        byte[] bytes(final int length)
        {
            final byte[] b = new byte[length];
            random.nextBytes(b);
            return b;
        }

        void put(final MemoryStore store, final String id)
        {
            final int r = random.nextInt(4);
            final byte[] metadata = r == 0 ? null : r == 1 ? new byte[0] : bytes(1 + random.nextInt(200));
            history.put(store, id, vector(), random.nextFloat() * 10, 1_700_000_000_000L + random.nextInt(1 << 30),
                metadata);
        }

        void putNew(final MemoryStore store)
        {
            put(store, newId());
        }

        String someLive()
        {
            final List<String> live = new ArrayList<>(history.latest().entries.keySet());
            Collections.sort(live);
            return live.get(random.nextInt(live.size()));
        }

        void mixed(final MemoryStore store, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                final int r = random.nextInt(10);
                if (r < 4)
                {
                    putNew(store);
                }
                else if (r < 8)
                {
                    put(store, someLive());
                }
                else
                {
                    history.delete(store, someLive());
                }
            }
        }

        /** Overwrites or deletes {@code count} entries live at the last snapshot: their old records become stale. */
        void overwriteAllLive(final MemoryStore store, final int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (i % 5 == 4)
                {
                    history.delete(store, someLive());
                }
                else
                {
                    put(store, someLive());
                }
            }
        }
    }

    private static long checkpointAndSnapshot(final MemoryStore store)
    {
        store.checkpoint();
        return store.snapshot().generation();
    }
}
