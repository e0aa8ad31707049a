package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.WatermarkDescriptor;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.NextSlotExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
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
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reads the stores written by every format version ({@link GoldenStores}: committed, gzipped, under
 * {@code src/test/resources/golden/vX.Y}, all written by {@link #main(String[])} with the same writes) and checks
 * their exact content (read-only as they are, and after a migration to this build's version) and the header bytes
 * against the descriptors. A change that breaks reading old stores, or that moves a field without a new version,
 * fails here; so does a new format version without its golden store. Write one only for a new format version, into
 * a new folder; never overwrite an old version's files.
 */
class FormatGoldenTest
{
    @TempDir
    Path dir;

    /** Writes the golden store of this build's format version (see {@link GoldenStores#WRITE_COMMAND}). */
    public static void main(final String[] args) throws IOException
    {
        final Path store = Files.createTempDirectory("golden");
        try (MemoryStore s = MemoryStore.open(store, GoldenStores.options()))
        {
            GoldenStores.write(GoldenStores.to(s));
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
                Files.delete(p);
            }
        }
        Files.delete(store);
        System.out.println("golden store written to " + out);
    }

    static List<String> versions()
    {
        return GoldenStores.VERSIONS;
    }

    /** The versions whose segments may hold PAD records. */
    static List<String> padded()
    {
        return GoldenStores.VERSIONS.stream().filter(v -> FormatVersion.hasPadRecords(GoldenStores.major(v)))
            .collect(Collectors.toList());
    }

    @Test
    void everyFormatVersionUpToTheCurrentOneHasAGoldenStore()
    {
        final String current = "v" + FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR;
        assertTrue(GoldenStores.exists(current) && GoldenStores.VERSIONS.contains(current),
            "format " + current.substring(1) + " (FormatVersion.CURRENT_MAJOR.CURRENT_MINOR) has no golden store: " +
            "write it with `" + GoldenStores.WRITE_COMMAND + "` (from the repository's root; it writes " +
            "core/src/test/resources/golden/" + current + "), commit it, and add \"" + current + "\" to " +
            "GoldenStores.VERSIONS. Never overwrite the store of an older version.");
        for (int major = FormatVersion.OLDEST_MAJOR; major <= FormatVersion.CURRENT_MAJOR; major++)
        {
            final int m = major;
            assertTrue(GoldenStores.VERSIONS.stream().anyMatch(v -> GoldenStores.major(v) == m),
                "no golden store of format " + major + ".x, which this build reads");
        }
        for (final String version : GoldenStores.VERSIONS)
        {
            assertTrue(GoldenStores.exists(version), "golden store " + version + " is not on the class path");
        }
    }

    /**
     * A store written before manifests carried live bytes per segment: its writer counts them once from the index
     * (the same as a recount), then compacts, deletes what nothing needs, and keeps every value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void anUpgradedStoreCountsItsLiveBytesThenCompacts(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final StoreOptions options = GoldenStores.options().toBuilder().backgroundCompaction(false)
            .upgradeFormat(true).build();
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            assertTrue(s.stats().liveBytes() > 0);
            CompactionTest.assertAccountingMatchesRecount(s);
            s.compact();
            for (int i = 0; i < options.retainedSnapshots(); i++)
            {
                s.snapshot();
            }
            CompactionTest.assertAccountingMatchesRecount(s);
            assertEquals(102, s.size());
        }
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            assertEquals(102, s.size());
            assertArrayEquals(new byte[] {9, 8, 7}, s.getState("transitions").orElseThrow());
            assertTrue(s.verify(true).problems().isEmpty(), s.verify(true).toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void readsTheNewestSnapshotReadOnlyAsItIs(final String version)
    {
        GoldenStores.unpack(version, dir);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(GoldenStores.NEWEST_GENERATION, s.recoveryReport().restoredGeneration());
            GoldenStores.newestSnapshot().assertHeldBy(s, version + " read-only");
            final List<SnapshotInfo> snapshots = s.snapshots();
            assertEquals(Map.of("encoder", "golden-encoder"), snapshots.get(0).labels());
            assertEquals(Map.of("encoder", "golden-encoder", "version", "1.0.0"), snapshots.get(1).labels());
        }
        GoldenStores.assertUnchanged(before, dir, "a read-only open");
    }

    /**
     * A store written before index file generations ({@code index.msi} only, no manifest extension) moves to them
     * once its index file has grown: the manifests name the new file, {@code index.msi} is deleted once no retained
     * snapshot names it, and every value reads back, after a reopen too.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void movesToIndexFileGenerationsOnceItsIndexFileGrows(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final StoreOptions options = GoldenStores.options().toBuilder().upgradeFormat(true).backgroundCompaction(false)
            .retainedSnapshots(2).indexCompactionMinBytes(0)
            .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).build();
        final long newest;
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
            newest = s.lastSnapshot().generation();
        }
        assertEquals(IndexFiles.generations(dir).get(IndexFiles.generations(dir).size() - 1),
            Manifests.read(dir, newest).checkpoint.indexFile, "the newest manifest names the newest index file");
        for (final boolean readOnly : new boolean[] {true, false})
        {
            try (MemoryStore s = MemoryStore.open(dir, readOnly ? StoreOptions.builder().readOnly(true).build() :
                options))
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
    @MethodSource("versions")
    void readsTheFirstSnapshotReadOnly(final String version)
    {
        GoldenStores.unpack(version, dir);
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(1).build()))
        {
            assertEquals(3, s.size());
            final MemoryEntry g0 = s.get("golden-0").orElseThrow();
            assertEquals(SparseVector.of(new int[] {0, 5, 1023}, new float[] {1.5f, -2.25f, 0.125f}), g0.vector());
            assertEquals("{\"source\":\"golden\"}", new String(g0.metadata(), StandardCharsets.UTF_8));
            assertArrayEquals(new byte[] {0, 1, 2, (byte)255}, s.get("golden-2").orElseThrow().metadata());
            assertEquals(List.of("transitions"), s.stateNames());
        }
    }

    /**
     * Migrated to this build's version (a store of it is left as it is), a writer opens every value, the two writes
     * after the last snapshot replayed; a read-only open still shows the newest snapshot exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void readsEveryValueAfterMigrating(final String version)
    {
        GoldenStores.unpack(version, dir);
        final boolean older = GoldenStores.major(version) < FormatVersion.CURRENT_MAJOR;
        final MigrationReport report = Migration.migrate(dir);
        assertEquals(older, report.upgraded(), report.toString());
        final long newest = GoldenStores.migratedGeneration(version);
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(newest, s.recoveryReport().restoredGeneration());
            GoldenStores.newestSnapshot().assertHeldBy(s, version + " migrated, read-only");
        }
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(1).build()))
        {
            assertEquals(3, s.size(), "an older snapshot still opens by generation");
            assertArrayEquals(new byte[] {0, 1, 2, (byte)255}, s.get("golden-2").orElseThrow().metadata());
        }
        try (MemoryStore s = MemoryStore.open(dir, GoldenStores.options()))
        {
            assertEquals(newest, s.recoveryReport().restoredGeneration());
            assertEquals(2, s.recoveryReport().replayedRecords(), "the tail after the last snapshot");
            GoldenStores.everything().assertHeldBy(s, version + " migrated");
            final MemoryEntry u = s.get("gölden-ü-\uD83D\uDE00").orElseThrow();
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(u.vector().value(0)));
            assertTrue(s.verify(true).ok(), s.verify(true).toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void headerBytesMatchTheDescriptors(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final int major = GoldenStores.major(version);
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

        // 3.0 inserted the oldest reader's version at 16: every field from the generation on moved.
        final int shift = FormatVersion.hasManifestExtensions(major) ? ManifestDescriptor.V3_SHIFT : 0;
        assertEquals(shift, ManifestDescriptor.generationOffset(major) - ManifestDescriptor.GENERATION_OFFSET);
        final ByteBuffer manifest = manifest(GoldenStores.NEWEST_GENERATION);
        assertEquals(ManifestDescriptor.MAGIC, manifest.getLong(ManifestDescriptor.MAGIC_OFFSET));
        assertEquals(major, manifest.getShort(ManifestDescriptor.MAJOR_OFFSET));
        assertEquals(FormatVersion.MINOR_0, manifest.getShort(ManifestDescriptor.MINOR_OFFSET));
        assertEquals(manifest.capacity(), manifest.getInt(ManifestDescriptor.TOTAL_LENGTH_OFFSET));
        assertEquals(GoldenStores.NEWEST_GENERATION, manifest.getLong(ManifestDescriptor.GENERATION_OFFSET + shift));
        assertEquals(107L, manifest.getLong(ManifestDescriptor.LAST_SEQUENCE_OFFSET + shift));
        assertEquals(1024, manifest.getInt(ManifestDescriptor.DIMENSION_OFFSET + shift));
        assertEquals(1, manifest.getInt(ManifestDescriptor.HASH_FUNCTION_OFFSET + shift));
        assertEquals(102L, manifest.getLong(ManifestDescriptor.ENTRY_COUNT_OFFSET + shift));
        assertEquals(2L, manifest.getLong(ManifestDescriptor.STATE_COUNT_OFFSET + shift));
        assertEquals(2, manifest.getInt(ManifestDescriptor.SEGMENT_COUNT_OFFSET + shift));
        assertEquals(1, manifest.getInt(ManifestDescriptor.LABEL_COUNT_OFFSET + shift));
        final CRC32C crc = new CRC32C();
        crc.update(manifest.array(), 0, manifest.capacity() - 4);
        assertEquals((int)crc.getValue(), manifest.getInt(manifest.capacity() - 4));
        if (major == FormatVersion.MAJOR_3)
        {
            assertEquals(0, manifest.getInt(manifest.capacity() - 8), "no extension");
        }
        if (FormatVersion.hasManifestSlots(major))
        {
            slotBytesMatchTheDescriptor(major);
        }
    }

    /** 4.0: the header of manifests.mss, and the slot holding the newest manifest. */
    private void slotBytesMatchTheDescriptor(final int major) throws IOException
    {
        final ByteBuffer slots = read(ManifestSlotsDescriptor.FILE_NAME);
        assertEquals(ManifestSlotsDescriptor.HEADER_MAGIC, slots.getLong(ManifestSlotsDescriptor.HEADER_MAGIC_OFFSET));
        assertEquals("MSNPSLH", ascii(slots, 0, 7));
        assertEquals(major, slots.getShort(ManifestSlotsDescriptor.HEADER_MAJOR_OFFSET));
        assertEquals(ManifestSlotsDescriptor.SLOT_LENGTH, slots.getInt(ManifestSlotsDescriptor.SLOT_LENGTH_OFFSET));
        final CRC32C header = new CRC32C();
        header.update(slots.array(), 0, ManifestSlotsDescriptor.HEADER_CRC_OFFSET);
        assertEquals((int)header.getValue(), slots.getInt(ManifestSlotsDescriptor.HEADER_CRC_OFFSET));
        assertEquals(ManifestSlotsDescriptor.slotOffset(ManifestSlotsDescriptor.INITIAL_SLOTS), slots.capacity());

        final int index = Manifests.slotOf(dir, GoldenStores.NEWEST_GENERATION);
        final int at = (int)ManifestSlotsDescriptor.slotOffset(index);
        for (int k = 0; k < ManifestSlotsDescriptor.SECTORS; k++)
        {
            final int sector = at + k * ManifestSlotsDescriptor.SECTOR_LENGTH;
            assertEquals(GoldenStores.NEWEST_GENERATION, slots.getLong(sector + ManifestSlotsDescriptor.STAMP_OFFSET));
            final CRC32C crc = new CRC32C();
            crc.update(slots.array(), sector, ManifestSlotsDescriptor.SECTOR_CRC_OFFSET);
            assertEquals((int)crc.getValue(), slots.getInt(sector + ManifestSlotsDescriptor.SECTOR_CRC_OFFSET));
        }
        final java.util.function.IntUnaryOperator payload = p -> at + ManifestSlotsDescriptor.payloadToSlot(p);
        assertEquals(ManifestSlotsDescriptor.SLOT_MAGIC,
            slots.getLong(payload.applyAsInt(ManifestSlotsDescriptor.SLOT_MAGIC_OFFSET)));
        assertEquals("MSNPSLT", ascii(slots, payload.applyAsInt(0), 7));
        assertEquals(major, slots.getShort(payload.applyAsInt(ManifestSlotsDescriptor.SLOT_MAJOR_OFFSET)));
        assertEquals(index, slots.getInt(payload.applyAsInt(ManifestSlotsDescriptor.SLOT_INDEX_OFFSET)));
        final ByteBuffer manifest = manifest(GoldenStores.NEWEST_GENERATION);
        assertEquals(manifest.capacity(), slots.getInt(payload.applyAsInt(ManifestSlotsDescriptor.MANIFEST_LENGTH_OFFSET)));
        assertEquals(manifest.getLong(0), slots.getLong(payload.applyAsInt(ManifestSlotsDescriptor.MANIFEST_OFFSET)),
            "the manifest follows its length");
        final Manifest m = Manifests.read(dir, GoldenStores.NEWEST_GENERATION);
        final int next = NextSlotExtension.read(m, dir);
        assertNotEquals(index, next);
        assertEquals(0, slots.getLong((int)ManifestSlotsDescriptor.slotOffset(next)), "the next slot is free");
    }

    /**
     * The oldest library version that reads each manifest: named at offset 16 from 3.0 on, derived for 1.x and 2.x
     * (whose manifests lack the field).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void everyManifestNamesTheOldestReader(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final int major = GoldenStores.major(version);
        final LibraryVersion expected = major == FormatVersion.MAJOR_1 ? LibraryVersion.FIRST_READER_OF_1_0 :
            major == FormatVersion.MAJOR_2 ? LibraryVersion.FIRST_READER_OF_2_0 : major == FormatVersion.MAJOR_3 ?
            LibraryVersion.FIRST_READER_OF_3_0 : LibraryVersion.FIRST_READER_OF_4_0;
        for (long generation = 0; generation <= GoldenStores.NEWEST_GENERATION; generation++)
        {
            final Manifest m = Manifests.read(dir, generation);
            assertEquals(major, m.majorVersion);
            assertEquals(expected, m.oldestReader, "generation " + generation);
            if (FormatVersion.hasManifestExtensions(major))
            {
                final ByteBuffer b = manifest(generation);
                assertEquals(expected, new LibraryVersion(b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET),
                    b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET + 2),
                    b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET + 4)));
                assertEquals(0, b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET + 6), "reserved");
            }
        }
        assertEquals(LibraryVersion.FIRST_READER_OF_1_0, LibraryVersion.derivedOldestReader(FormatVersion.MAJOR_1));
        assertEquals(LibraryVersion.FIRST_READER_OF_2_0, LibraryVersion.derivedOldestReader(FormatVersion.MAJOR_2));
    }

    /** The durable watermark (a store of 1.x or 2.x written by its own release has none). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void theWatermarkMatchesItsDescriptor(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final Path file = dir.resolve(WatermarkDescriptor.FILE_NAME);
        if (GoldenStores.major(version) < FormatVersion.MAJOR_3)
        {
            assertFalse(Files.exists(file));
            return;
        }
        final ByteBuffer w = read(WatermarkDescriptor.FILE_NAME);
        int newest = -1;
        for (final int slot : new int[] {0, 4096})
        {
            assertEquals(WatermarkDescriptor.MAGIC, w.getLong(slot + WatermarkDescriptor.MAGIC_OFFSET));
            assertEquals(GoldenStores.major(version), w.getShort(slot + WatermarkDescriptor.MAJOR_OFFSET));
            final CRC32C crc = new CRC32C();
            crc.update(w.array(), slot, WatermarkDescriptor.CRC_OFFSET);
            assertEquals((int)crc.getValue(), w.getInt(slot + WatermarkDescriptor.CRC_OFFSET));
            if (newest < 0 || w.getLong(slot + WatermarkDescriptor.COUNTER_OFFSET) >
                w.getLong(newest + WatermarkDescriptor.COUNTER_OFFSET))
            {
                newest = slot;
            }
        }
        assertEquals(1, w.getInt(newest + WatermarkDescriptor.FLAGS_OFFSET) & 1, "closed cleanly");
        assertEquals(109L, w.getLong(newest + WatermarkDescriptor.LAST_SEQUENCE_OFFSET), "every write");
    }

    /**
     * From 2.0: the newest snapshot's bytes (more than 16 KiB of them) end with a PAD on a page boundary, where its
     * manifest says the next record goes; the PAD carries the sequence of that record (108: the snapshot holds 107
     * writes), and its checksum covers it like any record's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("padded")
    void endsTheNewestSnapshotWithAPadOnAPageBoundary(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final ByteBuffer manifest = manifest(GoldenStores.NEWEST_GENERATION);
        final int shift = FormatVersion.hasManifestExtensions(GoldenStores.major(version)) ?
            ManifestDescriptor.V3_SHIFT : 0;
        assertEquals(2, manifest.getInt(ManifestDescriptor.TAIL_SEGMENT_OFFSET + shift));
        final int tail = manifest.getInt(ManifestDescriptor.TAIL_OFFSET_OFFSET + shift);
        assertEquals(0, tail % 4096, "the snapshot ends on a page boundary");
        final ByteBuffer segment = read("segment-0000000002.seg");
        int offset = SegmentDescriptor.HEADER_LENGTH;
        while (offset + RecordDescriptor.alignedLength(segment.getInt(offset + RecordDescriptor.LENGTH_OFFSET)) <
            tail)
        {
            offset += RecordDescriptor.alignedLength(segment.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
        }
        assertEquals(RecordDescriptor.TYPE_PAD, segment.get(offset + RecordDescriptor.TYPE_OFFSET));
        final int length = segment.getInt(offset + RecordDescriptor.LENGTH_OFFSET);
        assertEquals(tail, offset + length, "the PAD ends where the next record goes");
        assertTrue(length >= RecordDescriptor.MIN_PAD_LENGTH);
        assertEquals(108L, segment.getLong(offset + RecordDescriptor.SEQUENCE_OFFSET));
        assertEquals(0, segment.getShort(offset + RecordDescriptor.ID_LENGTH_OFFSET));
        assertEquals(0, segment.getInt(offset + RecordDescriptor.NNZ_OFFSET));
        assertEquals(length - RecordDescriptor.HEADER_LENGTH,
            segment.getInt(offset + RecordDescriptor.VALUE_LENGTH_OFFSET));
        final CRC32C crc = new CRC32C();
        crc.update(segment.array(), offset + RecordDescriptor.CHECKSUMMED_FROM,
            length - RecordDescriptor.CHECKSUMMED_FROM);
        assertEquals((int)crc.getValue(), segment.getInt(offset + RecordDescriptor.CRC_OFFSET));
        assertEquals(108L, segment.getLong(tail + RecordDescriptor.SEQUENCE_OFFSET), "the next record");
        assertEquals("tail-0", ascii(segment, RecordDescriptor.idOffset(tail, 1), 6));
    }

    /**
     * This build appends to a 1.0 store once asked to upgrade it: its 1.0 tail segment gets no PAD (a 1.0 reader
     * would take it for damage), new manifests and segments are of the current version, and everything reads back
     * after a reopen.
     */
    @Test
    void appendsToAVersion10StoreWithoutPaddingItsSegments() throws IOException
    {
        GoldenStores.unpack("v1.0", dir);
        final long before = Files.size(dir.resolve("segment-0000000002.seg"));
        try (MemoryStore s = MemoryStore.open(dir, GoldenStores.options().toBuilder().upgradeFormat(true).build()))
        {
            final long upgraded = GoldenStores.migratedGeneration("v1.0");
            assertEquals(upgraded, s.recoveryReport().restoredGeneration(),
                "the upgrade committed the newest snapshot again, once per step from 2.x on");
            s.put("after-upgrade", SparseVector.of(new int[] {1}, new float[] {2f}), 0.5f, 5L, null);
            final SnapshotInfo info = s.snapshot();
            assertEquals(upgraded + 1, info.generation());
            for (int i = 0; i < 100; i++)
            {
                s.put("more-" + i, SparseVector.of(new int[] {i}, new float[] {i}), 0.2f, i, new byte[700]);
            }
            s.snapshot();
        }
        final ByteBuffer next = read("segment-0000000003.seg");
        assertEquals(FormatVersion.CURRENT_MAJOR, next.getShort(SegmentDescriptor.MAJOR_OFFSET), "a new segment");
        final ByteBuffer tail = read("segment-0000000002.seg");
        assertEquals(before, tail.capacity());
        assertEquals(FormatVersion.MAJOR_1, tail.getShort(SegmentDescriptor.MAJOR_OFFSET));
        int offset = SegmentDescriptor.HEADER_LENGTH;
        int records = 0;
        while (offset + RecordDescriptor.HEADER_LENGTH <= tail.capacity() &&
            tail.getInt(offset + RecordDescriptor.LENGTH_OFFSET) != 0)
        {
            assertNotEquals(RecordDescriptor.TYPE_PAD, tail.get(offset + RecordDescriptor.TYPE_OFFSET), "at " + offset);
            offset += RecordDescriptor.alignedLength(tail.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
            records++;
        }
        assertTrue(records > 0);
        for (final long generation : new long[] {GoldenStores.migratedGeneration("v1.0"),
            GoldenStores.migratedGeneration("v1.0") + 1})
        {
            final ByteBuffer manifest = manifest(generation);
            assertEquals(FormatVersion.CURRENT_MAJOR, manifest.getShort(ManifestDescriptor.MAJOR_OFFSET));
        }
        try (MemoryStore s = MemoryStore.open(dir, GoldenStores.options()))
        {
            assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
            assertEquals(203, s.size());
            assertEquals(2f, s.get("after-upgrade").orElseThrow().vector().value(0));
            assertTrue(s.verify(true).ok(), s.verify(true).toString());
        }
    }

    /** @return the bytes of the manifest of {@code generation}, wherever it lies (its file, or a slot). */
    private ByteBuffer manifest(final long generation) throws IOException
    {
        return ByteBuffer.wrap(Manifests.bytes(dir, generation)).order(ByteOrder.LITTLE_ENDIAN);
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
