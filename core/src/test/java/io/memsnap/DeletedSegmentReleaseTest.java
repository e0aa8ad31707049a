package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The segment files a snapshot's commit deletes (compacted, and no retained snapshot needs them any more) leave the
 * directory at once, and the process lets go of them soon after, on the release thread: the last close of a deleted
 * file frees its blocks, which the snapshot does not wait for. Seen through the process's open files
 * ({@code /proc/self/fd}) and its mappings ({@code /proc/self/maps}): no channel or mapping of a deleted segment of
 * the store stays, and none at all once it closes.
 */
class DeletedSegmentReleaseTest
{
    private static final long PATIENCE_NANOS = 20_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void theFilesACommitDeletesAreLetGoOfOffTheSnapshotsThread() throws Exception
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).segmentSize(256 * 1024).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int round = 0; round < 4; round++)
            {
                for (int i = 0; i < 1500; i++)
                {
                    store.put("k" + i, vector(i, round));
                }
                store.snapshot();
            }
            store.compact();
            final long before = store.stats().compactionBytesFreed();
            for (int s = 0; s < 5; s++)
            {
                store.put("x" + s, vector(s, 9));
                store.snapshot(); // retention drops the snapshots that needed the compacted segments
            }
            assertTrue(store.stats().compactionBytesFreed() > before, "the commits deleted segment files");
            final long deadline = System.nanoTime() + PATIENCE_NANOS;
            while ((!deletedSegmentsHeld().isEmpty() || !deletedSegmentsMapped().isEmpty()) &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(List.of(), deletedSegmentsHeld(), "deleted segment files still open");
            assertEquals(List.of(), deletedSegmentsMapped(), "deleted segment files still mapped");
            for (int i = 0; i < 1500; i++)
            {
                assertEquals(vector(i, 3), store.get("k" + i).orElseThrow().vector(), "k" + i);
            }
        }
        assertEquals(List.of(), deletedSegmentsHeld(), "after close");
        assertEquals(List.of(), deletedSegmentsMapped(), "after close");
    }

    /** @return the store's deleted segment files this process still maps. */
    private List<String> deletedSegmentsMapped() throws IOException
    {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(line -> line.contains(dir.toString()) &&
            line.contains("segment-") && line.endsWith("(deleted)")).toList();
    }

    /** @return the store's deleted segment files this process still has open. */
    private List<String> deletedSegmentsHeld() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.map(fd ->
            {
                try
                {
                    return Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException ex)
                {
                    return ""; // closed meanwhile
                }
            }).filter(target -> target.startsWith(dir.toString()) && target.contains("segment-") &&
                target.endsWith("(deleted)")).toList();
        }
    }
}
