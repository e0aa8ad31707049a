package io.memsnap.cli.archive;

import io.memsnap.IncompatibleFormatException;
import io.memsnap.cli.TestStores;
import io.memsnap.cli.importer.ArchiveImporter;
import io.memsnap.cli.importer.ImportOptions;
import io.memsnap.cli.importer.Importer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

class ArchiveHostileTest
{
    @TempDir
    Path tmp;
    private byte[] good;
    private int headerLength;

    @BeforeEach
    void setUp() throws IOException
    {
        final Path src = tmp.resolve("src");
        TestStores.create(src, 1000, 60, 3);
        final Path file = tmp.resolve("good.msa");
        ArchiveRoundTripTest.export(src, file, null, 1024);
        good = Files.readAllBytes(file);
        headerLength = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER_LENGTH_OFFSET);
    }

    private CorruptArchiveException corrupt(final byte[] bytes) throws IOException
    {
        final Path file = tmp.resolve("bad.msa");
        Files.write(file, bytes);
        return assertThrows(CorruptArchiveException.class, () -> ArchiveReader.verify(file));
    }

    /** Imports must fail the same way and leave neither the store nor its temporary directory. */
    private void importFails(final byte[] bytes, final Class<? extends Exception> type) throws IOException
    {
        final Path file = tmp.resolve("bad.msa");
        Files.write(file, bytes);
        final Path dst = tmp.resolve("dst");
        assertThrows(type, () -> Importer.run(dst, new ImportOptions(TestStores.smallBase(), null, 0),
            new ArchiveImporter(file, null)));
        assertNoStoreLeft(tmp, "dst");
    }

    static void assertNoStoreLeft(final Path parent, final String name) throws IOException
    {
        assertFalse(Files.exists(parent.resolve(name)), name + " must not exist");
        try (Stream<Path> s = Files.list(parent))
        {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(name + ".importing-")).count(),
                "no temporary directory may be left");
        }
    }

    @Test
    void truncationAnywhereIsCorruptionNamingWhere() throws IOException
    {
        final int[] cuts = {0, 5, 15, headerLength - 1, headerLength, headerLength + 5, headerLength + 40,
            good.length - TRAILER_LENGTH - 12, good.length - TRAILER_LENGTH, good.length - 33, good.length - 1};
        for (final int cut : cuts)
        {
            final CorruptArchiveException ex = corrupt(Arrays.copyOf(good, cut));
            assertTrue(ex.getMessage().contains("truncated"), cut + ": " + ex.getMessage());
            assertTrue(ex.offset() >= 0 && ex.offset() <= cut, cut + ": offset " + ex.offset());
        }
        importFails(Arrays.copyOf(good, good.length / 2), CorruptArchiveException.class);
    }

    @Test
    void aFlippedBitInTheHeaderFailsItsChecksum() throws IOException
    {
        final byte[] bad = good.clone();
        bad[DIMENSION_OFFSET] ^= 4;
        final CorruptArchiveException ex = corrupt(bad);
        assertTrue(ex.getMessage().contains("header checksum mismatch"), ex.getMessage());
        assertEquals(0, ex.offset());
    }

    @Test
    void aFlippedBitInAFrameFailsItsChecksumAtItsOffset() throws IOException
    {
        final byte[] bad = good.clone();
        bad[headerLength + FRAME_HEADER_LENGTH + 3] ^= 1;
        final CorruptArchiveException ex = corrupt(bad);
        assertTrue(ex.getMessage().contains("frame 0 checksum mismatch"), ex.getMessage());
        assertEquals(headerLength, ex.offset());
        importFails(bad, CorruptArchiveException.class);
    }

    @Test
    void aFlippedBitInTheShaOrTrailerIsFound() throws IOException
    {
        final byte[] sha = good.clone();
        sha[sha.length - 1] ^= 0x10;
        final CorruptArchiveException ex = corrupt(sha);
        assertTrue(ex.getMessage().contains("SHA-256 mismatch"), ex.getMessage());
        assertEquals(good.length - SHA256_LENGTH, ex.offset());
        importFails(sha, CorruptArchiveException.class);

        final byte[] count = good.clone();
        count[good.length - TRAILER_LENGTH + TRAILER_ENTRY_COUNT_OFFSET] ^= 1;
        assertTrue(corrupt(count).getMessage().contains("trailer counts"));

        final byte[] magic = good.clone();
        magic[good.length - TRAILER_LENGTH] ^= 1;
        assertTrue(corrupt(magic).getMessage().contains("trailer magic"));
    }

    @Test
    void bytesAfterTheTrailerAreCorruption() throws IOException
    {
        final byte[] bad = Arrays.copyOf(good, good.length + 3);
        final CorruptArchiveException ex = corrupt(bad);
        assertTrue(ex.getMessage().contains("3 unexpected bytes after the trailer"), ex.getMessage());
        assertEquals(good.length, ex.offset());
    }

    @Test
    void aFrameClaimingGigabytesIsRefusedBeforeAllocating() throws IOException
    {
        // A 30-byte LZ4 payload claiming 2 GiB: rejected at its header, before any buffer of that size exists.
        final byte[] header = Arrays.copyOf(good, headerLength);
        final byte[] bomb = Forge.frame(new byte[30], Integer.MAX_VALUE);
        final byte[] bad = concat(header, bomb);
        final long before = usedHeap();
        final CorruptArchiveException ex = corrupt(bad);
        assertTrue(usedHeap() - before < 64L * 1024 * 1024, "no large allocation");
        assertTrue(ex.getMessage().contains("decompression bomb"), ex.getMessage());
        assertEquals(headerLength + FRAME_DECOMPRESSED_LENGTH_OFFSET, ex.offset());

        // Within the block size on paper, but the data expands further: the safe decompressor stops at the claim.
        final byte[] zeros = new byte[4 * 1024];
        final byte[] lz4 = net.jpountz.lz4.LZ4Factory.safeInstance().fastCompressor().compress(zeros);
        final CorruptArchiveException expands = corrupt(Forge.seal(concat(header, Forge.frame(lz4, 1024))));
        assertTrue(expands.getMessage().contains("does not decompress"), expands.getMessage());

        // A compressed length no block of the claimed size could need.
        final byte[] absurd = concat(header, Forge.frame(new byte[0], 1024));
        ByteBuffer.wrap(absurd).order(ByteOrder.LITTLE_ENDIAN).putInt(headerLength, 0x7FFF_FFF0);
        assertTrue(corrupt(absurd).getMessage().contains("compressed bytes"));
        importFails(bad, CorruptArchiveException.class);
    }

    private static long usedHeap()
    {
        final Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void absurdHeaderFieldsAreCorruption() throws IOException
    {
        final byte[] length = good.clone();
        ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putInt(HEADER_LENGTH_OFFSET, -1);
        final CorruptArchiveException ex = corrupt(length);
        assertTrue(ex.getMessage().contains("impossible header length 4294967295"), ex.getMessage());
        assertEquals(HEADER_LENGTH_OFFSET, ex.offset());

        for (final int field : new int[] {LABEL_COUNT_OFFSET, BLOCK_SIZE_OFFSET, DIMENSION_OFFSET})
        {
            final byte[] h = Arrays.copyOf(good, headerLength);
            ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putInt(field, field == DIMENSION_OFFSET ? 0 : 1 << 30);
            final byte[] bad = Forge.reseal(concat(Forge.recrc(h), Arrays.copyOfRange(good, headerLength,
                good.length)));
            final CorruptArchiveException e = corrupt(bad);
            assertTrue(e.getMessage().contains("impossible"), e.getMessage());
            assertEquals(field, e.offset());
        }
    }

    @Test
    void anotherMajorVersionIsIncompatibleAndALaterMinorIsRead() throws IOException
    {
        final byte[] h = Arrays.copyOf(good, headerLength);
        ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putShort(MAJOR_OFFSET, (short)2);
        final Path file = tmp.resolve("v2.msa");
        Files.write(file, Forge.reseal(concat(Forge.recrc(h), Arrays.copyOfRange(good, headerLength, good.length))));
        final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
            () -> ArchiveReader.verify(file));
        assertEquals(2, ex.foundMajor());
        assertTrue(ex.getMessage().contains("version 2.0"), ex.getMessage());

        // Version 1.1 may add fields between the labels and the CRC: a 1.0 reader skips them.
        final byte[] longer = Arrays.copyOf(h, headerLength + 8);
        System.arraycopy(h, headerLength - 4, longer, headerLength + 4, 4);
        final ByteBuffer b = ByteBuffer.wrap(longer).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(MAJOR_OFFSET, (short)1).putShort(MINOR_OFFSET, (short)1).putInt(HEADER_LENGTH_OFFSET,
            headerLength + 8).putLong(headerLength - 4, 0x1234_5678_9ABCL);
        Files.write(file, Forge.reseal(concat(Forge.recrc(longer), Arrays.copyOfRange(good, headerLength,
            good.length))));
        final ArchiveSummary s = ArchiveReader.verify(file);
        assertEquals(1, s.header().minor());
        assertEquals(60, s.entries());
    }

    @Test
    void notAnArchiveAtAll() throws IOException
    {
        final CorruptArchiveException ex = corrupt("{\"id\": \"x\"}\n".repeat(10).getBytes());
        assertTrue(ex.getMessage().contains("not a memsnap archive"), ex.getMessage());
        assertEquals(0, ex.offset());
    }

    // ------------------------------------------------------------------------------------------------ crafted

    private CorruptArchiveException craftedCorrupt(final byte[] archive, final String expected) throws IOException
    {
        final CorruptArchiveException ex = corrupt(archive);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
        importFails(archive, CorruptArchiveException.class);
        return ex;
    }

    private static Records two()
    {
        return new Records()
            .entry("a", new int[] {1, 5}, new float[] {1f, 2f}, 1f, 7, new byte[] {1})
            .entry("b", new int[] {2}, new float[] {3f}, 0.5f, 8, new byte[0]);
    }

    @Test
    void wellFormedCraftedArchiveImports() throws IOException
    {
        final Path file = tmp.resolve("ok.msa");
        Files.write(file, two().state("s", new byte[] {9}).archive(10, 1024));
        final ArchiveSummary s = ArchiveReader.verify(file);
        assertEquals(2, s.entries());
        assertEquals(1, s.states());
    }

    @Test
    void duplicateAndUnorderedIdsAreCorruption() throws IOException
    {
        craftedCorrupt(two().entry("b", new int[] {3}, new float[] {1f}, 1f, 9, new byte[0]).archive(10, 1024),
            "is a duplicate");
        craftedCorrupt(two().entry("a0", new int[] {3}, new float[] {1f}, 1f, 9, new byte[0]).archive(10, 1024),
            "is out of order");
        craftedCorrupt(two().state("s", new byte[0]).state("s", new byte[0]).archive(10, 1024), "is a duplicate");
        craftedCorrupt(two().state("s", new byte[0]).entry("c", new int[0], new float[0], 1f, 0, new byte[0])
            .archive(10, 1024), "an entry record follows a named state");
    }

    @Test
    void impossibleRecordFieldsAreCorruption() throws IOException
    {
        craftedCorrupt(new Records().entry("x".getBytes(), 0x7FFF_FFFF, new int[0], new float[0], 1f, 0,
            new byte[0]).archive(10, 1024), "non-zeros");
        craftedCorrupt(new Records().entry("x", new int[] {10}, new float[] {1f}, 1f, 0, new byte[0])
            .archive(10, 1024), "below the dimension");
        craftedCorrupt(new Records().entry("x", new int[] {3, 3}, new float[] {1f, 1f}, 1f, 0, new byte[0])
            .archive(10, 1024), "increase strictly");
        craftedCorrupt(new Records().entry("x", new int[] {3}, new float[] {Float.NaN}, 1f, 0, new byte[0])
            .archive(10, 1024), "is NaN");
        craftedCorrupt(new Records().entry("x", new int[] {3}, new float[] {1f}, Float.POSITIVE_INFINITY, 0,
            new byte[0]).archive(10, 1024), "importance Infinity");
        craftedCorrupt(new Records().entry(new byte[] {(byte)0xC3, (byte)0x28}, 0, new int[0], new float[0], 1f, 0,
            new byte[0]).archive(10, 1024), "not valid UTF-8");
        craftedCorrupt(new Records().entry(new byte[0], 0, new int[0], new float[0], 1f, 0, new byte[0])
            .archive(10, 1024), "empty id");
        craftedCorrupt(new Records().raw(new byte[] {7, 0, 0, 0}).archive(10, 1024), "unknown record type 7");
        // metadata length claims 2 GiB: refused by its bound, before any read
        final byte[] meta = new Records().entry("x", new int[0], new float[0], 1f, 0, new byte[0]).stream();
        ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN).putInt(ENTRY_METADATA_LENGTH_OFFSET, 0x7FFF_FFFF);
        final Records r = new Records().raw(meta);
        r.entries = 1;
        craftedCorrupt(r.archive(10, 1024), "bytes of metadata");
        // metadata length within bounds but beyond the stream: the stream ends inside it
        ByteBuffer.wrap(meta).order(ByteOrder.LITTLE_ENDIAN).putInt(ENTRY_METADATA_LENGTH_OFFSET, 10_000_000);
        final Records beyond = new Records().raw(meta);
        beyond.entries = 1;
        craftedCorrupt(beyond.archive(10, 1024), "ends (end frame)");
    }

    @Test
    void countsMustAgreeWithTheHeader() throws IOException
    {
        craftedCorrupt(two().archive(10, 1024, 3, 0), "the header promises 3 and 0");
        craftedCorrupt(two().archive(10, 1024, 1, 0), "more entry records than the 1");
    }

    static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
