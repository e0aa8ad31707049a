package io.memsnap.cli.archive;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.cli.TestStores;
import io.memsnap.cli.fs.AtomicFile;
import io.memsnap.cli.importer.ArchiveImporter;
import io.memsnap.cli.importer.ImportOptions;
import io.memsnap.cli.importer.ImportResult;
import io.memsnap.cli.importer.Importer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ArchiveRoundTripTest
{
    @TempDir
    Path tmp;

    static ArchiveSummary export(final Path store, final Path file, final Long generation, final int blockSize)
        throws IOException
    {
        final StoreOptions.Builder b = StoreOptions.builder().readOnly(true);
        if (generation != null)
        {
            b.generation(generation);
        }
        try (MemoryStore s = MemoryStore.open(store, b.build()))
        {
            return AtomicFile.write(file, false, out -> ArchiveExporter.export(s, out, blockSize, 42L, null));
        }
    }

    static ImportResult importArchive(final Path file, final Path dir) throws IOException
    {
        return Importer.run(dir, new ImportOptions(TestStores.smallBase(), null, 0L), new ArchiveImporter(file, null));
    }

    @Test
    void exportVerifyImportIsBitExactAcrossManyFrames() throws IOException
    {
        final Path src = tmp.resolve("src");
        TestStores.create(src, 5000, 400, 1);
        final Path file = tmp.resolve("a.msa");
        final ArchiveSummary written = export(src, file, null, 4096);
        assertTrue(written.frames() > 5, "small blocks give many frames: " + written.frames());
        assertEquals(Files.size(file), written.fileLength());

        final ArchiveSummary verified = ArchiveReader.verify(file);
        assertEquals(400, verified.entries());
        assertEquals(2, verified.states());
        assertEquals(written.frames(), verified.frames());
        assertArrayEquals(written.sha256(), verified.sha256());
        assertEquals(5000, verified.header().dimension());
        assertEquals(Map.of("encoder", "bow-v1", "memory_config", "{\"n\":1}"), verified.header().labels());
        assertEquals(42L, verified.header().exportedAtMillis());

        final Path dst = tmp.resolve("dst");
        final ImportResult result = importArchive(file, dst);
        assertEquals(400, result.entries());
        assertEquals(2, result.states());
        assertEquals(TestStores.contents(src), TestStores.contents(dst));
    }

    @Test
    void entriesComeInIdOrderThenStatesInNameOrder() throws IOException
    {
        final Path src = tmp.resolve("src");
        TestStores.create(src, 100, 50, 2);
        final Path file = tmp.resolve("a.msa");
        export(src, file, null, ArchiveDescriptor.DEFAULT_BLOCK_SIZE);
        final List<String> seen = new ArrayList<>();
        new ArchiveReader(file, null).read(new ArchiveVisitor()
        {
            @Override
            public void entry(final String id, final int[] indices, final float[] values, final float importance,
                final long storedAtMillis, final byte[] metadata)
            {
                seen.add("e:" + id);
            }

            @Override
            public void state(final String name, final byte[] value)
            {
                seen.add("s:" + name);
            }
        });
        final List<String> sorted = new ArrayList<>(seen);
        sorted.sort((a, b) -> a.charAt(0) != b.charAt(0) ? a.charAt(0) - b.charAt(0) :
            java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(sorted, seen);
        assertEquals("s:blob", seen.get(50));
        assertEquals("s:transitions", seen.get(51));
    }

    @Test
    void emptyStoreRoundTrips() throws IOException
    {
        final Path src = tmp.resolve("src");
        try (MemoryStore s = MemoryStore.open(src, TestStores.small(7)))
        {
            s.snapshot();
        }
        final Path file = tmp.resolve("e.msa");
        final ArchiveSummary summary = export(src, file, null, ArchiveDescriptor.MIN_BLOCK_SIZE);
        assertEquals(0, summary.frames());
        assertEquals(0, ArchiveReader.verify(file).entries());
        final Path dst = tmp.resolve("dst");
        assertEquals(7, importArchive(file, dst).dimension());
        assertEquals(TestStores.contents(src), TestStores.contents(dst));
    }

    @Test
    void exportsTheRetainedGenerationAskedFor() throws IOException
    {
        final Path src = tmp.resolve("src");
        final long first;
        try (MemoryStore s = MemoryStore.open(src, TestStores.small(10)))
        {
            s.put("a", SparseVector.of(new int[] {1}, new float[] {1f}));
            first = s.snapshot(Map.of("n", "1")).generation();
            s.put("b", SparseVector.of(new int[] {2}, new float[] {2f}));
            s.delete("a");
            s.snapshot(Map.of("n", "2"));
        }
        final Path file = tmp.resolve("g.msa");
        final ArchiveSummary summary = export(src, file, first, 1024);
        assertEquals(first, summary.header().sourceGeneration());
        assertEquals(Map.of("n", "1"), summary.header().labels());
        final Path dst = tmp.resolve("dst");
        importArchive(file, dst);
        try (MemoryStore s = MemoryStore.open(dst, StoreOptions.builder().readOnly(true).build()))
        {
            assertTrue(s.contains("a"));
            assertFalse(s.contains("b"));
            assertEquals(Map.of("n", "1"), s.lastSnapshot().labels());
        }
    }

    @Test
    void writerRefusesWhatTheFormatForbids() throws IOException
    {
        final ArchiveHeader header = new ArchiveHeader(1, 0, 10, 1024, 2, 0, 1, 1, 1, 1, Map.of());
        final ArchiveWriter w = new ArchiveWriter(new ByteArrayOutputStream(), header);
        w.entry("b", SparseVector.empty(), 1f, 0, null);
        assertThrows(IllegalStateException.class, () -> w.entry("a", SparseVector.empty(), 1f, 0, null));
        assertThrows(IllegalStateException.class, () -> w.entry("b", SparseVector.empty(), 1f, 0, null));
        assertThrows(IllegalStateException.class, w::finish, "one entry short of the header's two");
        assertThrows(IllegalArgumentException.class, () -> new ArchiveWriter(new ByteArrayOutputStream(),
            new ArchiveHeader(2, 0, 10, 1024, 0, 0, 1, 1, 1, 1, Map.of())));
    }
}
