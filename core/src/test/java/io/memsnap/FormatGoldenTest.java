package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reads stores written by every format version (committed, gzipped, under {@code src/test/resources/golden/vX.Y},
 * all written by {@link #main(String[])} with the same writes) and checks every value and the header bytes against
 * the descriptors. A change that breaks reading old stores, or that moves a field without a new version, fails
 * here. Regenerate only for a new format version, into a new folder; never overwrite an old version's files.
 */
class FormatGoldenTest
{
    static final String[] FILES = {
        "index.msi", "segment-0000000001.seg", "segment-0000000002.seg", "manifest-00000000000000000000.msm",
        "manifest-00000000000000000001.msm", "manifest-00000000000000000002.msm"};

    @TempDir
    Path dir;

    /** Writes the golden store; run by hand (with the add-exports flag) for a new format version. */
    public static void main(final String[] args) throws IOException
    {
        final Path store = Files.createTempDirectory("golden");
        try (MemoryStore s = MemoryStore.open(store, options()))
        {
            s.put("golden-0", SparseVector.of(new int[] {0, 5, 1023}, new float[] {1.5f, -2.25f, 0.125f}), 0.5f,
                1_700_000_000_000L, "{\"source\":\"golden\"}".getBytes(StandardCharsets.UTF_8));
            s.put("gölden-ü-\uD83D\uDE00", SparseVector.of(new int[] {7}, new float[] {-0.0f}), 1.0f, 42L, null);
            s.put("golden-2", SparseVector.empty(), 0.0f, 0L, new byte[] {0, 1, 2, (byte)255});
            s.putState("transitions", new byte[] {9, 8, 7});
            s.snapshot(Map.of("encoder", "golden-encoder", "version", "1.0.0"));
            s.put("golden-0", SparseVector.of(new int[] {1, 2}, new float[] {3f, 4f}), 0.75f, 1_700_000_000_001L, null);
            s.delete("golden-2");
            s.putState("config", "{\"dim\":1024}".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 100; i++)
            {
                s.put("filler-" + i, SparseVector.of(new int[] {i, i + 100}, new float[] {i, -i}), 0.1f, i,
                    new byte[700]);
            }
            s.checkpoint();
            s.snapshot(Map.of("encoder", "golden-encoder"));
            s.put("tail-0", SparseVector.of(new int[] {3}, new float[] {3f}), 0.3f, 3L, null);
            s.delete("filler-0");
            s.sync();
        }
        final Path out = Path.of(args.length > 0 ? args[0] : "core/src/test/resources/golden/v" +
            FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR);
        Files.createDirectories(out);
        try (Stream<Path> files = Files.list(store))
        {
            for (final Path p : files.collect(Collectors.toList()))
            {
                if (!p.getFileName().toString().equals("memsnap.lock"))
                {
                    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(
                        out.resolve(p.getFileName() + ".gz"))))
                    {
                        Files.copy(p, o);
                    }
                }
            }
        }
        System.out.println("golden store written to " + out);
    }

    static StoreOptions options()
    {
        return StoreOptions.builder().dimension(1024).segmentSize(64 * 1024).build();
    }

    private void unpack(final String version) throws IOException
    {
        for (final String name : FILES)
        {
            try (InputStream in = new GZIPInputStream(
                FormatGoldenTest.class.getResourceAsStream("/golden/" + version + "/" + name + ".gz")))
            {
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1.0", "v2.0"})
    void readsEveryValue(final String version) throws IOException
    {
        unpack(version);
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            assertEquals(2, s.recoveryReport().restoredGeneration());
            assertEquals(2, s.recoveryReport().replayedRecords(), "the tail after the last snapshot");
            assertEquals(102, s.size());
            final MemoryEntry g0 = s.get("golden-0").orElseThrow();
            assertEquals(SparseVector.of(new int[] {1, 2}, new float[] {3f, 4f}), g0.vector());
            assertEquals(0.75f, g0.importance());
            assertEquals(1_700_000_000_001L, g0.storedAtMillis());
            assertEquals(0, g0.metadata().length);
            final MemoryEntry u = s.get("gölden-ü-\uD83D\uDE00").orElseThrow();
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(u.vector().value(0)));
            assertEquals(42L, u.storedAtMillis());
            assertTrue(s.get("golden-2").isEmpty());
            assertTrue(s.get("filler-0").isEmpty());
            assertEquals(SparseVector.of(new int[] {99, 199}, new float[] {99f, -99f}),
                s.get("filler-99").orElseThrow().vector());
            assertTrue(s.contains("tail-0"));
            assertArrayEquals(new byte[] {9, 8, 7}, s.getState("transitions").orElseThrow());
            assertEquals("{\"dim\":1024}", new String(s.getState("config").orElseThrow(), StandardCharsets.UTF_8));
            assertEquals(List.of("config", "transitions"), s.stateNames());
            final List<SnapshotInfo> snapshots = s.snapshots();
            assertEquals(Map.of("encoder", "golden-encoder"), snapshots.get(0).labels());
            assertEquals(Map.of("encoder", "golden-encoder", "version", "1.0.0"), snapshots.get(1).labels());
        }
    }

    /**
     * A store written before index file generations ({@code index.msi} only, no manifest extension) moves to them
     * once its index file has grown: the manifests name the new file, {@code index.msi} is deleted once no retained
     * snapshot names it, and every value reads back, after a reopen too.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1.0", "v2.0"})
    void movesToIndexFileGenerationsOnceItsIndexFileGrows(final String version) throws IOException
    {
        unpack(version);
        final StoreOptions options = options().toBuilder().retainedSnapshots(2).indexCompactionMinBytes(0)
            .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).build();
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            for (int round = 0; round < 4; round++)
            {
                for (int i = 1; i < 100; i += 2)
                {
                    s.put("filler-" + i, SparseVector.of(new int[] {i}, new float[] {round}), 0.2f, round, null);
                }
                s.checkpoint();
                s.snapshot();
            }
            assertFalse(Files.exists(dir.resolve(IndexPageDescriptor.FILE_NAME)), "index.msi is retired");
            final List<Long> generations = IndexFiles.generations(dir);
            assertTrue(generations.size() >= 1 && generations.get(0) >= 1, "index files " + generations);
        }
        final ByteBuffer manifest = read(ManifestDescriptor.fileName(6));
        assertEquals(IndexFiles.generations(dir).get(IndexFiles.generations(dir).size() - 1),
            io.memsnap.internal.snapshot.ManifestCodec.decode(manifest.array(), dir).checkpoint.indexFile,
            "the newest manifest names the newest index file");
        for (final boolean readOnly : new boolean[] {true, false})
        {
            try (MemoryStore s = MemoryStore.open(dir, options.toBuilder().readOnly(readOnly).build()))
            {
                assertEquals(102, s.size());
                assertEquals(SparseVector.of(new int[] {1, 2}, new float[] {3f, 4f}),
                    s.get("golden-0").orElseThrow().vector());
                assertEquals(SparseVector.of(new int[] {99}, new float[] {3f}), s.get("filler-99").orElseThrow()
                    .vector());
                assertEquals(SparseVector.of(new int[] {98, 198}, new float[] {98f, -98f}),
                    s.get("filler-98").orElseThrow().vector());
                assertArrayEquals(new byte[] {9, 8, 7}, s.getState("transitions").orElseThrow());
                assertTrue(s.verify(true).problems().isEmpty(), () -> s.verify(true).toString());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1.0", "v2.0"})
    void readsTheFirstSnapshotReadOnly(final String version) throws IOException
    {
        unpack(version);
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(1).build()))
        {
            assertEquals(3, s.size());
            final MemoryEntry g0 = s.get("golden-0").orElseThrow();
            assertEquals(SparseVector.of(new int[] {0, 5, 1023}, new float[] {1.5f, -2.25f, 0.125f}), g0.vector());
            assertEquals("{\"source\":\"golden\"}", new String(g0.metadata(), StandardCharsets.UTF_8));
            assertArrayEquals(new byte[] {0, 1, 2, (byte)255}, s.get("golden-2").orElseThrow().metadata());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1.0", "v2.0"})
    void headerBytesMatchTheDescriptors(final String version) throws IOException
    {
        unpack(version);
        final int major = version.equals("v1.0") ? FormatVersion.MAJOR_1 : FormatVersion.MAJOR_2;
        final ByteBuffer segment = read("segment-0000000001.seg");
        assertEquals(SegmentDescriptor.MAGIC, segment.getLong(SegmentDescriptor.MAGIC_OFFSET));
        assertEquals("MSNPSEG", ascii(segment, 0, 7));
        assertEquals(major, segment.getShort(SegmentDescriptor.MAJOR_OFFSET));
        assertEquals(FormatVersion.MINOR_0, segment.getShort(SegmentDescriptor.MINOR_OFFSET));
        assertEquals(1, segment.getInt(SegmentDescriptor.SEGMENT_ID_OFFSET));
        assertEquals(1L, segment.getLong(SegmentDescriptor.FIRST_SEQUENCE_OFFSET));
        assertEquals(64 * 1024, segment.getInt(SegmentDescriptor.FILE_LENGTH_OFFSET));

        final int r = SegmentDescriptor.HEADER_LENGTH;
        assertEquals(1L, segment.getLong(r + RecordDescriptor.SEQUENCE_OFFSET));
        assertEquals(RecordDescriptor.TYPE_PUT, segment.get(r + RecordDescriptor.TYPE_OFFSET));
        assertEquals(3, segment.getInt(r + RecordDescriptor.NNZ_OFFSET));
        assertEquals("golden-0".length(), segment.getShort(r + RecordDescriptor.ID_LENGTH_OFFSET));
        assertEquals(0.5f, segment.getFloat(r + RecordDescriptor.IMPORTANCE_OFFSET));
        assertEquals(1_700_000_000_000L, segment.getLong(r + RecordDescriptor.STORED_AT_OFFSET));
        assertEquals(1023, segment.getInt(RecordDescriptor.indicesOffset(r) + 8));
        assertEquals(-2.25f, segment.getFloat(RecordDescriptor.valuesOffset(r, 3) + 4));
        assertEquals("golden-0", ascii(segment, RecordDescriptor.idOffset(r, 3), 8));
        assertEquals(RecordDescriptor.recordLength(3, 8, 19), segment.getInt(r + RecordDescriptor.LENGTH_OFFSET));

        final ByteBuffer index = read("index.msi");
        assertEquals(IndexPageDescriptor.MAGIC, index.getLong(IndexPageDescriptor.FILE_MAGIC_OFFSET));
        assertEquals(IndexPageDescriptor.PAGE_SIZE, index.getInt(IndexPageDescriptor.FILE_PAGE_SIZE_OFFSET));
        assertEquals(IndexPageDescriptor.TYPE_ROOT, index.get(IndexPageDescriptor.PAGE_SIZE +
            IndexPageDescriptor.TYPE_OFFSET), "page 1 is the first root");

        assertEquals(major, index.getShort(IndexPageDescriptor.FILE_MAJOR_OFFSET));

        final ByteBuffer manifest = read("manifest-00000000000000000002.msm");
        assertEquals(ManifestDescriptor.MAGIC, manifest.getLong(ManifestDescriptor.MAGIC_OFFSET));
        assertEquals(major, manifest.getShort(ManifestDescriptor.MAJOR_OFFSET));
        assertEquals(2L, manifest.getLong(ManifestDescriptor.GENERATION_OFFSET));
        assertEquals(manifest.capacity(), manifest.getInt(ManifestDescriptor.TOTAL_LENGTH_OFFSET));
        assertEquals(1024, manifest.getInt(ManifestDescriptor.DIMENSION_OFFSET));
        assertEquals(102L, manifest.getLong(ManifestDescriptor.ENTRY_COUNT_OFFSET));
        assertEquals(2L, manifest.getLong(ManifestDescriptor.STATE_COUNT_OFFSET));
    }

    /**
     * 2.0: the first snapshot's bytes end with a PAD on a page boundary; it carries the sequence of the record after
     * it (4: three puts and a state put came before), and its checksum covers it like any record's.
     */
    @Test
    void version20EndsASnapshotWithAPadOnAPageBoundary() throws IOException
    {
        unpack("v2.0");
        final ByteBuffer segment = read("segment-0000000001.seg");
        int offset = SegmentDescriptor.HEADER_LENGTH;
        for (int i = 0; i < 4; i++)
        {
            offset += RecordDescriptor.alignedLength(segment.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
        }
        assertEquals(RecordDescriptor.TYPE_PAD, segment.get(offset + RecordDescriptor.TYPE_OFFSET));
        final int length = segment.getInt(offset + RecordDescriptor.LENGTH_OFFSET);
        assertEquals(0, (offset + length) % 4096, "the PAD ends on a page boundary");
        assertTrue(length >= RecordDescriptor.MIN_PAD_LENGTH);
        assertEquals(5L, segment.getLong(offset + RecordDescriptor.SEQUENCE_OFFSET));
        assertEquals(0, segment.getShort(offset + RecordDescriptor.ID_LENGTH_OFFSET));
        assertEquals(0, segment.getInt(offset + RecordDescriptor.NNZ_OFFSET));
        assertEquals(length - RecordDescriptor.HEADER_LENGTH, segment.getInt(offset + RecordDescriptor.VALUE_LENGTH_OFFSET));
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(segment.array(), offset + RecordDescriptor.CHECKSUMMED_FROM, length - RecordDescriptor.CHECKSUMMED_FROM);
        assertEquals((int)crc.getValue(), segment.getInt(offset + RecordDescriptor.CRC_OFFSET));
        assertEquals(5L, segment.getLong(offset + length + RecordDescriptor.SEQUENCE_OFFSET), "the next record");
    }

    /**
     * This build appends to a 1.0 store: its 1.0 tail segment gets no PAD (a 1.0 reader would take it for damage),
     * new files are 2.0, and everything reads back after a reopen.
     */
    @Test
    void appendsToAVersion10StoreWithoutPaddingItsSegments() throws IOException
    {
        unpack("v1.0");
        final long before = Files.size(dir.resolve("segment-0000000002.seg"));
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            s.put("after-upgrade", SparseVector.of(new int[] {1}, new float[] {2f}), 0.5f, 5L, null);
            final SnapshotInfo info = s.snapshot();
            assertEquals(3, info.generation());
        }
        final ByteBuffer tail = read("segment-0000000002.seg");
        assertEquals(before, tail.capacity());
        assertEquals(FormatVersion.MAJOR_1, tail.getShort(SegmentDescriptor.MAJOR_OFFSET));
        int offset = SegmentDescriptor.HEADER_LENGTH;
        int records = 0;
        while (tail.getInt(offset + RecordDescriptor.LENGTH_OFFSET) != 0)
        {
            assertNotEquals(RecordDescriptor.TYPE_PAD, tail.get(offset + RecordDescriptor.TYPE_OFFSET), "at " + offset);
            offset += RecordDescriptor.alignedLength(tail.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
            records++;
        }
        assertTrue(records > 0);
        final ByteBuffer manifest = read("manifest-00000000000000000003.msm");
        assertEquals(FormatVersion.CURRENT_MAJOR, manifest.getShort(ManifestDescriptor.MAJOR_OFFSET));
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
            assertEquals(103, s.size());
            assertEquals(2f, s.get("after-upgrade").orElseThrow().vector().value(0));
            assertTrue(s.verify(true).ok(), s.verify(true).toString());
        }
    }

    private ByteBuffer read(final String name) throws IOException
    {
        return ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name))).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String ascii(final ByteBuffer b, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
