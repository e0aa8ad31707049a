package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.crash.Stall;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MemoryStore#stats()}: each figure against what the directory and the other accessors say, on a writable
 * store across segment rolls, snapshots and retention, after a failed explicit snapshot, on a read-only store and
 * on a closed one; the space figures against the records of the live entries and a recount from the index, across
 * overwrites, deletes, compaction, snapshots and deletions; the compaction counters against what compact() returned
 * and while a pass runs; and stats wait neither for a snapshot that is stuck nor for a compaction pass.
 */
class StoreStatsTest
{
    @TempDir
    Path dir;

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE);
    }

    /** @return the files of {@code storeDir} whose name ends with {@code suffix}, less the segment made ahead. */
    private static long filesEndingWith(final Path storeDir, final String suffix) throws IOException
    {
        try (Stream<Path> files = Files.list(storeDir))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix))
                .filter(f -> !f.getFileName().toString().endsWith(".seg") || StoreFiles.isStartedSegment(f)).count();
        }
    }

    @Test
    void figuresOfTheLogTheSnapshotsAndTheIndexMemory() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            for (int i = 0; i < 3000; i++)
            {
                put(store, i, 0);
            }
            for (int i = 0; i < 100; i++)
            {
                assertTrue(store.delete(id(i)));
            }
            for (int i = 0; i < 3; i++)
            {
                store.putState("state-" + i, metadata(i, 0));
            }
            StoreStats stats = store.stats();
            assertEquals(2900, stats.entryCount());
            assertEquals(3, stats.stateCount());
            assertEquals(3103, stats.lastSequence());
            assertTrue(stats.segmentCount() > 5, stats.toString());
            assertEquals(filesEndingWith(storeDir, ".seg"), stats.segmentCount());
            assertEquals(0, stats.lastSnapshotGeneration());
            assertEquals(0, stats.lastSnapshotSequence());
            assertEquals(3103, stats.changesSinceLastSnapshot());
            assertEquals(1, stats.retainedSnapshotCount());
            assertNull(stats.lastSnapshotError());
            assertEquals(0, stats.autoSnapshotsTaken());
            assertEquals(0, stats.autoSnapshotFailures());
            assertEquals(0, stats.autoSnapshotFailuresInARow());
            assertEquals(0, stats.autoSnapshotRetryInNanos());
            assertTrue(stats.indexDirectBytes() > 0, stats.toString());
            assertTrue(stats.indexDirectBytes() <= stats.indexDirectLimitBytes(), stats.toString());

            SnapshotInfo last = null;
            for (int i = 0; i < 4; i++)
            {
                put(store, i, 1);
                last = store.snapshot();
            }
            stats = store.stats();
            assertEquals(4, stats.lastSnapshotGeneration());
            assertEquals(last.lastSequence(), stats.lastSnapshotSequence());
            assertEquals(last.durationNanos(), stats.lastSnapshotDurationNanos());
            assertEquals(0, stats.changesSinceLastSnapshot());
            assertEquals(StoreOptions.DEFAULT_RETAINED_SNAPSHOTS, stats.retainedSnapshotCount());
            assertEquals(Manifests.onDisk(storeDir).size(), stats.retainedSnapshotCount());
        }
        try (MemoryStore snapshot = MemoryStore.open(storeDir, options().readOnly(true).build()))
        {
            final StoreStats stats = snapshot.stats();
            assertEquals(4, stats.lastSnapshotGeneration());
            assertEquals(3, stats.retainedSnapshotCount());
            assertEquals(0, stats.changesSinceLastSnapshot());
            assertEquals(0, stats.indexDirectLimitBytes());
            assertEquals(snapshot.size(), stats.entryCount());
        }
        final MemoryStore closed = MemoryStore.open(storeDir, options().build());
        closed.close();
        assertThrows(StoreClosedException.class, closed::stats);
    }

    /**
     * The index pages the index reaches are counted for reports only: three for a new store (root, directory page,
     * bucket), then a bucket per 255 keys at most; overwrites after a checkpoint copy the pages they change, which the
     * index file keeps but the count leaves out; a read-only open of the snapshot counts the same pages.
     */
    @Test
    void theIndexPagesItReachesAreCountedForReports() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        final long page = IndexPageDescriptor.PAGE_SIZE;
        final long reached;
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            assertEquals(StoreStats.UNKNOWN, store.stats().indexLiveBytes(), "not counted by stats()");
            assertEquals(3 * page, store.statsForReport().indexLiveBytes());
            for (int i = 0; i < 20_000; i++)
            {
                put(store, i, 0);
            }
            store.checkpoint();
            final StoreStats loaded = store.statsForReport();
            reached = loaded.indexLiveBytes();
            assertTrue(reached >= (2 + 20_000 / IndexPageDescriptor.BUCKET_SLOTS) * page, loaded.toString());
            assertTrue(reached <= loaded.indexFileBytes(), loaded.toString());
            for (int i = 0; i < 20_000; i += 7)
            {
                put(store, i, 1);
            }
            store.checkpoint();
            store.snapshot();
            final StoreStats overwritten = store.statsForReport();
            assertEquals(reached, overwritten.indexLiveBytes(), "the copies replaced the pages they copied");
            assertTrue(overwritten.indexFileBytes() > loaded.indexFileBytes() + reached / 2, overwritten.toString());
        }
        try (MemoryStore snapshot = MemoryStore.open(storeDir, options().readOnly(true).build()))
        {
            assertEquals(reached, snapshot.statsForReport().indexLiveBytes());
        }
    }

    @Test
    void theLastSnapshotErrorStaysUntilASnapshotSucceeds()
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().build(), disk))
        {
            put(store, 0, 0);
            disk.beforeForce(ManifestSlotsDescriptor.FILE_NAME, file ->
            {
                throw new java.io.IOException("Input/output error");
            });
            assertThrows(StoreIoException.class, store::snapshot);
            final String error = store.stats().lastSnapshotError();
            assertNotNull(error);
            assertTrue(error.contains("snapshot 1 of") && error.contains("Input/output error"), error);
            assertEquals(0, store.stats().autoSnapshotFailures(), "an explicit snapshot is not an automatic one");
            disk.clear();
            store.snapshot();
            assertNull(store.stats().lastSnapshotError());
        }
    }

    @Test
    void statsDoNotWaitForAStuckSnapshot() throws Exception
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final Stall stall = new Stall(ManualTime.TIMEOUT_MILLIS, null);
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().build(), disk))
        {
            put(store, 0, 0);
            disk.beforeForce(ManifestSlotsDescriptor.FILE_NAME, stall);
            final CompletableFuture<SnapshotInfo> snapshot = CompletableFuture.supplyAsync(store::snapshot);
            assertTrue(stall.awaitHeld(), "the snapshot did not begin");
            final StoreStats during = assertTimeoutPreemptively(Duration.ofMillis(ManualTime.TIMEOUT_MILLIS),
                store::stats, "stats waited for the snapshot");
            assertEquals(0, during.lastSnapshotGeneration());
            assertEquals(1, during.changesSinceLastSnapshot());
            assertEquals(1, during.segmentCount());
            assertEquals(store.recountedStats().liveBytes(), during.liveBytes());
            assertTrue(during.liveBytes() > 0, during.toString());
            stall.release();
            assertEquals(1, snapshot.get(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).generation());
            assertEquals(1, store.stats().lastSnapshotGeneration());
        }
    }

    @Test
    void statsDoNotWaitForAStuckCheckpoint() throws Exception
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final Stall stall = new Stall(ManualTime.TIMEOUT_MILLIS, null);
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().build(), disk))
        {
            for (int i = 0; i < 100; i++)
            {
                put(store, i, 0);
            }
            disk.beforeForce(".msi", stall);
            final CompletableFuture<Void> checkpoint = CompletableFuture.runAsync(store::checkpoint);
            assertTrue(stall.awaitHeld(), "the checkpoint did not flush");
            final StoreStats during = assertTimeoutPreemptively(Duration.ofMillis(ManualTime.TIMEOUT_MILLIS),
                store::stats, "stats waited for the checkpoint");
            assertEquals(100, during.entryCount());
            assertTrue(during.indexDirectBytes() > 0, during.toString());
            stall.release();
            checkpoint.get(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void spaceFiguresAgainstTheLiveRecordsAcrossOverwritesCompactionAndDeletions() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        final StoreOptions writer = options().backgroundCompaction(false).build();
        final Random random = new Random(3);
        final StoreStats compacted;
        final StoreStats last;
        try (MemoryStore store = MemoryStore.open(storeDir, writer))
        {
            for (int i = 0; i < 2000; i++)
            {
                put(store, i, 0);
            }
            for (int i = 0; i < 6000; i++)
            {
                put(store, random.nextInt(2000), i + 1);
            }
            for (int i = 0; i < 300; i++)
            {
                store.delete(id(random.nextInt(2000)));
            }
            store.putState("table", new byte[5000]);
            store.snapshot();
            final StoreStats written = assertSpaceFigures(store);
            assertTrue(written.deadBytes() > written.liveBytes(), "mostly overwritten: " + written);
            assertEquals(0, written.segmentsCompacted());
            assertEquals(0, written.compactionBytesAwaitingDeletion());

            final CompactionResult result = store.compact();
            assertTrue(result.segmentsCompacted() > 0 && result.bytesAwaitingDeletion() > 0, result.toString());
            compacted = assertSpaceFigures(store);
            assertEquals(written.liveBytes(), compacted.liveBytes(), "copies move live bytes, they add none");
            assertFalse(compacted.compactionRunning());
            assertNull(compacted.lastCompactionError());
            assertEquals(result.segmentsCompacted(), compacted.segmentsCompacted());
            assertEquals(result.recordsCopied(), compacted.compactionRecordsCopied());
            assertEquals(result.bytesCopied(), compacted.compactionBytesCopied());
            assertEquals(result.bytesAwaitingDeletion(), compacted.compactionBytesAwaitingDeletion());
            assertEquals(0, compacted.compactionBytesFreed(), "the retained snapshots still need the segments");

            for (int i = 0; i < StoreOptions.DEFAULT_RETAINED_SNAPSHOTS; i++)
            {
                store.snapshot();
            }
            final StoreStats freed = assertSpaceFigures(store);
            final Map<String, Long> left = new HashMap<>();
            freed.segmentFiles().forEach(f -> left.put(f.name(), f.bytes()));
            long gone = 0;
            for (final StoreStats.SegmentFile f : compacted.segmentFiles())
            {
                gone += left.containsKey(f.name()) ? 0 : f.bytes();
            }
            assertTrue(gone > 0, "no segment file deleted");
            assertEquals(gone, freed.compactionBytesFreed(), "the bytes freed are those of the files gone");
            assertEquals(compacted.liveBytes(), freed.liveBytes());
            assertTrue(freed.deadBytes() < written.deadBytes() / 2, written + " -> " + freed);
            assertTrue(freed.segmentAmplification() < written.segmentAmplification(), written + " -> " + freed);

            for (int i = 0; i < 500; i++) // after the last checkpoint: a read-only open replays them
            {
                put(store, random.nextInt(2000), 10_000 + i);
            }
            for (int i = 0; i < 50; i++)
            {
                store.delete(id(random.nextInt(2000)));
            }
            store.snapshot();
            last = assertSpaceFigures(store);
        }
        try (MemoryStore snapshot = MemoryStore.open(storeDir, options().readOnly(true).build()))
        {
            assertTrue(snapshot.recoveryReport().replayedRecords() >= 500, snapshot.recoveryReport().toString());
            final StoreStats stats = snapshot.stats();
            assertEquals(last.liveBytes(), stats.liveBytes(), "the snapshot holds what the writer held");
            assertEquals(liveRecordBytes(snapshot), stats.liveBytes());
            assertEquals(snapshot.recountedStats().segmentFiles().toString(), stats.segmentFiles().toString());
            assertEquals(0, stats.segmentsCompacted(), "a read-only store compacts nothing");
            assertEquals(0, stats.compactionBytesFreed());
            assertTrue(stats.segmentMappedBytes() >= stats.segmentBytes(), stats.toString());
            assertTrue(stats.indexMappedBytes() > 0, stats.toString());
        }
    }

    /**
     * Checks the space figures of a quiet store (no background compaction) against the directory, the records of its
     * live entries and states, and a recount from its index.
     *
     * @return the figures checked.
     */
    private static StoreStats assertSpaceFigures(final MemoryStore store) throws IOException
    {
        final StoreStats stats = store.stats();
        assertEquals(liveRecordBytes(store), stats.liveBytes(), "live bytes are those of the live records");
        assertEquals(store.recountedStats().segmentFiles().toString(), stats.segmentFiles().toString(),
            "per file, the live bytes equal a recount from the index");
        long bytes = 0;
        long live = 0;
        for (final StoreStats.SegmentFile f : stats.segmentFiles())
        {
            assertEquals(f.bytes() - f.liveBytes(), f.deadBytes(), f.toString());
            assertTrue(f.liveBytes() >= 0 && f.deadBytes() >= SegmentDescriptor.HEADER_LENGTH, f.toString());
            bytes += f.bytes();
            live += f.liveBytes();
        }
        assertEquals(bytes, stats.segmentBytes());
        assertEquals(live, stats.liveBytes());
        assertEquals(bytes - live, stats.deadBytes());
        assertEquals((double)stats.segmentBytes() / stats.liveBytes(), stats.segmentAmplification());
        assertEquals((double)stats.storeBytes() / stats.liveBytes(), stats.spaceAmplification());

        final List<String> segments = new ArrayList<>();
        final List<String> indexFiles = new ArrayList<>();
        long tailLength = 0;
        long others = 0;
        long indexBytes = 0;
        int manifests = 0;
        try (Stream<Path> files = Files.list(store.directory()))
        {
            for (final Path f : (Iterable<Path>)files.sorted()::iterator)
            {
                final String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.endsWith(".seg") && !StoreFiles.isStartedSegment(f))
                {
                    continue; // the file made ahead for the next roll holds nothing: stats count it nowhere
                }
                if (name.endsWith(".seg"))
                {
                    segments.add(name);
                    tailLength = Files.size(f);
                    continue;
                }
                others += Files.size(f);
                if (name.endsWith(".msi"))
                {
                    indexFiles.add(name);
                    indexBytes += Files.size(f);
                }
            }
        }
        manifests = Manifests.onDisk(store.directory()).size();
        assertEquals(segments, stats.segmentFiles().stream().map(StoreStats.SegmentFile::name).toList(),
            "every segment file on disk, none other");
        for (int i = 0; i < segments.size() - 1; i++)
        {
            assertEquals(Files.size(store.directory().resolve(segments.get(i))), stats.segmentFiles().get(i).bytes());
        }
        final long tailBytes = stats.segmentFiles().get(segments.size() - 1).bytes();
        assertTrue(tailBytes > SegmentDescriptor.HEADER_LENGTH && tailBytes <= tailLength, stats.toString());
        assertEquals(segments.size(), stats.segmentCount());
        assertEquals(indexFiles.size(), stats.indexFiles().size());
        assertEquals(indexBytes, stats.indexFileBytes());
        assertEquals(manifests, stats.manifestCount());
        assertEquals(stats.retainedSnapshotCount(), stats.manifestCount());
        assertEquals(stats.segmentBytes() + others, stats.storeBytes());
        for (final StoreStats.IndexFile f : stats.indexFiles())
        {
            assertTrue(indexFiles.contains(f.name()), f.toString());
            assertEquals(StoreStats.UNKNOWN, f.allocatedBytes(), "stats() measures no allocation");
        }
        return stats;
    }

    /** @return the bytes the records of the store's live entries and named states take, computed from them. */
    private static long liveRecordBytes(final MemoryStore store)
    {
        final long[] bytes = {0};
        store.forEach(e -> bytes[0] += RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(e.nnz(),
            e.idLength(), e.metadataLength())));
        for (final String name : store.stateNames())
        {
            bytes[0] += RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(0,
                Utf8.encodedLengthOrBadChar(name), store.getState(name).orElseThrow().length));
        }
        return bytes[0];
    }

    @Test
    void compactionProgressShowsWhileAPassRunsAndStatsDoNotWaitForIt() throws Exception
    {
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().backgroundCompaction(false)
            .build()))
        {
            for (int round = 0; round < 8; round++)
            {
                for (int i = 0; i < 500; i++)
                {
                    put(store, i, round);
                }
            }
            final CountDownLatch reported = new CountDownLatch(1);
            final CountDownLatch resume = new CountDownLatch(1);
            final CompletableFuture<CompactionResult> pass = CompletableFuture.supplyAsync(() -> store.compact(p ->
            {
                reported.countDown();
                await(resume);
            }));
            try
            {
                assertTrue(reported.await(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS), "no segment compacted");
                final StoreStats during = assertTimeoutPreemptively(Duration.ofMillis(ManualTime.TIMEOUT_MILLIS),
                    store::stats, "stats waited for the compaction pass");
                assertTrue(during.compactionRunning(), during.toString());
                assertEquals(1, during.segmentsCompacted(), during.toString());
                assertTrue(during.compactionRecordsCopied() > 0 && during.compactionBytesCopied() > 0,
                    during.toString());
            }
            finally
            {
                resume.countDown();
            }
            final CompactionResult result = pass.get(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            assertTrue(result.segmentsCompacted() >= 1, result.toString());
            final StoreStats after = store.stats();
            assertFalse(after.compactionRunning());
            assertEquals(result.segmentsCompacted(), after.segmentsCompacted());
            assertEquals(result.recordsCopied(), after.compactionRecordsCopied());
            assertEquals(result.bytesCopied(), after.compactionBytesCopied());
            for (int i = 0; i < 500; i++)
            {
                put(store, i, 9);
            }
            final CompactionResult second = store.compact();
            final StoreStats twice = store.stats();
            assertEquals(result.segmentsCompacted() + second.segmentsCompacted(), twice.segmentsCompacted(),
                "counted since the store opened");
            assertEquals(result.bytesCopied() + second.bytesCopied(), twice.compactionBytesCopied());
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS), "gave up waiting");
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void theLastCompactionErrorStaysUntilAPassCompletes()
    {
        final DiskFullFileSystem disk = new DiskFullFileSystem();
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().backgroundCompaction(false).build(),
            disk))
        {
            for (int round = 0; round < 8; round++)
            {
                for (int i = 0; i < 500; i++)
                {
                    put(store, i, round);
                }
            }
            disk.fill();
            assertThrows(StoreIoException.class, store::compact);
            final String error = store.stats().lastCompactionError();
            assertNotNull(error);
            assertTrue(error.contains("No space left on device"), error);
            assertFalse(store.stats().compactionRunning());
            disk.free();
            assertTrue(store.compact().segmentsCompacted() > 0);
            assertNull(store.stats().lastCompactionError());
        }
    }

    @Test
    void aReadOnlyStoreWithoutLiveBytesInItsManifestCountsThemOnlyForReports() throws IOException
    {
        GoldenStores.unpack("v1.0", dir);
        try (MemoryStore store = MemoryStore.open(dir, GoldenStores.options().toBuilder().readOnly(true).build()))
        {
            final StoreStats stats = store.stats();
            assertEquals(StoreStats.UNKNOWN, stats.liveBytes(), "stats() counts no entries");
            assertEquals(StoreStats.UNKNOWN, stats.deadBytes());
            assertTrue(Double.isNaN(stats.segmentAmplification()));
            assertTrue(stats.segmentBytes() > 0, stats.toString());
            final StoreStats report = store.statsForReport();
            assertEquals(liveRecordBytes(store), report.liveBytes());
            assertEquals(report.segmentBytes() - report.liveBytes(), report.deadBytes());
            if (Files.isExecutable(Path.of("/usr/bin/stat")))
            {
                assertTrue(report.indexFiles().get(0).allocatedBytes() > 0, report.toString());
            }
        }
    }
}
