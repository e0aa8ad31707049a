package io.memsnap;

import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.crash.Stall;
import io.memsnap.internal.segment.SegmentPreparer;
import io.memsnap.internal.segment.Writeback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The way out: {@link StoreOptions.Builder#snapshotOnClose} takes a snapshot at close holding every write that
 * returned, only if something changed, and gives it up at its deadline (measured on a clock the test moves while
 * the snapshot flushes) with close still making every write durable; close abandons an automatic snapshot under
 * way; {@link StoreOptions.Builder#shutdownHook} registers a hook that close removes, and a child JVM ended with
 * SIGTERM after its writes leaves a store whose newest snapshot, opened read-only (no replay), holds them all.
 */
class CloseSnapshotTest
{
    private static final int SIGTERM_STATUS = 128 + 15;

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(1 << 20);
    }

    /** @return the newest snapshot, opened read-only: what it holds without any replay of the log. */
    private static MemoryStore newestSnapshot(final Path storeDir)
    {
        return MemoryStore.open(storeDir, options().readOnly(true).build());
    }

    @Test
    void closeSnapshotsEveryWriteThatReturnedOnlyWhenSomethingChanged()
    {
        final Path storeDir = dir.resolve("store");
        final StoreOptions onClose = options().snapshotOnClose(Duration.ofSeconds(10)).build();
        try (MemoryStore store = time.open(storeDir, onClose))
        {
            for (int i = 0; i < 50; i++)
            {
                put(store, i, 0);
            }
            store.putState("transitions", metadata(50, 0));
        }
        final long closed;
        try (MemoryStore snapshot = newestSnapshot(storeDir))
        {
            final SnapshotInfo info = snapshot.lastSnapshot();
            closed = info.generation();
            assertEquals(1, closed);
            assertEquals(51, info.lastSequence());
            assertEquals(Optional.of(SnapshotTrigger.CLOSE), SnapshotTrigger.of(info));
            assertEquals(50, snapshot.size());
            assertTrue(matches(snapshot.get(id(49)).orElseThrow(), 49, 0));
            assertArrayEquals(metadata(50, 0), snapshot.getState("transitions").orElseThrow());
        }
        try (MemoryStore store = time.open(storeDir, onClose))
        {
            assertEquals(51, store.lastSequence()); // nothing written: close takes no snapshot
        }
        try (MemoryStore store = time.open(storeDir, options().build()))
        {
            put(store, 50, 0); // off by default: close takes none
        }
        try (MemoryStore snapshot = newestSnapshot(storeDir))
        {
            assertEquals(closed, snapshot.lastSnapshot().generation());
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            assertEquals(52, store.lastSequence()); // the close made the write durable all the same
        }
    }

    @Test
    void aCloseSnapshotPastItsDeadlineIsAbandonedAndCloseStillMakesEveryWriteDurable()
    {
        final Path storeDir = dir.resolve("store");
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        try (EngineLogCapture log = new EngineLogCapture())
        {
            try (MemoryStore store = time.open(storeDir, options().snapshotOnClose(Duration.ofSeconds(10)).build(),
                disk))
            {
                for (int i = 0; i < 50; i++)
                {
                    put(store, i, 0);
                }
                // The snapshot's flush of the segment takes 11 s on the store's clock: past the deadline before the
                // manifest is committed.
                disk.beforeForce(".seg", notOnThePreparer(file -> time.advance(Duration.ofSeconds(11))));
            }
            final List<String> warnings = log.messages(Level.WARNING, "did not complete within PT10S");
            assertEquals(1, warnings.size(), warnings.toString());
        }
        try (MemoryStore snapshot = newestSnapshot(storeDir))
        {
            assertEquals(0, snapshot.lastSnapshot().generation(), "the abandoned snapshot was committed");
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            assertNull(store.recoveryReport().tailCut());
            assertEquals(50, store.size());
            assertTrue(matches(store.get(id(49)).orElseThrow(), 49, 0));
        }
    }

    @Test
    void closeAbandonsAnAutomaticSnapshotUnderWayAtItsNextStep() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final Stall stall = new Stall(ManualTime.TIMEOUT_MILLIS, null);
        final MemoryStore store = time.open(storeDir, options().autoSnapshotEveryChanges(10).build(), disk);
        disk.beforeForce(".seg", notOnThePreparer(stall));
        for (int i = 0; i < 10; i++)
        {
            put(store, i, 0);
        }
        assertTrue(stall.awaitHeld(), "no automatic snapshot began");
        final Thread closer = new Thread(store::close, "closer");
        closer.start();
        // Close has told the thread to stop and waits for it to end: the snapshot's flush then ends, and the
        // snapshot must give up before its manifest.
        ManualTime.await(() -> closer.getState() == Thread.State.WAITING, "close to wait for the thread");
        disk.clear();
        stall.release();
        closer.join(ManualTime.TIMEOUT_MILLIS);
        assertFalse(closer.isAlive(), "close did not end");
        try (MemoryStore snapshot = newestSnapshot(storeDir))
        {
            assertEquals(0, snapshot.lastSnapshot().generation(), "the automatic snapshot committed after close began");
        }
        try (MemoryStore reopened = MemoryStore.open(storeDir, options().build()))
        {
            assertEquals(10, reopened.size());
        }
    }

    @Test
    void closeRemovesTheShutdownHook()
    {
        try (MemoryStore store = MemoryStore.open(dir.resolve("plain"), options().build()))
        {
            assertNull(store.shutdownHookThread());
        }
        final Thread hook;
        try (MemoryStore store = MemoryStore.open(dir.resolve("hooked"), options().shutdownHook(true).build()))
        {
            hook = store.shutdownHookThread();
            assertNotNull(hook);
            assertEquals("memsnap-shutdown hooked", hook.getName());
        }
        assertFalse(Runtime.getRuntime().removeShutdownHook(hook), "the hook was still registered after close");
    }

    @Test
    void sigtermEndsWithASnapshotOfTheLastWritesAndACleanClose() throws Exception
    {
        final Path storeDir = dir.resolve("store");
        final int count = 500;
        final Process child = new ProcessBuilder(ChildJvm.command(List.of(), ShutdownHookChild.class,
            List.of(storeDir.toString(), Integer.toString(count))))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final String ready = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertEquals("ready " + (count + 1), ready, "the child did not write its entries");
            child.destroy(); // SIGTERM
            assertTrue(child.waitFor(ManualTime.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS), "the child did not exit");
            assertEquals(SIGTERM_STATUS, child.exitValue());
        }
        finally
        {
            child.destroyForcibly();
        }
        try (MemoryStore snapshot = newestSnapshot(storeDir))
        {
            final SnapshotInfo info = snapshot.lastSnapshot();
            assertEquals(Optional.of(SnapshotTrigger.SHUTDOWN), SnapshotTrigger.of(info), info.toString());
            assertEquals(count + 1, info.lastSequence());
            assertEquals(count, snapshot.size());
            for (int i = 0; i < count; i++)
            {
                assertTrue(matches(snapshot.get(id(i)).orElseThrow(), i, 0), "entry " + i);
            }
            assertArrayEquals(metadata(count, 0), snapshot.getState(ShutdownHookChild.STATE).orElseThrow());
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options().build()))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
        }
    }

    /**
     * @return {@code action}, but for the flushes of the segment files the store's preparer makes ahead (which run
     * whenever that thread gets to them): the tests here hold or slow the snapshots' flushes.
     */
    private static InterceptingFileSystem.Action notOnThePreparer(final InterceptingFileSystem.Action action)
    {
        return file ->
        {
            final String thread = Thread.currentThread().getName();
            if (!thread.startsWith(SegmentPreparer.THREAD_PREFIX) && !thread.startsWith(Writeback.THREAD_PREFIX))
            {
                action.beforeForce(file);
            }
        };
    }
}
