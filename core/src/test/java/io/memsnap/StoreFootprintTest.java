package io.memsnap;

import io.memsnap.internal.format.RecordDescriptor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Small stays small: a new store, and a store of 500 small entries (a memory imported from another system, say),
 * take about what their data takes on disk, with the default options. Segments grow from 64 KiB (see
 * {@link SegmentGrowthTest}) and are sparse: a segment is given its length without being written, so its unwritten
 * part takes no blocks. The lengths are checked everywhere; the blocks allocated ({@code stat}) on Linux, on a file
 * system that keeps holes.
 */
class StoreFootprintTest
{
    private static final int KIB = 1024;
    private static final int ENTRIES = 500;
    /**
     * Room for the files besides the records: the index (a header, a root, a directory and a bucket page when new, and
     * as many again after the copy-on-write of a checkpoint), the watermark's two pages, the manifests, and the
     * unwritten end of each segment's last block.
     */
    private static final long PAGES = 64 * KIB;

    @TempDir
    Path tmp;

    @Test
    void aNewStoreTakesItsFirstSegmentAndAFewPages() throws IOException
    {
        final long length = totalLength(newStore());
        assertTrue(length <= 64 * KIB + PAGES, "a new store's files add up to " + length + " bytes");
    }

    @Test
    void fiveHundredSmallEntriesTakeAboutWhatTheirRecordsTake() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final long records = writeSmallEntries(dir);
        final long segments = segmentLength(dir);
        // Each segment doubles the one before: all of them are at most twice what fills all but the last, plus the
        // first. (The records are about 140 KiB; the first segment alone used to be 64 MiB.)
        assertTrue(segments <= 2 * records + 64 * KIB, "segments of " + segments + " bytes for " + records +
            " bytes of records");
        final long length = totalLength(dir);
        assertTrue(length <= 2 * records + 64 * KIB + PAGES, "the store's files add up to " + length + " bytes for " +
            records + " bytes of records");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheBlocksAllocatedAreAboutWhatIsWritten() throws Exception
    {
        Assumptions.assumeTrue(keepsHoles(tmp), "the file system under " + tmp + " allocates the holes of sparse " +
            "files: nothing to measure");
        final long empty = allocated(newStore());
        assertTrue(empty <= PAGES, "a new store allocates " + empty + " bytes");

        final Path dir = tmp.resolve("store");
        final long records = writeSmallEntries(dir);
        final long blocks = allocated(dir);
        assertTrue(blocks <= records + PAGES, "the store allocates " + blocks + " bytes for " + records +
            " bytes of records");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Path newStore() throws IOException
    {
        final Path dir = tmp.resolve("new");
        MemoryStore.open(dir, StoreOptions.ofDimension(1 << 16)).close();
        return dir;
    }

    /**
     * Writes 500 entries (an id, 16 non-zeros, an importance and 80 bytes of metadata), a named state, a snapshot,
     * and closes the store.
     *
     * @return the bytes of their records, aligned.
     */
    private static long writeSmallEntries(final Path dir)
    {
        long bytes = 0;
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.ofDimension(1 << 16)))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                final int[] indices = new int[16];
                final float[] values = new float[16];
                for (int k = 0; k < indices.length; k++)
                {
                    indices[k] = k * 4096 + (i * 7 + k) % 4096;
                    values[k] = 1f / (k + 1);
                }
                final String id = "imported-" + i;
                final byte[] metadata = ("{\"source\":\"membrain\",\"n\":" + i + ",\"tags\":[\"a\",\"b\"]}    ")
                    .repeat(2).getBytes(StandardCharsets.UTF_8);
                store.put(id, SparseVector.of(indices, values), 0.5f, 1_700_000_000_000L + i, metadata);
                bytes += RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(indices.length,
                    id.length(), metadata.length));
            }
            final byte[] state = new byte[2 * KIB];
            store.putState("transitions", state);
            bytes += RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(0, "transitions".length(),
                state.length));
            store.snapshot();
        }
        return bytes;
    }

    private static long totalLength(final Path dir) throws IOException
    {
        long sum = 0;
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                sum += Files.isRegularFile(p) ? Files.size(p) : 0;
            }
        }
        return sum;
    }

    private static long segmentLength(final Path dir) throws IOException
    {
        long sum = 0;
        for (final long length : SegmentGrowthTest.segmentLengths(dir))
        {
            sum += length;
        }
        return sum;
    }

    /** @return the bytes of the blocks the files under {@code path} (or the file {@code path}) occupy. */
    private static long allocated(final Path path) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("stat", "-c", "%b %B"));
        try (Stream<Path> files = Files.walk(path))
        {
            files.filter(Files::isRegularFile).forEach(p -> command.add(p.toString()));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "stat: " + output);
        long bytes = 0;
        for (final String line : output.trim().split("\n"))
        {
            final String[] words = line.trim().split(" ");
            bytes += Long.parseLong(words[0]) * Long.parseLong(words[1]);
        }
        return bytes;
    }

    /** @return whether a file given a length of 1 MiB without writes occupies less than that under {@code dir}. */
    private static boolean keepsHoles(final Path dir) throws Exception
    {
        final Path probe = dir.resolve("hole-probe");
        try (RandomAccessFile file = new RandomAccessFile(probe.toFile(), "rw"))
        {
            file.setLength(1 << 20);
        }
        try
        {
            return allocated(probe) < 1 << 20;
        }
        finally
        {
            Files.delete(probe);
        }
    }
}
