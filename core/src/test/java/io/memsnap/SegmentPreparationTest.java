package io.memsnap;

import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.DIMENSION;
import static org.junit.jupiter.api.Assertions.*;

/**
 * No put waits for a segment file: a writable store's preparer thread ({@code memsnap-segments DIR}) makes the file of
 * the next segment ahead (created, given its length, synced with its directory entry), and the put that rolls only
 * writes the header into it. A file made for a roll that never came is deleted by {@code close()}, and, after a crash,
 * by the next writer's open (a segment never started, all zeros where its header and first record go), never taken
 * for damage, a foreign file or a segment to quarantine; read-only opens, verify and salvage leave it alone. (The
 * hand-over itself, its fallbacks and failures: {@code SegmentPreparerTest}.)
 */
class SegmentPreparationTest
{
    private static final int KIB = 1024;
    private static final int MAX = 1024 * KIB;

    @TempDir
    Path tmp;

    private final PreparerWatch watch = new PreparerWatch();
    private int next;

    @BeforeAll
    static void quiet()
    {
        QuietEngineLog.silence();
    }

    @AfterAll
    static void loud()
    {
        QuietEngineLog.restore();
    }

    private static StoreOptions options(final boolean preallocate)
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(MAX).preallocate(preallocate).build();
    }

    /**
     * The put that rolls creates no file, syncs nothing and syncs no directory: in the journal of everything the store
     * did, the new segment's file was created, given its length, flushed and synced into its directory by the
     * preparer before that put, which wrote only its header and the record (through the writer's handle).
     */
    @ParameterizedTest(name = "preallocate: {0}")
    @ValueSource(booleans = {false, true})
    void thePutThatRollsOnlyWritesTheHeaderAndTheRecordIntoTheFilePreparedForIt(final boolean preallocate)
        throws IOException
    {
        final Path dir = tmp.resolve("store");
        final RecordingFileSystem recording = new RecordingFileSystem(tmp);
        final HookedFileSystem fs = new HookedFileSystem(recording);
        fs.hook(watch);
        final Path second = dir.resolve(SegmentDescriptor.fileName(2));
        try (MemoryStore store = MemoryStore.open(dir, options(preallocate), fs))
        {
            watch.awaitPrepared(2);
            watch.clearOthers();
            int rollFrom = -1;
            int rollTo = -1;
            while (store.stats().segmentCount() < 2)
            {
                rollFrom = recording.journal().size();
                put(store);
                rollTo = recording.journal().size();
            }
            assertEquals(List.of(), watch.others(), "the puts created no file and synced no directory");
            final List<JournalEntry> all = recording.journal().entries();
            final List<String> inThePut = new ArrayList<>();
            for (final JournalEntry e : all.subList(rollFrom, rollTo))
            {
                if (second.equals(e.path) && e.kind != JournalEntry.Kind.OPEN)
                {
                    inThePut.add(e.kind + (e.kind == JournalEntry.Kind.WRITE ? " at " + e.position : ""));
                }
            }
            assertEquals(List.of("WRITE at 0", "WRITE at " + SegmentDescriptor.HEADER_LENGTH), inThePut,
                "what the rolling put did to the new segment");
            final List<JournalEntry.Kind> before = new ArrayList<>();
            int flushed = -1;
            for (int i = 0; i < rollFrom; i++)
            {
                final JournalEntry e = all.get(i);
                if (second.equals(e.path) && e.kind != JournalEntry.Kind.WRITE && e.kind != JournalEntry.Kind.OPEN)
                {
                    before.add(e.kind);
                    flushed = e.kind == JournalEntry.Kind.FORCE ? i : flushed;
                }
            }
            assertEquals(preallocate ? List.of(JournalEntry.Kind.CREATE, JournalEntry.Kind.FORCE) :
                List.of(JournalEntry.Kind.CREATE, JournalEntry.Kind.EXTEND, JournalEntry.Kind.FORCE), before,
                "made ahead of the put (preallocated: written with zeros, not extended)");
            boolean entryDurable = false;
            for (final JournalEntry e : all.subList(flushed + 1, rollFrom))
            {
                entryDurable |= e.kind == JournalEntry.Kind.SYNC_DIRECTORY && dir.equals(e.path);
            }
            assertTrue(entryDurable, "its directory entry was synced before the put");
        }
    }

    /**
     * {@code close()} deletes the file prepared for the roll that did not come; the reopened store reads every entry,
     * prepares again and rolls on.
     */
    @Test
    void closeDeletesTheFilePreparedForTheNextRollAndTheReopenedStoreRollsOn() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
        fs.hook(watch);
        try (MemoryStore store = MemoryStore.open(dir, options(false), fs))
        {
            putUntilSegments(store, 3);
            watch.awaitPrepared(4);
            assertTrue(Segment.neverStarted(dir.resolve(SegmentDescriptor.fileName(4))), "prepared, not started");
        }
        assertEquals(List.of(1, 2, 3), segmentFiles(dir), "the prepared file is gone");
        try (MemoryStore store = MemoryStore.open(dir, options(false), fs))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            assertHolds(store);
            putUntilSegments(store, 5);
            watch.awaitPrepared(6);
            assertHolds(store);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        assertEquals(List.of(1, 2, 3, 4, 5), segmentFiles(dir));
    }

    /**
     * A crash leaves the prepared file (here: the files as the page cache holds them while the writer runs, what a
     * SIGKILL leaves). A read-only open, verify and salvage read the store around it; the writer's open deletes it,
     * quarantines nothing, and the store reads every write and rolls on through that segment id.
     */
    @Test
    void aCrashLeavesThePreparedFileWhichReadersIgnoreAndTheWritersOpenDeletes() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final Path crashed = tmp.resolve("crashed");
        final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
        fs.hook(watch);
        try (MemoryStore store = MemoryStore.open(dir, options(false), fs))
        {
            putUntilSegments(store, 2);
            store.snapshot();
            put(store);
            watch.awaitPrepared(3);
            copy(dir, crashed);
        }
        assertTrue(Segment.neverStarted(crashed.resolve(SegmentDescriptor.fileName(3))));
        assertReadersIgnoreTheFileAfterTheLog(crashed, next);
        try (MemoryStore store = openHoldingThePreparer(crashed))
        {
            assertNull(store.recoveryReport().tailCut());
            assertHolds(store);
            putUntilSegments(store, 4);
            assertHolds(store);
        }
        try (MemoryStore store = MemoryStore.open(crashed, options(false)))
        {
            assertHolds(store);
        }
    }

    /**
     * A file after the log that was never started, whatever its length (empty: created, not yet given its length; a
     * part of a header; a whole segment of zeros), is read around and deleted like a prepared one. One shorter than a
     * segment (a creation a crash interrupted, or a segment cut short by damage, whose records would be gone) is
     * named in the recovery report; a whole one is the writer's file for its next roll, not a repair.
     */
    @ParameterizedTest(name = "{0} bytes of zeros")
    @ValueSource(ints = {0, 40, 64 * KIB})
    void aFileNeverStartedAfterTheLogOfAnyLengthIsDeletedByTheWritersOpen(final int length) throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, options(false)))
        {
            putUntilSegments(store, 2);
            store.snapshot();
        }
        Files.write(dir.resolve(SegmentDescriptor.fileName(3)), new byte[length]);
        assertReadersIgnoreTheFileAfterTheLog(dir, next);
        try (MemoryStore store = openHoldingThePreparer(dir))
        {
            final RecoveryReport report = store.recoveryReport();
            if (length < StoreOptions.MIN_SEGMENT_SIZE)
            {
                assertEquals(1, report.discardedFiles().size(), report.toString());
                assertTrue(report.discardedFiles().get(0).startsWith(SegmentDescriptor.fileName(3) + " deleted"),
                    report.toString());
                assertNull(report.tailCut(), report.toString());
            }
            else
            {
                assertTrue(report.clean(), report.toString());
            }
            assertHolds(store);
            putUntilSegments(store, 3);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Opens a writer whose preparer waits, before it creates its first file, until the test has checked that the open
     * deleted segment 3 (never started) and quarantined nothing.
     */
    private MemoryStore openHoldingThePreparer(final Path dir) throws IOException
    {
        final CountDownLatch checked = new CountDownLatch(1);
        watch.onPreparer((operation, path) ->
        {
            if (operation.equals(HookedFileSystem.CREATE))
            {
                await(checked);
            }
        });
        final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
        fs.hook(watch);
        final MemoryStore store = MemoryStore.open(dir, options(false), fs);
        try
        {
            assertEquals(List.of(1, 2), segmentFiles(dir), "the file never started is deleted");
            assertFalse(Files.exists(dir.resolve(StoreDirectory.QUARANTINE)), "nothing quarantined");
        }
        catch (final AssertionError ex)
        {
            checked.countDown();
            store.close();
            throw ex;
        }
        checked.countDown();
        return store;
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(1, TimeUnit.MINUTES), "gave up waiting");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** A read-only open of the newest snapshot, its verify, and salvage, with the file after the log present. */
    private void assertReadersIgnoreTheFileAfterTheLog(final Path dir, final int puts) throws IOException
    {
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertTrue(reader.size() > 0 && reader.size() <= puts, reader.size() + " entries");
            assertTrue(reader.verify(true).ok(), reader.verify(true).toString());
        }
        final Path salvaged = tmp.resolve("salvaged-" + dir.getFileName());
        final SalvageReport report = Salvage.salvage(dir, salvaged);
        assertTrue(report.nothingLost(), report.toString());
        try (MemoryStore copy = MemoryStore.open(salvaged, options(false)))
        {
            assertHolds(copy);
        }
    }

    private void putUntilSegments(final MemoryStore store, final int segments)
    {
        while (store.stats().segmentCount() < segments)
        {
            put(store);
        }
    }

    private void put(final MemoryStore store)
    {
        TestEntries.put(store, next++, 0);
    }

    private void assertHolds(final MemoryStore store)
    {
        assertEquals(next, store.size());
        for (int n = 0; n < next; n++)
        {
            final int k = n;
            assertTrue(TestEntries.matches(store.get(TestEntries.id(n)).orElseThrow(() ->
                new AssertionError(TestEntries.id(k))), n, 0), TestEntries.id(n));
        }
    }

    /** @return the ids of the segment files in {@code dir}, ascending. */
    private static List<Integer> segmentFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> SegmentDescriptor.parseFileName(p.getFileName().toString())).filter(id -> id > 0)
                .sorted().toList();
        }
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("memsnap.lock"))
                {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }
}
