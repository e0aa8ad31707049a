package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.crash.Stall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MemoryStore#stats()}: each figure against what the directory and the other accessors say, on a writable
 * store across segment rolls, snapshots and retention, after a failed explicit snapshot, on a read-only store and
 * on a closed one; and stats do not wait for a snapshot that is stuck.
 */
class StoreStatsTest
{
    @TempDir
    Path dir;

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE);
    }

    private static long filesEndingWith(final Path storeDir, final String suffix) throws IOException
    {
        try (Stream<Path> files = Files.list(storeDir))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
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
            assertEquals(filesEndingWith(storeDir, ".msm"), stats.retainedSnapshotCount());
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

    @Test
    void theLastSnapshotErrorStaysUntilASnapshotSucceeds()
    {
        final DiskFullFileSystem disk = new DiskFullFileSystem();
        try (MemoryStore store = MemoryStore.open(dir.resolve("store"), options().build(), disk))
        {
            put(store, 0, 0);
            disk.fill();
            assertThrows(StoreIoException.class, store::snapshot);
            final String error = store.stats().lastSnapshotError();
            assertNotNull(error);
            assertTrue(error.contains("snapshot 1 of") && error.contains("No space left on device"), error);
            assertEquals(0, store.stats().autoSnapshotFailures(), "an explicit snapshot is not an automatic one");
            disk.free();
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
            disk.beforeForce(".pending", stall);
            final CompletableFuture<SnapshotInfo> snapshot = CompletableFuture.supplyAsync(store::snapshot);
            assertTrue(stall.awaitHeld(), "the snapshot did not begin");
            final StoreStats during = assertTimeoutPreemptively(Duration.ofMillis(ManualTime.TIMEOUT_MILLIS),
                store::stats, "stats waited for the snapshot");
            assertEquals(0, during.lastSnapshotGeneration());
            assertEquals(1, during.changesSinceLastSnapshot());
            stall.release();
            assertEquals(1, snapshot.get(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).generation());
            assertEquals(1, store.stats().lastSnapshotGeneration());
        }
    }
}
