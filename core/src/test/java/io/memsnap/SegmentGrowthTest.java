package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentSizing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.DIMENSION;
import static io.memsnap.TestEntries.id;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Segments grow: a store's first segment is 64 KiB and each new one twice the one before it (read from its header),
 * up to {@link StoreOptions#segmentSize()}, and always large enough for the record that starts it. Every part that
 * reads segments takes each one's own length from its header: reopen and recovery, read-only opens of older
 * snapshots, verify, salvage, and stores written with fixed-size segments (the golden stores).
 */
class SegmentGrowthTest
{
    private static final int KIB = 1024;
    /** The largest segment of these tests: sizes go 64, 128, 256, 512 KiB, then 1 MiB. */
    private static final int MAX = 1024 * KIB;

    @TempDir
    Path tmp;

    /** The number of the next entry {@link #writeUntilSegments} writes. */
    private int next;

    private StoreOptions options(final int segmentSize)
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(segmentSize).build();
    }

    @Test
    void segmentsDoubleFromTheFirstUpToTheSegmentSizeAcrossRollsAndReopens() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final Map<Integer, Long> expected = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            assertEquals(List.of(64L * KIB), segmentLengths(dir), "a new store's first segment");
            writeUntilSegments(store, dir, expected, 3);
        }
        assertEquals(List.of(64L * KIB, 128L * KIB, 256L * KIB), segmentLengths(dir));
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            // The reopened store goes on from its tail segment's header: the next one doubles it.
            writeUntilSegments(store, dir, expected, 7);
            assertHolds(store, expected);
        }
        assertEquals(List.of(64L * KIB, 128L * KIB, 256L * KIB, 512L * KIB, 1024L * KIB, 1024L * KIB, 1024L * KIB),
            segmentLengths(dir), "doubled up to the segment size, then that size");
        try (MemoryStore store = MemoryStore.open(dir, options(256 * KIB)))
        {
            // A smaller segment size caps the new segments; the longer ones still read.
            writeUntilSegments(store, dir, expected, 8);
            assertHolds(store, expected);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        assertEquals(256L * KIB, segmentLengths(dir).get(7));
    }

    @Test
    void theSizingDoublesCapsAndFitsTheRecord()
    {
        assertEquals(64 * KIB, SegmentSizing.first(StoreOptions.DEFAULT_SEGMENT_SIZE));
        assertEquals(64 * KIB, SegmentSizing.first(StoreOptions.MIN_SEGMENT_SIZE));
        assertEquals(128 * KIB, SegmentSizing.next(64 * KIB, StoreOptions.DEFAULT_SEGMENT_SIZE, 100));
        assertEquals(64 << 20, SegmentSizing.next(32 << 20, 64 << 20, 100));
        assertEquals(64 << 20, SegmentSizing.next(64 << 20, 64 << 20, 100), "fixed-size segments stay fixed");
        assertEquals(1 << 20, SegmentSizing.next(64 << 20, 1 << 20, 100), "a smaller segment size caps the next");
        assertEquals(512 * KIB, SegmentSizing.next(64 * KIB, MAX, 300 * KIB), "doubled until the record fits");
        assertEquals(256 * KIB, SegmentSizing.next(64 * KIB, MAX, 256 * KIB - SegmentDescriptor.HEADER_LENGTH));
        assertEquals(MAX, SegmentSizing.next(64 * KIB, MAX, MAX - SegmentDescriptor.HEADER_LENGTH));
        assertThrows(IllegalArgumentException.class, () -> SegmentSizing.next(64 * KIB, MAX, MAX));
        int rolls = 0;
        for (int length = SegmentSizing.first(StoreOptions.DEFAULT_SEGMENT_SIZE);
            length < StoreOptions.DEFAULT_SEGMENT_SIZE; rolls++)
        {
            length = SegmentSizing.next(length, StoreOptions.DEFAULT_SEGMENT_SIZE, 100);
        }
        assertEquals(10, rolls, "rolls before segments reach the default size");
    }

    /**
     * What a roll writes, from the journal of every change the store made: the new segment's file is given its length
     * (an extension, a hole), then its 64-byte header is written, and then the record that rolled; no other byte of
     * it. Preallocated, it is written with zeros first, all of it. (Who makes the file and when:
     * {@link SegmentPreparationTest}.)
     */
    @ParameterizedTest(name = "preallocate: {0}")
    @ValueSource(booleans = {false, true})
    void aRollWritesTheHeaderAndTheRecordNotTheSegment(final boolean preallocate) throws IOException
    {
        final Path dir = tmp.resolve("store");
        final RecordingFileSystem fs = new RecordingFileSystem(tmp);
        final Map<Integer, Long> expected = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, options(MAX).toBuilder().preallocate(preallocate).build(), fs))
        {
            writeUntilSegments(store, dir, expected, 2);
        }
        final Path second = dir.resolve(SegmentDescriptor.fileName(2));
        long extendedTo = 0;
        long written = 0;
        final List<Long> writes = new ArrayList<>();
        for (final JournalEntry e : fs.journal().entries())
        {
            if (e.path == null || !e.path.equals(second))
            {
                continue;
            }
            if (e.kind == JournalEntry.Kind.EXTEND)
            {
                extendedTo = e.value;
            }
            else if (e.kind == JournalEntry.Kind.WRITE)
            {
                written += e.bytes.length;
                writes.add(e.position);
            }
        }
        assertEquals(List.of(64L * KIB, 128L * KIB), segmentLengths(dir));
        if (preallocate)
        {
            assertEquals(0, extendedTo, "preallocated: grown by writes of zeros");
            assertEquals(List.of(0L, 0L, (long)SegmentDescriptor.HEADER_LENGTH), writes, "zeros, header, record");
            assertTrue(written > 128L * KIB, written + " bytes written");
        }
        else
        {
            assertEquals(128L * KIB, extendedTo, "sparse: given its length");
            assertEquals(List.of(0L, (long)SegmentDescriptor.HEADER_LENGTH), writes, "header, record");
            assertTrue(written < 2 * KIB, "only the header and one record written: " + written + " bytes");
        }
    }

    /**
     * A record longer than the doubled length gets a segment doubled until it fits; when the first write of a store
     * is such a record, the first segment stays empty (its header only), and everything still reads.
     */
    @ParameterizedTest(name = "first write large: {0}")
    @ValueSource(booleans = {false, true})
    void aRecordLargerThanTheNextSegmentGetsASegmentThatFitsIt(final boolean firstWriteLarge) throws IOException
    {
        final Path dir = tmp.resolve("store");
        final Map<Integer, Long> expected = new HashMap<>();
        final byte[] large = new byte[300 * KIB];
        Arrays.fill(large, (byte)7);
        final SnapshotInfo snapshot;
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            if (!firstWriteLarge)
            {
                write(store, expected, 0, 0);
            }
            store.putState("large", large);
            assertEquals(List.of(64L * KIB, 512L * KIB), segmentLengths(dir),
                "64 KiB doubled to 128, 256, then 512 KiB: the first that holds 300 KiB");
            snapshot = store.snapshot();
            // The next roll doubles the 512 KiB segment (up to the segment size).
            writeUntilSegments(store, dir, expected, 3);
        }
        assertEquals(List.of(64L * KIB, 512L * KIB, 1024L * KIB), segmentLengths(dir));
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            assertArrayEquals(large, store.getState("large").orElseThrow());
            assertHolds(store, expected);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
            .generation(snapshot.generation()).build()))
        {
            assertArrayEquals(large, old.getState("large").orElseThrow());
            assertEquals(firstWriteLarge ? 0 : 1, old.size());
        }
        final SalvageReport salvaged = Salvage.salvage(dir, tmp.resolve("salvaged"));
        assertTrue(salvaged.nothingLost(), salvaged.toString());
        try (MemoryStore copy = MemoryStore.open(tmp.resolve("salvaged"), options(MAX)))
        {
            assertArrayEquals(large, copy.getState("large").orElseThrow());
            assertHolds(copy, expected);
        }
    }

    /**
     * A store of mixed segment lengths, with snapshots taken in several of them: a writer's reopen, the recovery of
     * what a killed process leaves (the files as the page cache holds them, copied while the writer runs), a
     * read-only open of each retained snapshot, verify and salvage all read every segment at its own length. The
     * writer compacts nothing in the background: a pass copying after its last checkpoint would add its copies to
     * the tail the killed copy replays.
     */
    @Test
    void reopenRecoveryReadOnlyVerifyAndSalvageReadMixedSegmentLengths() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final Path killed = tmp.resolve("killed");
        final Map<Integer, Long> expected = new HashMap<>();
        final Map<Long, Map<Integer, Long>> atSnapshot = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, options(MAX).toBuilder().backgroundCompaction(false).build()))
        {
            for (int segments = 2; segments <= 6; segments++)
            {
                writeUntilSegments(store, dir, expected, segments);
                for (int i = segments; i < next; i += 9)
                {
                    if (expected.remove(i) != null)
                    {
                        assertTrue(store.delete(id(i)));
                    }
                }
                store.putState("segments", new byte[] {(byte)segments});
                atSnapshot.put(store.snapshot().generation(), new HashMap<>(expected));
            }
            store.checkpoint();
            atSnapshot.put(store.snapshot().generation(), new HashMap<>(expected));
            for (int i = 0; i < 40; i++)
            {
                write(store, expected, next++, 0); // not synced: only in the page cache
            }
            copy(dir, killed);
        }
        assertTrue(segmentLengths(dir).containsAll(List.of(64L * KIB, 512L * KIB, 1024L * KIB)),
            segmentLengths(dir).toString());

        try (MemoryStore store = MemoryStore.open(killed, options(MAX)))
        {
            assertEquals(40, store.recoveryReport().replayedRecords(), "what the killed writer left in its tail");
            assertHolds(store, expected);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            assertHolds(store, expected);
            assertArrayEquals(new byte[] {6}, store.getState("segments").orElseThrow());
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
            for (final SnapshotInfo snapshot : store.snapshots())
            {
                try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                    .generation(snapshot.generation()).build()))
                {
                    assertHolds(old, atSnapshot.get(snapshot.generation()));
                }
            }
        }
        final SalvageReport salvaged = Salvage.salvage(dir, tmp.resolve("salvaged"));
        assertTrue(salvaged.nothingLost(), salvaged.toString());
        try (MemoryStore copy = MemoryStore.open(tmp.resolve("salvaged"), options(MAX)))
        {
            assertHolds(copy, expected);
        }
    }

    /**
     * The golden stores were written with fixed 64 KiB segments: they open as they are, and the next segment doubles
     * their tail's length, up to the segment size the store is opened with.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1.0", "v2.0"})
    void aStoreWrittenWithFixedSizeSegmentsOpensAndGrowsFromItsTail(final String version) throws IOException
    {
        final Path dir = Files.createDirectories(tmp.resolve(version));
        GoldenStores.unpack(version, dir);
        assertEquals(List.of(64L * KIB, 64L * KIB), segmentLengths(dir));
        final Map<Integer, Long> expected = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().upgradeFormat(true).build()))
        {
            assertEquals(102, store.size());
            writeUntilSegments(store, dir, expected, 4);
        }
        assertEquals(List.of(64L * KIB, 64L * KIB, 128L * KIB, 256L * KIB), segmentLengths(dir));
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().build()))
        {
            assertEquals(102 + expected.size(), store.size());
            assertHolds(store, expected);
            assertTrue(store.get("golden-0").isPresent());
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
    }

    /**
     * A roll on a full disk: the new segment's length needs no space (a hole), its header does; the write of the
     * header fails, the half-made file is deleted, the put fails typed and nothing stored changes. Once space is
     * back the same put rolls.
     */
    @Test
    void aRollOnAFullDiskFailsTypedAndLeavesNoSegment() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final DiskFullFileSystem fs = new DiskFullFileSystem();
        final Map<Integer, Long> expected = new HashMap<>();
        final byte[] large = new byte[100 * KIB];
        try (MemoryStore store = MemoryStore.open(dir, options(MAX), fs))
        {
            for (int i = 0; i < 20; i++)
            {
                write(store, expected, i, 0);
            }
            store.sync();
            fs.fill();
            final StoreIoException refused = assertThrows(StoreIoException.class,
                () -> store.putState("large", large));
            assertTrue(refused.getMessage().contains("could not create segment 2"), refused.getMessage());
            assertTrue(String.valueOf(refused.getCause()).contains("No space left on device"), refused.toString());
            assertEquals(List.of(64L * KIB), segmentLengths(dir), "the half-made segment is gone");
            assertTrue(store.getState("large").isEmpty());
            assertHolds(store, expected);

            fs.free();
            store.putState("large", large);
            assertEquals(List.of(64L * KIB, 128L * KIB), segmentLengths(dir), "64 KiB doubled holds 100 KiB");
        }
        try (MemoryStore store = MemoryStore.open(dir, options(MAX)))
        {
            assertHolds(store, expected);
            assertArrayEquals(large, store.getState("large").orElseThrow());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Puts new entries until the store has {@code n} segments. */
    private void writeUntilSegments(final MemoryStore store, final Path dir, final Map<Integer, Long> expected,
        final int n) throws IOException
    {
        while (segmentLengths(dir).size() < n)
        {
            write(store, expected, next++, 0);
        }
    }

    private static void write(final MemoryStore store, final Map<Integer, Long> expected, final int n,
        final long version)
    {
        store.put(id(n), vector(n, version), 0.5f, n, new byte[1000]);
        expected.put(n, version);
    }

    /** @return a vector below dimension 1024 (the golden stores'): a record of about 1 KiB with the metadata. */
    private static SparseVector vector(final int n, final long version)
    {
        return SparseVector.of(new int[] {n % 1024}, new float[] {version + n});
    }

    private static void assertHolds(final MemoryStore store, final Map<Integer, Long> expected)
    {
        for (final Map.Entry<Integer, Long> e : expected.entrySet())
        {
            final MemoryEntry entry = store.get(id(e.getKey())).orElseThrow(() -> new AssertionError(id(e.getKey())));
            assertEquals(vector(e.getKey(), e.getValue()), entry.vector(), id(e.getKey()));
        }
    }

    /**
     * @return the length of each segment file the log started, by id (not the file made ahead for the next roll:
     * {@link Segment#neverStarted}); checks that each header names its file's length and id and that the ids have no
     * gap.
     */
    static List<Long> segmentLengths(final Path dir) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)list.sorted()::iterator)
            {
                if (SegmentDescriptor.parseFileName(p.getFileName().toString()) > 0 && !Segment.neverStarted(p))
                {
                    files.add(p);
                }
            }
        }
        final List<Long> lengths = new ArrayList<>();
        for (final Path file : files)
        {
            final int id = SegmentDescriptor.parseFileName(file.getFileName().toString());
            assertEquals(lengths.size() + 1, id, "segment ids " + files);
            final ByteBuffer header = ByteBuffer.allocate(SegmentDescriptor.HEADER_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel channel = FileChannel.open(file))
            {
                channel.read(header, 0);
            }
            assertEquals(id, header.getInt(SegmentDescriptor.SEGMENT_ID_OFFSET), file.toString());
            assertEquals(Files.size(file), header.getInt(SegmentDescriptor.FILE_LENGTH_OFFSET) & 0xFFFF_FFFFL,
                file + ": the header names the file's length");
            lengths.add(Files.size(file));
        }
        return lengths;
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(p))
                {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }
}
