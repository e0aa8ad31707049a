package io.memsnap;

import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.crash.Stall;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.memsnap.ManualTime.awaitPass;
import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Automatic snapshots ({@link StoreOptions.Builder#autoSnapshotEveryChanges}, {@link
 * StoreOptions.Builder#autoSnapshotInterval}) on a store whose clock the test moves by hand ({@link ManualTime}): a
 * snapshot after exactly N changes and none before, after the interval only if something changed, the count and
 * the interval restarted by any snapshot, the writer's wake-up of the thread, failures logged, counted and retried
 * with a doubling wait capped at 5 minutes, writers going on while a snapshot is stuck, and the thread's name,
 * daemon flag and end at close. No test sleeps: each waits for a pass of the thread that began after the clock
 * moved, or for a condition with a timeout that only turns a hang into a failure.
 */
class AutoSnapshotTest
{
    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(1 << 20);
    }

    @Test
    void nChangesOfEveryKindTakeExactlyOneSnapshotLabelledChanges() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        try (MemoryStore store = time.open(storeDir, options().autoSnapshotEveryChanges(100).build()))
        {
            final long opened = store.lastSnapshot().generation();
            for (int i = 0; i < 70; i++)
            {
                put(store, i, 0);
            }
            for (int i = 0; i < 10; i++)
            {
                assertTrue(store.delete(id(i)));
            }
            for (int i = 0; i < 15; i++)
            {
                store.putState("state-" + i, metadata(i, 0));
            }
            for (int i = 0; i < 4; i++)
            {
                assertTrue(store.deleteState("state-" + i));
            }
            assertFalse(store.delete("never-stored")); // not a change
            awaitPass(store);
            assertEquals(99, store.stats().changesSinceLastSnapshot());
            assertEquals(0, store.stats().autoSnapshotsTaken(), "99 changes");
            assertEquals(opened, store.lastSnapshot().generation());

            put(store, 70, 0);
            awaitPass(store);
            final SnapshotInfo taken = store.lastSnapshot();
            assertEquals(opened + 1, taken.generation());
            assertEquals(100, taken.lastSequence());
            assertEquals(Optional.of(SnapshotTrigger.CHANGES), SnapshotTrigger.of(taken));
            assertEquals(1, store.stats().autoSnapshotsTaken());
            assertEquals(0, store.stats().changesSinceLastSnapshot());

            for (int i = 100; i < 199; i++)
            {
                put(store, i, 0);
            }
            awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotsTaken(), "99 changes after the first");
            assertEquals(opened + 1, store.lastSnapshot().generation());
            put(store, 199, 0);
            awaitPass(store);
            assertEquals(2, store.stats().autoSnapshotsTaken());
            assertEquals(200, store.lastSnapshot().lastSequence());
        }
        try (MemoryStore snapshot = MemoryStore.open(storeDir, options().readOnly(true).build()))
        {
            assertEquals(61 + 100, snapshot.size()); // 71 put, 10 deleted, then 100 more
            assertEquals(11, snapshot.stateCount());
            assertTrue(matches(snapshot.get(id(199)).orElseThrow(), 199, 0));
        }
    }

    @Test
    void theIntervalSnapshotsOnlyAStoreThatChangedAndRestartsAtEachSnapshot() throws Exception
    {
        try (MemoryStore store = time.open(dir.resolve("store"),
            options().autoSnapshotInterval(Duration.ofMinutes(30)).build()))
        {
            final long opened = store.lastSnapshot().generation();
            time.advance(Duration.ofMinutes(31));
            awaitPass(store);
            assertEquals(opened, store.lastSnapshot().generation(), "nothing changed: no snapshot");

            put(store, 0, 0); // 31 minutes since the last snapshot (the open) already: due at once
            awaitPass(store);
            assertEquals(opened + 1, store.lastSnapshot().generation());
            assertEquals(Optional.of(SnapshotTrigger.INTERVAL), SnapshotTrigger.of(store.lastSnapshot()));

            put(store, 1, 0);
            time.advance(Duration.ofMinutes(30).minusNanos(1));
            awaitPass(store);
            assertEquals(opened + 1, store.lastSnapshot().generation(), "30 minutes less 1 ns after the snapshot");
            time.advanceNanos(1);
            awaitPass(store);
            assertEquals(opened + 2, store.lastSnapshot().generation());
            assertEquals(2, store.lastSnapshot().lastSequence());

            time.advance(Duration.ofHours(5));
            awaitPass(store);
            assertEquals(opened + 2, store.lastSnapshot().generation(), "nothing changed since: no snapshot");
            assertEquals(2, store.stats().autoSnapshotsTaken());
        }
    }

    @Test
    void withBothSettingsWhicheverComesFirstTakesTheSnapshot() throws Exception
    {
        try (MemoryStore store = time.open(dir.resolve("store"), options().autoSnapshotEveryChanges(100)
            .autoSnapshotInterval(Duration.ofMinutes(30)).build()))
        {
            for (int i = 0; i < 50; i++)
            {
                put(store, i, 0);
            }
            time.advance(Duration.ofMinutes(30));
            awaitPass(store);
            assertEquals(Optional.of(SnapshotTrigger.INTERVAL), SnapshotTrigger.of(store.lastSnapshot()));
            assertEquals(50, store.lastSnapshot().lastSequence());
            for (int i = 0; i < 100; i++)
            {
                put(store, i, 1);
            }
            awaitPass(store);
            assertEquals(Optional.of(SnapshotTrigger.CHANGES), SnapshotTrigger.of(store.lastSnapshot()));
            assertEquals(150, store.lastSnapshot().lastSequence());
            assertEquals(2, store.stats().autoSnapshotsTaken());
        }
    }

    @Test
    void anExplicitSnapshotRestartsTheCountAndTheInterval() throws Exception
    {
        try (MemoryStore store = time.open(dir.resolve("store"), options().autoSnapshotEveryChanges(100)
            .autoSnapshotInterval(Duration.ofMinutes(30)).build()))
        {
            for (int i = 0; i < 60; i++)
            {
                put(store, i, 0);
            }
            time.advance(Duration.ofMinutes(20));
            final SnapshotInfo explicit = store.snapshot();
            assertEquals(Optional.empty(), SnapshotTrigger.of(explicit));
            for (int i = 60; i < 120; i++)
            {
                put(store, i, 0);
            }
            time.advance(Duration.ofMinutes(20)); // 40 minutes since the open, 20 since the explicit snapshot
            awaitPass(store);
            assertEquals(explicit.generation(), store.lastSnapshot().generation());
            assertEquals(0, store.stats().autoSnapshotsTaken());
            for (int i = 120; i < 160; i++)
            {
                put(store, i, 0);
            }
            awaitPass(store);
            assertEquals(explicit.generation() + 1, store.lastSnapshot().generation(), "100 since the explicit one");
            assertEquals(160, store.lastSnapshot().lastSequence());
        }
    }

    @Test
    void anAutomaticSnapshotWaitsForAnExplicitOneAndThenLooksAgain() throws Exception
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final Stall stall = new Stall(ManualTime.TIMEOUT_MILLIS, null);
        try (MemoryStore store = time.open(dir.resolve("store"), options().autoSnapshotEveryChanges(10).build(),
            disk))
        {
            for (int i = 0; i < 5; i++)
            {
                put(store, i, 0);
            }
            disk.beforeForce(ManifestSlotsDescriptor.FILE_NAME, stall);
            final CompletableFuture<SnapshotInfo> explicit = CompletableFuture.supplyAsync(store::snapshot);
            assertTrue(stall.awaitHeld(), "the explicit snapshot did not begin");
            disk.clear();
            for (int i = 5; i < 14; i++)
            {
                put(store, i, 0); // the 10th change since the open wakes the thread while the explicit one commits
            }
            stall.release();
            assertEquals(5, explicit.get(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).lastSequence());
            awaitPass(store);
            assertEquals(0, store.stats().autoSnapshotsTaken(), "9 changes since the explicit snapshot");
            put(store, 14, 0);
            awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotsTaken());
            assertEquals(15, store.lastSnapshot().lastSequence());
            assertEquals(Optional.of(SnapshotTrigger.CHANGES), SnapshotTrigger.of(store.lastSnapshot()));
        }
    }

    @Test
    void theWriterWakesTheThreadAtTheFirstChangeAndAtTheNth() throws Exception
    {
        try (MemoryStore store = time.open(dir.resolve("store"), options().autoSnapshotEveryChanges(100)
            .autoSnapshotInterval(Duration.ofMinutes(30)).build()))
        {
            // After this pass the thread waits without end (nothing changed), and no later pass is asked for: only
            // the writers can wake it.
            awaitPass(store);
            time.advance(Duration.ofMinutes(31));
            put(store, 0, 0);
            ManualTime.await(() -> store.stats().autoSnapshotsTaken() == 1, "the snapshot due at the first change");
            for (int i = 1; i < 101; i++)
            {
                put(store, i, 0);
            }
            ManualTime.await(() -> store.stats().autoSnapshotsTaken() == 2, "the snapshot due at the 100th change");
            assertEquals(101, store.lastSnapshot().lastSequence());
            assertEquals(Optional.of(SnapshotTrigger.CHANGES), SnapshotTrigger.of(store.lastSnapshot()));
        }
    }

    @Test
    void theCountPassedByCompactionsCopiesStillWakesTheThread() throws Exception
    {
        try (MemoryStore store = time.open(dir.resolve("store"), options().segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .backgroundCompaction(false).autoSnapshotEveryChanges(100).build()))
        {
            final WriteBatch batch = new WriteBatch();
            for (int i = 0; i < 150; i++)
            {
                batch.put(id(i), vector(i, 0), 1f, i, new byte[1_000]);
            }
            for (int i = 0; i < 150; i++)
            {
                if (i % 3 != 0)
                {
                    batch.put(id(i), vector(i, 1), 1f, i, new byte[1_000]); // the first segments mostly dead
                }
            }
            store.write(batch); // under one hold of the write lock: one snapshot, of all 250
            ManualTime.await(() -> store.lastSnapshot().lastSequence() == 250, "the snapshot of the batch");
            for (int i = 0; i < 99; i++)
            {
                put(store, 1_000 + i, 0);
            }
            // Compaction copies live records forward under the next sequence numbers: the count goes past 100
            // without a change equalling it.
            final CompactionResult compacted = store.compact();
            assertTrue(compacted.recordsCopied() >= 2, compacted.toString());
            put(store, 2_000, 0);
            ManualTime.await(() -> store.lastSnapshot().lastSequence() > 250, "the snapshot due at the next change");
        }
    }

    @Test
    void changesReplayedAtOpenCountTowardsTheNext() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            for (int i = 0; i < 150; i++)
            {
                put(store, i, 0);
            }
        }
        try (MemoryStore store = time.open(storeDir, options().autoSnapshotEveryChanges(100).build()))
        {
            awaitPass(store);
            assertEquals(150, store.lastSnapshot().lastSequence());
            assertEquals(1, store.stats().autoSnapshotsTaken());
        }
    }

    @Test
    void aFailedSnapshotIsLoggedCountedAndRetriedAfterADoublingWaitOfAtMostFiveMinutes() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        try (EngineLogCapture log = new EngineLogCapture();
            MemoryStore store = time.open(storeDir, options().autoSnapshotEveryChanges(10).preallocate(true)
                .backgroundCompaction(false).build(), disk))
        {
            final long opened = store.lastSnapshot().generation();
            disk.beforeForce(ManifestSlotsDescriptor.FILE_NAME, file ->
            {
                throw new java.io.IOException("No space left on device"); // the manifest slot cannot be written
            });
            for (int i = 0; i < 10; i++)
            {
                put(store, i, 0);
            }
            awaitPass(store);
            StoreStats stats = store.stats();
            assertEquals(1, stats.autoSnapshotFailures());
            assertEquals(1, stats.autoSnapshotFailuresInARow());
            assertEquals(TimeUnit.SECONDS.toNanos(1), stats.autoSnapshotRetryInNanos());
            assertTrue(stats.lastSnapshotError().contains("No space left on device"), stats.lastSnapshotError());
            assertEquals(opened, stats.lastSnapshotGeneration());
            assertEquals(1, log.messages(Level.WARNING, "automatic snapshot of " + storeDir + " failed").size());

            time.advance(Duration.ofSeconds(1).minusNanos(1));
            put(store, 10, 0);
            awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotFailures(), "retried before its wait ended");
            assertEquals(1, store.stats().autoSnapshotRetryInNanos());

            time.advanceNanos(1);
            final long[] waits = {2, 4, 8, 16, 32, 64, 128, 256, 300, 300};
            for (int k = 0; k < waits.length; k++)
            {
                awaitPass(store);
                stats = store.stats();
                assertEquals(k + 2, stats.autoSnapshotFailuresInARow(), stats.toString());
                assertEquals(TimeUnit.SECONDS.toNanos(waits[k]), stats.autoSnapshotRetryInNanos(), stats.toString());
                put(store, 11 + k, 0); // writers go on
                if (k < waits.length - 1)
                {
                    time.advanceNanos(stats.autoSnapshotRetryInNanos());
                }
            }
            assertEquals(11, log.messages(Level.WARNING, "automatic snapshot of " + storeDir + " failed").size());

            disk.clear();
            time.advance(Duration.ofMinutes(5));
            awaitPass(store);
            stats = store.stats();
            assertEquals(1, stats.autoSnapshotsTaken());
            assertEquals(11, stats.autoSnapshotFailures());
            assertEquals(0, stats.autoSnapshotFailuresInARow());
            assertEquals(0, stats.autoSnapshotRetryInNanos());
            assertNull(stats.lastSnapshotError());
            assertTrue(stats.lastSnapshotGeneration() > opened);
            assertEquals(21, stats.lastSnapshotSequence());
            assertEquals(1, log.messages(Level.INFO, "committed after 11 failed attempts").size());
        }
        try (MemoryStore snapshot = MemoryStore.open(storeDir, options().readOnly(true).build()))
        {
            assertEquals(21, snapshot.size());
        }
    }

    @Test
    void writersGoOnWhileAnAutomaticSnapshotIsStuckAndAfterItFailed() throws Exception
    {
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final Stall stall = new Stall(ManualTime.TIMEOUT_MILLIS, "Input/output error");
        try (MemoryStore store = time.open(dir.resolve("store"), options().autoSnapshotEveryChanges(10).build(),
            disk))
        {
            disk.beforeForce(ManifestSlotsDescriptor.FILE_NAME, stall);
            for (int i = 0; i < 10; i++)
            {
                put(store, i, 0);
            }
            assertTrue(stall.awaitHeld(), "no automatic snapshot began");
            // The snapshot holds the commit lock, flushing its manifest for ever: the writes must not wait for it.
            assertTimeoutPreemptively(Duration.ofMillis(ManualTime.TIMEOUT_MILLIS), () ->
            {
                for (int i = 10; i < 2010; i++)
                {
                    put(store, i, 0);
                    store.putState("progress", metadata(i, 0));
                    assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0));
                }
                assertTrue(store.delete(id(0)));
            }, "writers waited for a stuck snapshot");
            stall.release();
            awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotFailures());
            assertTrue(store.stats().lastSnapshotError().contains("Input/output error"));
            for (int i = 2010; i < 3010; i++)
            {
                put(store, i, 0); // during the wait before the retry
            }
            disk.clear();
            time.advance(Duration.ofSeconds(1));
            awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotsTaken());
            assertEquals(store.lastSequence(), store.lastSnapshot().lastSequence());
        }
    }

    @Test
    void theThreadIsANamedDaemonStartedOnlyWhenAskedForAndGoneAfterClose()
    {
        final Path storeDir = dir.resolve("store-threads");
        final String name = "memsnap-snapshot store-threads";
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            assertEquals(List.of(), threadsNamed(name), "automatic snapshots are off by default");
            put(store, 0, 0);
        }
        final Thread thread;
        try (MemoryStore store = MemoryStore.open(storeDir, options().autoSnapshotInterval(Duration.ofHours(1))
            .build()))
        {
            final List<Thread> threads = threadsNamed(name);
            assertEquals(1, threads.size(), threads.toString());
            thread = threads.get(0);
            assertTrue(thread.isDaemon());
            assertTrue(thread.isAlive());
            store.close();
            assertFalse(thread.isAlive(), "close joins the thread");
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options().autoSnapshotEveryChanges(1)
            .autoSnapshotInterval(Duration.ofSeconds(1)).snapshotOnClose(Duration.ofSeconds(1)).shutdownHook(true)
            .readOnly(true).build()))
        {
            assertEquals(List.of(), threadsNamed(name), "a read-only store ignores the options");
            assertNull(store.autoSnapshotter());
            assertNull(store.shutdownHookThread());
            assertEquals(0, store.stats().changesSinceLastSnapshot());
        }
    }

    private static List<Thread> threadsNamed(final String name)
    {
        final List<Thread> found = new ArrayList<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals(name))
            {
                found.add(t);
            }
        }
        return found;
    }

    @Test
    void optionsAreValidated()
    {
        assertThrows(IllegalArgumentException.class, () -> options().autoSnapshotEveryChanges(-1));
        assertThrows(IllegalArgumentException.class, () -> options().autoSnapshotInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> options().snapshotOnClose(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> options().autoSnapshotInterval(null));
        final StoreOptions defaults = options().build();
        assertFalse(defaults.autoSnapshots());
        assertEquals(StoreOptions.NO_AUTO_SNAPSHOT_CHANGES, defaults.autoSnapshotEveryChanges());
        assertEquals(Duration.ZERO, defaults.autoSnapshotInterval());
        assertEquals(Duration.ZERO, defaults.snapshotOnClose());
        assertFalse(defaults.shutdownHook());
        final StoreOptions set = options().autoSnapshotEveryChanges(100).autoSnapshotInterval(Duration.ofMinutes(30))
            .snapshotOnClose(Duration.ofSeconds(5)).shutdownHook(true).build();
        final StoreOptions copied = set.toBuilder().build();
        assertTrue(copied.autoSnapshots());
        assertEquals(100, copied.autoSnapshotEveryChanges());
        assertEquals(Duration.ofMinutes(30), copied.autoSnapshotInterval());
        assertEquals(Duration.ofSeconds(5), copied.snapshotOnClose());
        assertTrue(copied.shutdownHook());
    }
}
