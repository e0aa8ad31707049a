package io.memsnap;

import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Salvage} against real damage to a real store, one kind per test: a store built through the public API
 * (several segments, three snapshots, overwrites, deletes, named state and a synced tail after the last snapshot)
 * is copied, bytes of the copy are flipped, zeroed, truncated or deleted, and the copy is salvaged. Each test checks
 * that the damaged directory is unchanged byte for byte (no lock file created either), that the salvaged store holds
 * exactly the writes of the history minus those the damage destroyed (whose sequence numbers the fixture's layout
 * gives), and that the report names what was lost: the byte ranges, the sequence numbers, the ids.
 */
class SalvageTest
{
    private static final int SEGMENT_SIZE = StoreOptions.MIN_SEGMENT_SIZE;

    @TempDir
    static Path root;

    private static Path pristine;
    private static StoreHistory history;
    private static CorruptionTest.Layout layout;

    private Path dir;
    private Path out;

    @BeforeAll
    static void buildStore() throws IOException
    {
        pristine = root.resolve("pristine");
        history = new StoreHistory();
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false).dimension(TestEntries.DIMENSION)
            .segmentSize(SEGMENT_SIZE).build();
        try (MemoryStore store = MemoryStore.open(pristine, options))
        {
            for (int n = 0; n < 400; n++)
            {
                put(store, n, 0);
            }
            history.putState(store, "config", bytes(1, 300));
            history.putState(store, "scratch", bytes(2, 40));
            store.snapshot(Map.of("encoder", "bow-2^18"));
            for (int n = 0; n < 400; n += 3)
            {
                put(store, n, 1);
            }
            for (int n = 1; n < 400; n += 10)
            {
                history.delete(store, TestEntries.id(n));
            }
            history.putState(store, "config", bytes(3, 500));
            history.deleteState(store, "scratch");
            store.snapshot(Map.of("encoder", "bow-2^18", "phase", "two"));
            for (int n = 400; n < 500; n++)
            {
                put(store, n, 0);
            }
            store.snapshot(Map.of("encoder", "bow-2^18", "phase", "three"));
            for (int n = 490; n < 560; n++)
            {
                put(store, n, 2);
            }
            history.putState(store, "history", bytes(4, 900));
            store.sync();
            assertEquals(history.lastSequence(), store.lastSequence());
        }
        layout = new CorruptionTest.Layout(pristine, history);
        assertTrue(layout.segments.size() >= 4, "the fixture should span several segments: " +
            layout.segments.keySet());
    }

    private static void put(final MemoryStore store, final long n, final long version)
    {
        history.put(store, TestEntries.id(n), TestEntries.vector(n, version), TestEntries.importance(n, version),
            TestEntries.storedAt(n, version), TestEntries.metadata(n, version));
    }

    private static byte[] bytes(final int seed, final int length)
    {
        final byte[] b = new byte[length];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** A fresh copy of the fixture, without the lock file: salvage must not create one. */
    @org.junit.jupiter.api.BeforeEach
    void copy(final TestInfo test) throws IOException
    {
        final String name = test.getTestMethod().orElseThrow().getName();
        dir = root.resolve(name);
        out = root.resolve(name + "-salvaged");
        StoreFiles.copyStore(pristine, dir);
        Files.deleteIfExists(dir.resolve(StoreDirectory.LOCK_FILE));
    }

    // -------------------------------------------------------------------------------------------------- cases

    /**
     * Two rewinds, the second back to the first timeline: the same sequence numbers exist on three timelines, and
     * salvage copies those of the newest one's chain only (timeline 1, a sibling, is not read; timeline 0's records
     * after the second branch are left behind).
     */
    @Test
    void aRewoundStoreIsSalvagedAsItsNewestTimeline() throws IOException
    {
        final StoreHistory h = rewoundStore(true);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertEquals(h.lastSequence(), report.lastSequence());
        assertEquals(h.lastSequence(), report.recordsRead());
        assertSalvaged(h.latest());
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("timeline 2 read: 1 segment(s)")),
            report.notes().toString());
    }

    @Test
    void damageThatARewindLeftBehindLosesNothing() throws IOException
    {
        final StoreHistory h = rewoundStore(true);
        // Record 70 of timeline 0 came after the snapshot (sequence 60) that timeline 2 branched from.
        final Path segment = segmentHolding(0, 70);
        StoreFiles.flip(segment, offsetOf(segment, 70) + RecordDescriptor.HEADER_LENGTH + 2, 0x40);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertSalvaged(h.latest());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("where a rewind branched away")),
            report.notes().toString());
    }

    @Test
    void whenEverySegmentOfATimelineIsGoneTheOlderTimelinesAreReadAsWithoutTimelines() throws IOException
    {
        final StoreHistory h = rewoundStore(false);
        for (final Path p : StoreFiles.list(dir))
        {
            if (SegmentDescriptor.parseFileName(p.getFileName().toString()) > 0 && timelineOf(p) == 1)
            {
                Files.delete(p);
            }
        }
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("no segment header names the parent of " +
            "timeline 1")), report.notes().toString());
        // Timeline 0's records 31 to 51 stand for timeline 1's, which are gone: the limit the note warns of.
        assertEquals(h.lastSequence(), report.lastSequence(), report.toString());
        assertEquals(h.lastSequence(), report.recordsRead(), report.toString());
    }

    /**
     * A store in {@link #dir} (no lock file): timeline 0, a rewind to its snapshot a (timeline 1), writes and a
     * snapshot c there, then a rewind to timeline 0's later snapshot b ({@code secondFromFirst}) or to c, timeline 2,
     * and writes. Sequences: a holds 30, b 60, timeline 0 goes on to 80, timeline 1 to 51.
     */
    private StoreHistory rewoundStore(final boolean secondFromFirst) throws IOException
    {
        final StoreHistory h = new StoreHistory();
        dir = root.resolve(dir.getFileName() + "-rewound");
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(TestEntries.DIMENSION)
            .segmentSize(SEGMENT_SIZE).retainedSnapshots(6).backgroundCompaction(false).build()))
        {
            versions(h, store, 0, 30, 1);
            final SnapshotInfo a = store.snapshot(Map.of("encoder", "bow-2^18"));
            versions(h, store, 20, 50, 2);
            final SnapshotInfo b = store.snapshot(Map.of("encoder", "bow-2^18"));
            versions(h, store, 40, 60, 3);
            final RewindResult first = store.rewind(a.generation());
            h.rewind(0, a.lastSequence(), first.timeline());
            versions(h, store, 0, 20, 4);
            h.delete(store, TestEntries.id(25));
            final SnapshotInfo c = store.snapshot();
            final SnapshotInfo target = secondFromFirst ? b : c;
            final RewindResult second = store.rewind(target.generation());
            h.rewind(target.timeline(), target.lastSequence(), second.timeline());
            versions(h, store, 60, 70, 5);
            store.sync();
        }
        Files.deleteIfExists(dir.resolve(StoreDirectory.LOCK_FILE));
        return h;
    }

    private static void versions(final StoreHistory h, final MemoryStore store, final int from, final int to,
        final long version)
    {
        for (int n = from; n < to; n++)
        {
            h.put(store, TestEntries.id(n), TestEntries.vector(n, version), TestEntries.importance(n, version),
                TestEntries.storedAt(n, version), TestEntries.metadata(n, version));
        }
    }

    private static long timelineOf(final Path segment)
    {
        return ByteBuffer.wrap(StoreFiles.readPrefix(segment, SegmentDescriptor.HEADER_LENGTH))
            .order(ByteOrder.LITTLE_ENDIAN).getLong(SegmentDescriptor.TIMELINE_OFFSET);
    }

    /** @return the segment of {@code timeline} that holds the record of {@code sequence}. */
    private Path segmentHolding(final long timeline, final long sequence)
    {
        for (final Path p : StoreFiles.list(dir))
        {
            if (SegmentDescriptor.parseFileName(p.getFileName().toString()) > 0 && timelineOf(p) == timeline &&
                offsetOf(p, sequence) > 0)
            {
                return p;
            }
        }
        throw new AssertionError("no segment of timeline " + timeline + " holds record " + sequence);
    }

    /** @return the offset of the record of {@code sequence} in {@code segment}, walking its records; -1 if none. */
    private static int offsetOf(final Path segment, final long sequence)
    {
        final ByteBuffer b = ByteBuffer.wrap(StoreFiles.read(segment)).order(ByteOrder.LITTLE_ENDIAN);
        int offset = SegmentDescriptor.HEADER_LENGTH;
        while (offset + RecordDescriptor.HEADER_LENGTH <= b.capacity() && b.getInt(offset +
            RecordDescriptor.LENGTH_OFFSET) > 0)
        {
            if (b.getLong(offset + RecordDescriptor.SEQUENCE_OFFSET) == sequence &&
                b.get(offset + RecordDescriptor.TYPE_OFFSET) != RecordDescriptor.TYPE_PAD)
            {
                return offset;
            }
            offset += RecordDescriptor.alignedLength(b.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
        }
        return -1;
    }

    @Test
    void anUndamagedStoreIsCopiedWhole()
    {
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertTrue(report.lostRanges().isEmpty() && report.lostKeys().isEmpty(), report.toString());
        assertEquals(SalvageReport.DimensionSource.MANIFEST, report.dimensionSource());
        assertEquals(TestEntries.DIMENSION, report.dimension());
        assertEquals(history.lastSequence(), report.recordsRead());
        assertEquals(history.lastSequence(), report.lastSequence());
        assertSalvaged(history.latest());
        assertEquals(Map.of("encoder", "bow-2^18", "phase", "three", Salvage.SALVAGED_FROM_LABEL,
            dir.toAbsolutePath().normalize().toString()), report.snapshot().labels());
    }

    @Test
    void aDamagedRecordInTheMiddleOfASegmentLosesOnlyItsWrite()
    {
        // The newest write of an overwritten entry (an older version survives) and the only write of another.
        final CorruptionTest.RecordInfo overwritten = middleRecord(w -> w.type == StoreHistory.PUT &&
            isNewest(w) && hasOlderPut(w));
        final CorruptionTest.RecordInfo single = middleRecord(w -> w.type == StoreHistory.PUT &&
            isNewest(w) && !hasOlderPut(w) && segmentOf(w.sequence) != segmentOf(overwritten.sequence));
        flipIn(overwritten, RecordDescriptor.HEADER_LENGTH + 4);
        flipIn(single, single.length - 1);

        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertFalse(report.nothingLost());
        assertEquals(2, report.lostRanges().size(), report.toString());
        assertRange(report.lostRanges().get(0), first(overwritten, single));
        assertRange(report.lostRanges().get(1), second(overwritten, single));
        final StoreHistory.Write o = history.write(overwritten.sequence);
        final StoreHistory.Write s = history.write(single.sequence);
        final long older = history.without(overwritten.sequence - 1, Set.of()).entrySequences.get(o.key);
        assertEquals(Set.of("uncertain entry " + o.key + " as of " + older, "lost entry " + s.key),
            keys(report.lostKeys()));
        final boolean overwrittenFirst = overwritten.sequence < single.sequence;
        assertEquals(List.of(overwrittenFirst ? o.key : s.key), report.lostRanges().get(0).ids());
        assertEquals(List.of(overwrittenFirst ? s.key : o.key), report.lostRanges().get(1).ids());
        assertSalvaged(history.without(history.lastSequence(), Set.of(overwritten.sequence, single.sequence)));
        assertEquals(history.lastSequence() - 2, report.recordsRead());
    }

    @Test
    void zeroedBytesBetweenRecordsAreALostRange() throws IOException
    {
        final CorruptionTest.RecordInfo r = middleRecord(w -> w.type == StoreHistory.PUT && isNewest(w));
        final Path file = segmentPath(r);
        final byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, r.start, r.start + r.aligned(), (byte)0);
        Files.write(file, bytes);

        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertEquals(1, report.lostRanges().size(), report.toString());
        assertRange(report.lostRanges().get(0), r);
        assertTrue(report.lostRanges().get(0).problem().startsWith("zeroed"), report.toString());
        assertTrue(report.lostKeys().isEmpty(), "zeros name no id: " + report);
        assertSalvaged(history.without(history.lastSequence(), Set.of(r.sequence)));
    }

    @Test
    void everyManifestDeletedTakesTheGivenDimensionOrInfersOne() throws IOException
    {
        Files.delete(dir.resolve(ManifestSlotsDescriptor.FILE_NAME)); // every manifest of the fixture
        final SalvageReport given = salvageUnchanged(() -> Salvage.salvage(dir, out, TestEntries.DIMENSION));
        assertTrue(given.nothingLost(), given.toString());
        assertEquals(SalvageReport.DimensionSource.GIVEN, given.dimensionSource());
        assertEquals(Map.of(Salvage.SALVAGED_FROM_LABEL, dir.toAbsolutePath().normalize().toString()),
            given.snapshot().labels());
        assertSalvaged(history.latest());

        final Path inferredOut = root.resolve("inferred");
        final SalvageReport inferred = salvageUnchanged(() -> Salvage.salvage(dir, inferredOut));
        final int maxIndex = history.writes().stream().filter(w -> w.type == StoreHistory.PUT)
            .mapToInt(w -> w.entry.vector().requiredDimension() - 1).max().orElseThrow();
        assertEquals(SalvageReport.DimensionSource.INFERRED, inferred.dimensionSource());
        assertEquals(Integer.highestOneBit(maxIndex) << 1, inferred.dimension());
        assertTrue(inferred.notes().stream().anyMatch(n -> n.contains("inferred")), inferred.notes().toString());
        assertEquals(history.latest().entries.size(), inferred.entries());

        final Path tooSmall = root.resolve("too-small");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Salvage.salvage(dir, tooSmall, maxIndex));
        assertTrue(ex.getMessage().contains("give at least " + (maxIndex + 1)), ex.getMessage());
        assertFalse(Files.exists(tooSmall), "nothing is created when the dimension is refused");
    }

    @Test
    void aDamagedNewestManifestFallsBackToAnOlderOneForDimensionAndLabels() throws IOException
    {
        final long newest = layout.manifestGenerations.get(0);
        final String slot = ManifestSlotsDescriptor.FILE_NAME + " slot " + Manifests.slotOf(dir, newest);
        Manifests.flip(dir, newest, ManifestDescriptor.LABEL_COUNT_OFFSET + 2, 0x40);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertEquals(SalvageReport.DimensionSource.MANIFEST, report.dimensionSource());
        assertEquals("two", report.snapshot().labels().get("phase"), "labels of the newest manifest that validates");
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith(slot + ": damaged")),
            report.notes().toString());
        assertSalvaged(history.latest());
    }

    @Test
    void theIndexIsNotNeededDamagedOrDeleted() throws IOException
    {
        final Path index = dir.resolve(IndexPageDescriptor.FILE_NAME);
        for (long page = 0; page * IndexPageDescriptor.PAGE_SIZE < StoreFiles.size(index); page++)
        {
            StoreFiles.flip(index, page * IndexPageDescriptor.PAGE_SIZE + 20, 0xFF);
        }
        final SalvageReport damaged = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(damaged.nothingLost(), damaged.toString());
        assertSalvaged(history.latest());

        Files.delete(index);
        final Path second = root.resolve("index-deleted");
        final SalvageReport deleted = salvageUnchanged(() -> Salvage.salvage(dir, second));
        assertTrue(deleted.nothingLost(), deleted.toString());
        assertEquals(history.latest().entries.size(), deleted.entries());
    }

    @Test
    void aDamagedSegmentHeaderStillLetsItsRecordsBeRead()
    {
        final int id = middleSegmentId();
        final Path file = dir.resolve(SegmentDescriptor.fileName(id));
        StoreFiles.flip(file, SegmentDescriptor.FIRST_SEQUENCE_OFFSET, 0x01);
        StoreFiles.flip(file, SegmentDescriptor.MAGIC_OFFSET, 0x10);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertTrue(report.notes().stream().anyMatch(n -> n.startsWith(file.getFileName() + ": segment header " +
            "checksum mismatch")), report.notes().toString());
        assertSalvaged(history.latest());
    }

    @Test
    void aTruncatedTailLosesTheWritesAfterTheCut()
    {
        final CorruptionTest.RecordInfo r = lastWrite();
        final Path file = segmentPath(r);
        StoreFiles.truncate(file, r.start + r.length / 2 + 4);

        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertFalse(report.nothingLost());
        assertEquals(1, report.lostRanges().size(), report.toString());
        final SalvageReport.LostRange range = report.lostRanges().get(0);
        assertEquals(file, range.file());
        assertEquals(r.start, range.from());
        assertEquals(SEGMENT_SIZE, range.to(), "to the length the header gives: " + range);
        assertEquals(-1, range.writesLost(), "nothing valid follows: how many were lost is unknown");
        assertEquals(r.sequence - 1, range.afterSequence());
        final StoreHistory.Write w = history.write(r.sequence);
        assertEquals(Set.of("lost state " + w.key), keys(report.lostKeys()), report.toString());
        assertEquals(List.of(w.key), range.stateNames());
        assertSalvaged(history.without(history.lastSequence(), Set.of(r.sequence)));
    }

    @Test
    void aFlippedLastRecordIsATornTailToo()
    {
        final CorruptionTest.RecordInfo r = lastWrite();
        flipIn(r, r.length - 1);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertEquals(1, report.lostRanges().size(), report.toString());
        assertRange(report.lostRanges().get(0), r);
        assertEquals(-1, report.lostRanges().get(0).writesLost());
        assertEquals(Set.of("lost state " + history.write(r.sequence).key), keys(report.lostKeys()));
        assertSalvaged(history.without(history.lastSequence(), Set.of(r.sequence)));
    }

    @Test
    void aDamagedPadAtTheEndOfTheLogHeldNoWrite()
    {
        final CorruptionTest.SegmentInfo last = layout.segments.get(lastSegmentId());
        final CorruptionTest.RecordInfo pad = last.records.get(last.records.size() - 1);
        assertTrue(RecordDescriptor.isPadType(pad.type), "the fixture's last sync ends the log with a PAD");
        flipIn(pad, RecordDescriptor.STORED_AT_OFFSET);
        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertEquals(1, report.lostRanges().size(), report.toString());
        final SalvageReport.LostRange range = report.lostRanges().get(0);
        assertEquals(pad.start, range.from());
        assertEquals(pad.start + pad.aligned(), range.to());
        assertEquals(0, range.writesLost(), range.toString());
        assertTrue(report.nothingLost(), report.toString());
        assertSalvaged(history.latest());
    }

    @Test
    void aDeletedSegmentIsAGapInTheSequenceNumbers() throws IOException
    {
        final int id = middleSegmentId();
        final CorruptionTest.SegmentInfo s = layout.segments.get(id);
        Files.delete(dir.resolve(s.name));
        final Set<Long> gone = s.records.stream().filter(r -> !RecordDescriptor.isPadType(r.type))
            .map(r -> r.sequence).collect(Collectors.toSet());

        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertFalse(report.nothingLost());
        assertTrue(report.lostRanges().isEmpty(), report.toString());
        assertEquals(1, report.missingWrites().size(), report.toString());
        assertEquals(s.firstSequence, report.missingWrites().get(0).firstSequence());
        assertEquals(s.firstSequence + gone.size() - 1, report.missingWrites().get(0).lastSequence());
        assertSalvaged(history.without(history.lastSequence(), gone));
    }

    @Test
    void theLogThatAnEarlierRecoveryCutIsNotALoss() throws IOException
    {
        // A torn record in the synced tail: the writer's open cuts the log there and goes on in a new segment,
        // reusing the sequence numbers of the records it left behind.
        final CorruptionTest.SegmentInfo last = layout.segments.get(lastSegmentId());
        final CorruptionTest.RecordInfo torn = last.records.stream()
            .filter(r -> !RecordDescriptor.isPadType(r.type) && r.sequence > layout.newest.lastSequence + 3)
            .findFirst().orElseThrow();
        assertTrue(torn.sequence < history.lastSequence() - 3, "valid records follow the torn one");
        flipIn(torn, RecordDescriptor.HEADER_LENGTH);
        // As if the tail had never been acknowledged (the fixture's writer synced and closed): without the durable
        // watermark, a torn record after the newest snapshot is a crash's torn tail, which recovery cuts.
        Files.delete(dir.resolve(io.memsnap.internal.format.WatermarkDescriptor.FILE_NAME));
        final StoreHistory after = history.prefix(torn.sequence - 1);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .segmentSize(SEGMENT_SIZE).build()))
        {
            assertEquals(torn.sequence - 1, store.lastSequence());
            assertNotNull(store.recoveryReport().tailCut());
            for (int n = 1000; n < 1010; n++)
            {
                after.put(store, TestEntries.id(n), TestEntries.vector(n, 0), 0.5f, n, null);
            }
            store.snapshot();
        }
        Files.deleteIfExists(dir.resolve(StoreDirectory.LOCK_FILE));

        final SalvageReport report = salvageUnchanged(() -> Salvage.salvage(dir, out));
        assertTrue(report.nothingLost(), report.toString());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("an earlier recovery cut the log")),
            report.notes().toString());
        assertTrue(report.notes().stream().anyMatch(n -> n.contains("discarded")), report.notes().toString());
        assertEquals(after.lastSequence(), report.lastSequence());
        assertSalvaged(after.latest());
    }

    @Test
    void theTargetMustBeAnEmptyDirectoryOutsideTheStore() throws IOException
    {
        Files.createDirectories(out);
        Files.write(out.resolve("keep.txt"), "mine".getBytes(StandardCharsets.UTF_8));
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
            () -> Salvage.salvage(dir, out));
        assertTrue(full.getMessage().contains("not an empty directory"), full.getMessage());
        assertEquals(List.of(out.resolve("keep.txt")), StoreFiles.list(out));

        final IllegalArgumentException inside = assertThrows(IllegalArgumentException.class,
            () -> Salvage.salvage(dir, dir.resolve("salvaged")));
        assertTrue(inside.getMessage().contains("inside the damaged store"), inside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Salvage.salvage(dir, dir));
        assertThrows(IllegalArgumentException.class, () -> Salvage.salvage(dir, root.resolve("other"), 1 << 10),
            "a dimension that disagrees with the manifest");
        assertFalse(Files.exists(root.resolve("other")));
        assertEquals(before, StoreFiles.fingerprint(dir));

        Files.delete(out.resolve("keep.txt"));
        assertTrue(salvageUnchanged(() -> Salvage.salvage(dir, out)).nothingLost(), "an empty directory is fine");
    }

    @Test
    void anUnknownFormatVersionIsRefusedBeforeAnythingIsCreated() throws IOException
    {
        final long newest = layout.manifestGenerations.get(0);
        final ByteBuffer b = ByteBuffer.wrap(Manifests.bytes(dir, newest)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)(FormatVersion.CURRENT_MAJOR + 1));
        b.putInt(b.capacity() - 4, new Checksum().compute(b.array(), 0, b.capacity() - 4));
        Manifests.rewrite(dir, newest, b.array());
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
            () -> Salvage.salvage(dir, out));
        assertEquals(FormatVersion.CURRENT_MAJOR + 1, ex.foundMajor());
        assertFalse(Files.exists(out));
        assertEquals(before, StoreFiles.fingerprint(dir));
    }

    // -------------------------------------------------------------------------------------------------- checks

    /** Salvages, checking that the damaged directory did not change by a byte and that no lock file appeared. */
    private SalvageReport salvageUnchanged(final java.util.function.Supplier<SalvageReport> salvage)
    {
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final SalvageReport report = salvage.get();
        assertEquals(before, StoreFiles.fingerprint(dir), "salvage changed the damaged directory");
        assertFalse(Files.exists(dir.resolve(StoreDirectory.LOCK_FILE)), "salvage created a lock file");
        return report;
    }

    /** Checks that the salvaged store holds exactly {@code expected}, bit for bit (its own sequence numbers aside). */
    private void assertSalvaged(final StoreHistory.State expected)
    {
        try (MemoryStore store = MemoryStore.open(out, StoreOptions.builder().backgroundCompaction(false)
            .readOnly(true).build()))
        {
            assertEquals(expected.entries.size(), store.size(), "entries salvaged");
            final Map<String, MemoryEntry> found = new TreeMap<>();
            store.forEach(view -> found.put(view.id(), view.toEntry()));
            assertEquals(new TreeSet<>(expected.entries.keySet()), found.keySet(), "ids salvaged");
            for (final Map.Entry<String, MemoryEntry> e : expected.entries.entrySet())
            {
                assertEquals(e.getValue(), found.get(e.getKey()), "entry " + e.getKey());
            }
            assertEquals(new ArrayList<>(new TreeSet<>(expected.states.keySet())), store.stateNames(), "states");
            for (final Map.Entry<String, byte[]> e : expected.states.entrySet())
            {
                assertTrue(Arrays.equals(e.getValue(), store.getState(e.getKey()).orElseThrow()),
                    "state " + e.getKey());
            }
            assertTrue(store.lastSnapshot().labels().containsKey(Salvage.SALVAGED_FROM_LABEL));
            assertTrue(store.verify(true).ok(), "the salvaged store verifies deep");
        }
    }

    private static void assertRange(final SalvageReport.LostRange range, final CorruptionTest.RecordInfo r)
    {
        assertEquals(segmentOf(r), range.file().getFileName().toString(), range.toString());
        assertEquals(r.start, range.from(), range.toString());
        assertEquals(r.start + r.aligned(), range.to(), range.toString());
        assertEquals(r.sequence - 1, range.afterSequence(), range.toString());
        if (range.beforeSequence() >= 0)
        {
            assertEquals(1, range.writesLost(), range.toString());
        }
    }

    private static Set<String> keys(final List<SalvageReport.LostKey> keys)
    {
        final Set<String> names = new TreeSet<>();
        for (final SalvageReport.LostKey k : keys)
        {
            names.add((k.uncertain() ? "uncertain " : "lost ") + (k.state() ? "state " : "entry ") + k.key() +
                (k.uncertain() ? " as of " + k.salvagedSequence() : ""));
        }
        return names;
    }

    // -------------------------------------------------------------------------------------------------- layout

    private void flipIn(final CorruptionTest.RecordInfo r, final int at)
    {
        StoreFiles.flip(segmentPath(r), r.start + at, 0x5A);
    }

    private Path segmentPath(final CorruptionTest.RecordInfo r)
    {
        return dir.resolve(segmentOf(r));
    }

    private static CorruptionTest.RecordInfo first(final CorruptionTest.RecordInfo a, final CorruptionTest.RecordInfo b)
    {
        return a.sequence < b.sequence ? a : b;
    }

    private static CorruptionTest.RecordInfo second(final CorruptionTest.RecordInfo a,
        final CorruptionTest.RecordInfo b)
    {
        return a.sequence < b.sequence ? b : a;
    }

    /** @return the name of the segment file that holds {@code record}. */
    private static String segmentOf(final CorruptionTest.RecordInfo record)
    {
        for (final CorruptionTest.SegmentInfo s : layout.segments.values())
        {
            if (s.records.contains(record))
            {
                return s.name;
            }
        }
        throw new IllegalArgumentException("no record at " + record.start);
    }

    /** @return the name of the segment file that holds the write of {@code sequence}. */
    private static String segmentOf(final long sequence)
    {
        for (final CorruptionTest.SegmentInfo s : layout.segments.values())
        {
            for (final CorruptionTest.RecordInfo r : s.records)
            {
                if (r.sequence == sequence && !RecordDescriptor.isPadType(r.type))
                {
                    return s.name;
                }
            }
        }
        throw new IllegalArgumentException("no record " + sequence);
    }

    /** @return a record, neither first nor last in its segment, of a write that {@code which} accepts. */
    private static CorruptionTest.RecordInfo middleRecord(final java.util.function.Predicate<StoreHistory.Write> which)
    {
        for (final CorruptionTest.SegmentInfo s : layout.segments.values())
        {
            for (int i = 1; i < s.records.size() - 1; i++)
            {
                final CorruptionTest.RecordInfo r = s.records.get(i);
                if (!RecordDescriptor.isPadType(r.type) && !RecordDescriptor.isPadType(s.records.get(i + 1).type) &&
                    which.test(history.write(r.sequence)))
                {
                    return r;
                }
            }
        }
        throw new IllegalStateException("the fixture has no such record");
    }

    private static boolean isNewest(final StoreHistory.Write w)
    {
        final Map<String, Long> live = history.latest().entrySequences;
        return Long.valueOf(w.sequence).equals(live.get(w.key));
    }

    private static boolean hasOlderPut(final StoreHistory.Write w)
    {
        return history.without(w.sequence - 1, Set.of()).entries.containsKey(w.key);
    }

    /** @return the record of the fixture's last write. */
    private static CorruptionTest.RecordInfo lastWrite()
    {
        final CorruptionTest.SegmentInfo last = layout.segments.get(lastSegmentId());
        for (int i = last.records.size() - 1; i >= 0; i--)
        {
            if (!RecordDescriptor.isPadType(last.records.get(i).type))
            {
                assertEquals(history.lastSequence(), last.records.get(i).sequence);
                return last.records.get(i);
            }
        }
        throw new IllegalStateException("the last segment holds no write");
    }

    private static int middleSegmentId()
    {
        final List<Integer> ids = new ArrayList<>(layout.segments.keySet());
        return ids.get(ids.size() / 2);
    }

    private static int lastSegmentId()
    {
        final List<Integer> ids = new ArrayList<>(layout.segments.keySet());
        return ids.get(ids.size() - 1);
    }
}
