package io.memsnap;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.index.IndexPlacement;
import io.memsnap.internal.snapshot.IndexFileExtension;
import io.memsnap.internal.snapshot.IndexPlacementExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestExtension;
import io.memsnap.internal.snapshot.NextSlotExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Manifests of format 3.0 and later: the oldest reader's version at its fixed place, and extensions a build must know to read,
 * or to write, the store. Each case rewrites the newest manifest of a real store (with a valid checksum) and opens
 * it.
 */
class ManifestExtensionTest
{
    private static final int UNKNOWN_TAG = 0x7F00;

    @TempDir
    Path dir;

    private final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).build();

    /** @return the generation of a new store's newest snapshot, which holds "a". */
    private long newestManifest() throws IOException
    {
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            s.put("a", vector(1, 0));
            return s.snapshot().generation();
        }
    }

    private Manifest read(final long generation) throws IOException
    {
        return Manifests.read(dir, generation);
    }

    private void write(final Manifest m) throws IOException
    {
        Manifests.rewrite(dir, m);
    }

    @Test
    void aNewManifestIsVersion4AndNamesItsOldestReaderAndTheNextSlot() throws IOException
    {
        final long generation = newestManifest();
        final ByteBuffer b = ByteBuffer.wrap(Manifests.bytes(dir, generation)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(FormatVersion.MAJOR_4, b.getShort(ManifestDescriptor.MAJOR_OFFSET));
        assertEquals(LibraryVersion.FIRST_READER_OF_4_0.major, b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET));
        assertEquals(LibraryVersion.FIRST_READER_OF_4_0.minor,
            b.getShort(ManifestDescriptor.OLDEST_READER_OFFSET + 2));
        final Manifest m = read(generation);
        assertEquals(m.generation, b.getLong(ManifestDescriptor.generationOffset(FormatVersion.MAJOR_4)));
        assertEquals(LibraryVersion.FIRST_READER_OF_4_0, m.oldestReader);
        final ManifestExtension next = m.extension(ManifestDescriptor.EXTENSION_NEXT_SLOT);
        assertTrue(next.writersMustKnow() && !next.readersMustKnow());
        assertNotEquals(Manifests.slotOf(dir, generation), NextSlotExtension.read(m, null));
    }

    /**
     * The index file extension: absent for {@code index.msi} (generation 0), flagged for readers, decoded into the
     * checkpoint; a body that is not one generation of at least 1 is damage.
     */
    @Test
    void theIndexFileExtensionNamesTheCheckpointsIndexFile() throws IOException
    {
        final Path file = dir.resolve("manifest");
        final Manifest m = read(newestManifest());
        assertNull(m.extension(ManifestDescriptor.EXTENSION_INDEX_FILE), "index.msi needs no extension");
        assertEquals(0, m.checkpoint.indexFile);
        assertNull(IndexFileExtension.of(0));
        final ManifestExtension seven = IndexFileExtension.of(7);
        assertTrue(seven.readersMustKnow());
        assertEquals(7, ManifestCodec.decode(ManifestCodec.encode(m.withExtension(seven)), file).checkpoint.indexFile);
        for (final byte[] body : new byte[][] {new byte[4], new byte[8], new byte[12]})
        {
            final Manifest bad = m.withExtension(new ManifestExtension(ManifestDescriptor.EXTENSION_INDEX_FILE,
                ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, body));
            assertThrows(CorruptStoreException.class, () -> ManifestCodec.decode(ManifestCodec.encode(bad), file),
                body.length + " bytes");
        }
    }

    @Test
    void extensionsRoundTripInTagOrder() throws IOException
    {
        final Path file = dir.resolve("manifest");
        final Manifest written = read(newestManifest());
        final Manifest m = written
            .withExtension(new ManifestExtension(UNKNOWN_TAG, 0, new byte[] {1, 2, 3}))
            .withExtension(new ManifestExtension(UNKNOWN_TAG - 1, 0, new byte[0]));
        final Manifest back = ManifestCodec.decode(ManifestCodec.encode(m), file);
        final int own = written.extensions.size(); // the writer's own (live bytes per segment), lower tags
        assertEquals(own + 2, back.extensions.size());
        assertEquals(UNKNOWN_TAG - 1, back.extensions.get(own).tag);
        assertArrayEquals(new byte[] {1, 2, 3}, back.extension(UNKNOWN_TAG).body());
    }

    @Test
    void anUnknownOptionalExtensionIsIgnoredByReadersAndWriters() throws IOException
    {
        write(read(newestManifest()).withExtension(new ManifestExtension(UNKNOWN_TAG, 0, new byte[] {9})));
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            assertTrue(s.contains("a"));
            s.put("b", vector(2, 0));
            s.snapshot();
        }
    }

    @Test
    void anUnknownExtensionThatReadersMustKnowIsRefusedBeforeAnythingChanges() throws IOException
    {
        final long generation = newestManifest();
        write(read(generation).withExtension(new ManifestExtension(UNKNOWN_TAG,
            ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, new byte[] {9})));
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final StoreOptions readOnly = StoreOptions.builder().readOnly(true).build();
        final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
            () -> MemoryStore.open(dir, readOnly).close());
        assertTrue(ex.getMessage().contains("extension " + UNKNOWN_TAG), ex.getMessage());
        assertThrows(IncompatibleFormatException.class, () -> MemoryStore.open(dir, options).close());
        assertEquals(before, StoreFiles.fingerprint(dir));
    }

    @Test
    void anUnknownExtensionThatWritersMustKnowIsReadableButNotWritable() throws IOException
    {
        final long generation = newestManifest();
        write(read(generation).withExtension(new ManifestExtension(UNKNOWN_TAG,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, new byte[] {9})));
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertTrue(s.contains("a"));
        }
        final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
            () -> MemoryStore.open(dir, options).close());
        assertTrue(ex.getMessage().contains("read-only"), ex.getMessage());
        assertEquals(before, StoreFiles.fingerprint(dir));
    }

    @Test
    void aNewerMajorIsRefusedNamingTheReleaseItNeeds() throws IOException
    {
        final long generation = newestManifest();
        final byte[] bytes = Manifests.bytes(dir, generation);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)(FormatVersion.CURRENT_MAJOR + 1));
        b.putShort(ManifestDescriptor.OLDEST_READER_OFFSET, (short)7).putShort(ManifestDescriptor.OLDEST_READER_OFFSET +
            2, (short)1).putShort(ManifestDescriptor.OLDEST_READER_OFFSET + 4, (short)4);
        b.putInt(bytes.length - 4, new Checksum().compute(bytes, 0, bytes.length - 4));
        Manifests.rewrite(dir, generation, bytes);
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
            () -> MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()).close());
        assertTrue(ex.getMessage().contains("memsnap 7.1.4 or later"), ex.getMessage());
        assertEquals(FormatVersion.CURRENT_MAJOR + 1, ex.foundMajor());
        assertEquals(before, StoreFiles.fingerprint(dir));
    }

    @Test
    void extensionsOutOfOrderAreDamage() throws IOException
    {
        final Path file = dir.resolve("manifest");
        final Manifest m = read(newestManifest()).withExtension(new ManifestExtension(5000, 0, new byte[] {1}))
            .withExtension(new ManifestExtension(6000, 0, new byte[] {2}));
        final byte[] bytes = ManifestCodec.encode(m);
        // Swap the two tags in place and fix the checksum: a writer never orders them so.
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int second = bytes.length - 4 - 1 - ManifestDescriptor.EXTENSION_HEADER_LENGTH;
        final int first = second - 1 - ManifestDescriptor.EXTENSION_HEADER_LENGTH;
        assertEquals(5000, b.getShort(first));
        b.putShort(first, (short)6000).putShort(second, (short)5000);
        b.putInt(bytes.length - 4, new Checksum().compute(bytes, 0, bytes.length - 4));
        final CorruptStoreException ex = assertThrows(CorruptStoreException.class,
            () -> ManifestCodec.decode(Arrays.copyOf(bytes, bytes.length), file));
        assertTrue(ex.getMessage().contains("extension"), ex.getMessage());
    }

    /**
     * The index placement extension: every manifest of a new store records the spread placement, flagged for
     * readers (a build that places keys by the low bits of their hash would look in the wrong buckets); the store
     * finds its keys through reopens, read-only opens of an older snapshot and a checkpoint; a body that is not one
     * known placement other than the low bits is damage.
     */
    @Test
    void aNewStoreRecordsItsSpreadIndexPlacementInEveryManifest() throws IOException
    {
        final long first;
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 3000; i++)
            {
                s.put("k" + i, vector(i, 0));
            }
            first = s.snapshot().generation();
            s.checkpoint();
            for (int i = 3000; i < 6000; i++)
            {
                s.put("k" + i, vector(i, 0));
            }
            s.snapshot();
        }
        for (final long generation : Manifests.onDisk(dir))
        {
            final ManifestExtension e = read(generation).extension(ManifestDescriptor.EXTENSION_INDEX_PLACEMENT);
            assertNotNull(e, "generation " + generation);
            assertTrue(e.readersMustKnow());
            assertEquals(IndexPlacement.SPREAD_PROBED, IndexPlacementExtension.placement(read(generation), null));
            assertTrue(read(generation).extension(ManifestDescriptor.EXTENSION_BUCKET_PROBING).readersMustKnow());
        }
        try (MemoryStore s = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 6000; i++)
            {
                assertEquals(vector(i, 0), s.get("k" + i).orElseThrow().vector(), "k" + i);
            }
        }
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION).readOnly(true)
            .generation(first).build()))
        {
            assertEquals(3000, s.size());
            assertTrue(s.contains("k2999") && !s.contains("k3000"));
        }

        assertTrue(IndexPlacementExtension.of(IndexPlacement.LOW_BITS).isEmpty(), "the low bits need no extension");
        final ByteBuffer low = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, IndexPlacement.LOW_BITS);
        final ByteBuffer unknown = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 3);
        for (final byte[] body : new byte[][] {new byte[0], new byte[8], low.array(), unknown.array()})
        {
            final ManifestExtension bad = new ManifestExtension(ManifestDescriptor.EXTENSION_INDEX_PLACEMENT,
                ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, body);
            assertThrows(CorruptStoreException.class, () -> IndexPlacementExtension.placement(List.of(bad), null),
                Arrays.toString(body));
        }
        final ManifestExtension spread = IndexPlacementExtension.of(IndexPlacement.SPREAD).get(0);
        assertEquals(IndexPlacement.SPREAD, IndexPlacementExtension.placement(List.of(spread), null));
        final List<ManifestExtension> probed = IndexPlacementExtension.of(IndexPlacement.SPREAD_PROBED);
        assertEquals(IndexPlacement.SPREAD_PROBED, IndexPlacementExtension.placement(probed, null));
        assertThrows(CorruptStoreException.class, () -> IndexPlacementExtension.placement(List.of(probed.get(1)),
            null), "probing without the spread placement");
        final ByteBuffer otherScheme = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 2);
        for (final byte[] body : new byte[][] {new byte[0], new byte[8], otherScheme.array()})
        {
            final ManifestExtension bad = new ManifestExtension(ManifestDescriptor.EXTENSION_BUCKET_PROBING,
                ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, body);
            assertThrows(CorruptStoreException.class, () -> IndexPlacementExtension.placement(List.of(spread, bad),
                null), "probing " + Arrays.toString(body));
        }
    }

    /**
     * A store whose manifests lack the placement extension (every store written before it existed: the golden 4.0
     * store) is placed by the low bits of its hashes, and keeps that placement: its keys are found, thousands more
     * written (splitting its buckets) are found after a reopen, and its new manifests still lack the extension.
     */
    @Test
    void aStoreWithoutThePlacementExtensionKeepsPlacingKeysByTheLowBits() throws IOException
    {
        GoldenStores.unpack("v4.0", dir);
        final StoreOptions golden = GoldenStores.options();
        final long before;
        try (MemoryStore s = MemoryStore.open(dir, golden))
        {
            before = s.size();
            assertTrue(before > 0);
            final float[] values = {0.5f};
            for (int i = 0; i < 5000; i++)
            {
                s.put("low-" + i, SparseVector.of(new int[] {i % golden.dimension()}, values));
            }
            s.snapshot();
        }
        try (MemoryStore s = MemoryStore.open(dir, golden))
        {
            assertEquals(before + 5000, s.size());
            assertTrue(s.contains("golden-0"));
            for (int i = 0; i < 5000; i++)
            {
                assertTrue(s.contains("low-" + i), "low-" + i);
            }
        }
        final List<Long> generations = Manifests.onDisk(dir);
        final Manifest newest = read(generations.get(generations.size() - 1));
        assertNull(newest.extension(ManifestDescriptor.EXTENSION_INDEX_PLACEMENT));
        assertEquals(IndexPlacement.LOW_BITS, IndexPlacementExtension.placement(newest, null));
    }
}
