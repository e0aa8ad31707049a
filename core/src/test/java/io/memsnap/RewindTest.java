package io.memsnap;

import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Rewinds on real files: the rewound store holds exactly the target's content; it writes on as a new timeline,
 * snapshots and reopens without ever replaying what the old timeline wrote after the target; the safety snapshot is
 * pinned with its label and expiry; the old timeline's snapshots open read-only until retention drops them; a rewind
 * to a snapshot that is not retained, or whose records are damaged, changes nothing; rewinds of rewinds; the new
 * timeline's first segment has the length a roll would give it. Crashes
 * during a rewind are in {@code RewindCrashTest} (SIGKILL) and {@code CrashStateExplorerTest} (power cuts),
 * concurrent readers and writers in {@code RewindConcurrencyTest}.
 */
class RewindTest
{
    @TempDir
    Path dir;

    private final StoreHistory history = new StoreHistory();

    static StoreOptions.Builder small()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .preallocate(false).retainedSnapshots(3).backgroundCompaction(false);
    }

    /** Version {@code version} of entry {@code n}, through the oracle. */
    private void put(final MemoryStore store, final long n, final long version)
    {
        history.put(store, id(n), vector(n, version), importance(n, version), storedAt(n, version),
            metadata(n, version));
    }

    private void putState(final MemoryStore store, final String name, final String value)
    {
        history.putState(store, name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Puts, overwrites, deletes and named state: {@code count} writes of version {@code version}. */
    private void writes(final MemoryStore store, final int count, final long version)
    {
        for (int i = 0; i < count; i++)
        {
            final long n = (i * 7L + version) % 40;
            if (i % 9 == 4 && history.latest().entries.containsKey(id(n)))
            {
                history.delete(store, id(n));
            }
            else if (i % 11 == 5)
            {
                putState(store, "state-" + (i % 3), "v" + version + "." + i);
            }
            else
            {
                put(store, n, version * 1000 + i);
            }
        }
    }

    private void assertHolds(final MemoryStore store, final StoreHistory h, final long sequence, final String what)
    {
        final StoreHistory.Verification v = h.verify(store, sequence, what);
        assertEquals(0, v.readErrors, what + ": " + v.errorSamples);
    }

    private void assertSnapshotHolds(final long generation, final StoreHistory h, final long sequence)
    {
        try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(generation)
            .build()))
        {
            assertHolds(old, h, sequence, "snapshot " + generation + " read-only");
        }
    }

    @Test
    void automaticSnapshotsAreToldOfTheRewindAndCountChangesFromTheTarget() throws InterruptedException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().autoSnapshotEveryChanges(50).build()))
        {
            for (int n = 0; n < 30; n++)
            {
                put(store, n, 1);
            }
            final SnapshotInfo target = store.snapshot();
            for (int n = 0; n < 40; n++)
            {
                put(store, n, 2);
            }
            ManualTime.awaitPass(store);
            assertEquals(0, store.stats().autoSnapshotsTaken(), "40 changes");

            final RewindResult result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            assertEquals(result.snapshot().generation(), store.stats().lastSnapshotGeneration());
            assertEquals(target.lastSequence(), store.stats().lastSnapshotSequence());
            assertEquals(0, store.stats().changesSinceLastSnapshot());
            ManualTime.awaitPass(store);
            assertEquals(0, store.stats().autoSnapshotsTaken());
            assertEquals(result.snapshot().generation(), store.lastSnapshot().generation());

            for (int n = 0; n < 49; n++)
            {
                put(store, n, 3);
            }
            ManualTime.awaitPass(store);
            assertEquals(0, store.stats().autoSnapshotsTaken(), "49 changes since the rewind");
            put(store, 49, 3);
            ManualTime.awaitPass(store);
            assertEquals(1, store.stats().autoSnapshotsTaken());
            final SnapshotInfo taken = store.lastSnapshot();
            assertEquals(result.timeline(), taken.timeline());
            assertEquals(target.lastSequence() + 50, taken.lastSequence());
            assertEquals(Optional.of(SnapshotTrigger.CHANGES), SnapshotTrigger.of(taken));
            assertHolds(store, history, history.lastSequence(), "after the automatic snapshot");
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
        }
    }

    @Test
    void theRewoundStoreHoldsExactlyTheTargetAndWritesOnAsANewTimeline()
    {
        final SnapshotInfo target;
        final RewindResult result;
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 60, 1);
            target = store.snapshot(Map.of("encoder", "bow-2^18"));
            writes(store, 50, 2);
            put(store, 1000, 1); // only after the target: must be absent once rewound
            store.snapshot();
            writes(store, 30, 3);
            store.sync();
            final long present = store.lastSequence();

            result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            assertEquals(target.lastSequence(), store.lastSequence());
            assertHolds(store, history, target.lastSequence(), "rewound");
            assertFalse(store.contains(id(1000)));
            assertEquals(1, result.timeline());
            assertEquals(target.generation(), result.target());
            assertEquals(present, result.safety().lastSequence(), "the safety snapshot holds every write before");
            assertEquals(0, result.safety().timeline());
            assertEquals(target.lastSequence(), result.snapshot().lastSequence());
            assertEquals(target.entryCount(), result.snapshot().entryCount());
            assertEquals(Map.of("encoder", "bow-2^18", RewindResult.REWIND_LABEL,
                Long.toString(target.generation())), result.snapshot().labels());
            assertEquals(store.lastSnapshot().generation(), result.snapshot().generation());

            writes(store, 40, 4);
            put(store, 1001, 2);
            assertHolds(store, history, history.lastSequence(), "written after the rewind");
            store.snapshot();
            writes(store, 25, 5);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened on the new timeline");
            assertFalse(store.contains(id(1000)));
            assertEquals(1, store.lastSnapshot().timeline());
            writes(store, 10, 6);
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened after a clean close");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(1, reader.lastSnapshot().timeline());
        }
    }

    @Test
    void theSafetySnapshotIsPinnedWithItsLabelForTheRewindSafetyExpiry()
    {
        final AtomicLong now = new AtomicLong(1_800_000_000_000L);
        final StoreOptions options = small().rewindSafetyExpiry(Duration.ofDays(2)).build();
        final long safety;
        try (MemoryStore store = MemoryStore.openWithWallClock(dir, options, StoreFileSystem.real(), now::get))
        {
            writes(store, 20, 1);
            final long target = store.snapshot().generation();
            writes(store, 20, 2);
            final RewindResult result = store.rewind(target);
            history.rewind(0, result.snapshot().lastSequence(), result.timeline());
            safety = result.safety().generation();
            assertEquals(Optional.of(RewindResult.SAFETY_LABEL + "=" + target), result.safety().pinLabel());
            assertEquals(Optional.of(Instant.ofEpochMilli(now.get() + Duration.ofDays(2).toMillis())),
                result.safety().pinExpiresAt());
            assertEquals(Map.of(RewindResult.SAFETY_LABEL, Long.toString(target)), result.safety().labels());
            assertTrue(result.safety().retainedBecause().contains("pinned: " + RewindResult.SAFETY_LABEL + "=" +
                target), result.safety().toString());
            assertEquals(List.of(safety), store.snapshots().stream().filter(s -> s.pinLabel().isPresent())
                .map(SnapshotInfo::generation).collect(Collectors.toList()), "the target's pin went with the commit");
            for (int i = 0; i < 6; i++)
            {
                writes(store, 5, 3 + i);
                store.snapshot();
            }
            assertTrue(store.snapshots().stream().anyMatch(s -> s.generation() == safety),
                "pinned: kept beyond the newest three");
            now.addAndGet(Duration.ofDays(2).toMillis());
            store.snapshot();
            assertTrue(store.snapshots().stream().noneMatch(s -> s.generation() == safety), "expired, dropped");
        }
    }

    @Test
    void theOldTimelinesSnapshotsOpenReadOnlyUntilRetentionDropsThem()
    {
        final SnapshotInfo left;
        final SnapshotInfo safetyInfo;
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(6).build()))
        {
            writes(store, 30, 1);
            final long target = store.snapshot().generation();
            writes(store, 30, 2);
            left = store.snapshot(); // after the target, on the timeline left behind
            writes(store, 30, 3);
            final RewindResult result = store.rewind(target);
            safetyInfo = result.safety();
            history.rewind(0, result.snapshot().lastSequence(), result.timeline());
            writes(store, 20, 4);
            store.snapshot();
        }
        final long before = left.generation();
        final long safety = safetyInfo.generation();
        assertSnapshotHolds(before, history.onTimeline(0), left.lastSequence());
        assertSnapshotHolds(safety, history.onTimeline(0), safetyInfo.lastSequence());
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            final Map<Long, Long> timelines = new java.util.TreeMap<>();
            reader.snapshots().forEach(s -> timelines.put(s.generation(), s.timeline()));
            assertEquals(0L, timelines.get(before));
            assertEquals(0L, timelines.get(safety));
            assertEquals(1L, timelines.get(reader.lastSnapshot().generation()));
        }
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(6).build()))
        {
            for (int i = 0; i < 6; i++)
            {
                writes(store, 5, 5 + i);
                store.snapshot();
            }
            assertThrows(NoSuchSnapshotException.class, () -> MemoryStore.open(dir, StoreOptions.builder()
                .readOnly(true).generation(before).build()));
            assertTrue(store.unpin(safety));
            for (int i = 0; i < 6; i++)
            {
                store.snapshot();
            }
            assertThrows(NoSuchSnapshotException.class, () -> MemoryStore.open(dir, StoreOptions.builder()
                .readOnly(true).generation(safety).build()));
            assertHolds(store, history, history.lastSequence(), "the new timeline, its parent's snapshots gone");
        }
    }

    @Test
    void aRewindToASnapshotThatIsNotRetainedChangesNothing()
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 20, 1);
            final long first = store.snapshot().generation();
            for (int i = 0; i < 4; i++)
            {
                writes(store, 5, 2 + i);
                store.snapshot();
            }
            writes(store, 5, 9);
            final Map<String, String> files = StoreFiles.fingerprint(dir);
            final NoSuchSnapshotException gone = assertThrows(NoSuchSnapshotException.class,
                () -> store.rewind(first));
            assertTrue(gone.getMessage().contains("memsnap list"), gone.getMessage());
            assertThrows(NoSuchSnapshotException.class, () -> store.rewind(1234));
            assertEquals(files, StoreFiles.fingerprint(dir), "nothing written");
            assertHolds(store, history, history.lastSequence(), "the store is as it was");
            writes(store, 5, 10);
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
            assertEquals(0, store.lastSnapshot().timeline());
        }
    }

    @Test
    void aRewindToASnapshotWhoseRecordsAreDamagedChangesNothing()
    {
        final long target;
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 30, 1); // no checkpoint yet: the target replays all of them
            target = store.snapshot().generation();
            store.checkpoint();
            writes(store, 10, 2);
            store.snapshot(); // names the checkpoint: an open replays none of the target's records
        }
        // Damage a record of the target that no current entry needs: the first, overwritten since.
        StoreFiles.flip(dir.resolve(SegmentDescriptor.fileName(1)), SegmentDescriptor.HEADER_LENGTH + 40, 0x10);
        final PreparerWatch preparer = new PreparerWatch();
        final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
        fs.hook(preparer);
        try (MemoryStore store = MemoryStore.open(dir, small().build(), fs))
        {
            preparer.awaitNextOf(store); // the file made ahead for the next roll, before the files are compared
            final Map<String, String> files = StoreFiles.fingerprint(dir);
            final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () -> store.rewind(target));
            assertTrue(ex.getMessage().contains("nothing was changed"), ex.getMessage());
            assertEquals(files, StoreFiles.fingerprint(dir));
            writes(store, 3, 3);
            store.sync();
        }
    }

    @Test
    void rewindTwiceAndUndo()
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(8).build()))
        {
            writes(store, 40, 1);
            final SnapshotInfo a = store.snapshot();
            writes(store, 40, 2);
            final SnapshotInfo b = store.snapshot();
            writes(store, 20, 3);

            final RewindResult toA = store.rewind(a.generation());
            history.rewind(0, a.lastSequence(), toA.timeline());
            writes(store, 15, 4);
            final SnapshotInfo c = store.snapshot();
            writes(store, 10, 5);
            assertHolds(store, history, history.lastSequence(), "timeline 1");

            // Back to the old timeline, after a: b is on timeline 0 and holds more writes than a.
            final RewindResult toB = store.rewind(b.generation());
            assertEquals(2, toB.timeline());
            history.rewind(0, b.lastSequence(), toB.timeline());
            assertHolds(store, history, b.lastSequence(), "timeline 2, from b");
            writes(store, 10, 6);

            // Undo the first rewind: its safety snapshot holds the present before it.
            final RewindResult undo = store.rewind(toA.safety().generation());
            assertEquals(3, undo.timeline());
            history.rewind(0, toA.safety().lastSequence(), undo.timeline());
            assertHolds(store, history, toA.safety().lastSequence(), "undone");
            writes(store, 10, 7);

            // And to c, on timeline 1.
            final RewindResult toC = store.rewind(c.generation());
            assertEquals(4, toC.timeline());
            history.rewind(1, c.lastSequence(), toC.timeline());
            assertHolds(store, history, c.lastSequence(), "timeline 4, from c");
            writes(store, 10, 8);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(8).build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened after four rewinds");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
    }

    @Test
    void aRewindToTheNewestSnapshotWithNothingAfterItStartsATimelineOfTheSameContent()
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 20, 1);
            final SnapshotInfo newest = store.snapshot();
            final RewindResult result = store.rewind(newest.generation());
            history.rewind(0, newest.lastSequence(), result.timeline());
            assertEquals(newest.lastSequence(), result.safety().lastSequence());
            assertHolds(store, history, newest.lastSequence(), "rewound");
            writes(store, 10, 2);
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
        }
    }

    @Test
    void deepVerifyChecksTheRecordsOfTheNewTimelineNotThoseItLeftBehind()
    {
        final int first;
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 30, 1);
            final SnapshotInfo target = store.snapshot();
            writes(store, 20, 2);
            final RewindResult result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            first = segmentFiles().get(segmentFiles().size() - 1);
            writes(store, 60, 3); // longer than the timeline left behind
            store.sync();
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
            assertEquals(90, report.records());
            store.checkpoint();
            store.snapshot(); // an open replays nothing after this
        }
        // Record 31, the new timeline's first, was overwritten since: only deep verify reads it.
        StoreFiles.flip(dir.resolve(SegmentDescriptor.fileName(first)), SegmentDescriptor.HEADER_LENGTH + 40, 0x01);
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
            final VerifyReport report = store.verify(true);
            assertFalse(report.ok());
            final VerifyReport.Problem damaged = report.problems().get(report.problems().size() - 1);
            assertTrue(damaged.what().startsWith("record 31 is damaged"), report.problems().toString());
            assertTrue(damaged.file().endsWith(SegmentDescriptor.fileName(first)), damaged.toString());
            assertEquals(SegmentDescriptor.HEADER_LENGTH, damaged.offset());
        }
    }

    /**
     * A rewind from one timeline to a snapshot of another with the same last sequence: the new timeline's first
     * segment then starts at the sequence the safety snapshot's replay expects next. When the rewind's manifest does
     * not validate, an open falls back to the safety snapshot and must not follow its log into the new timeline's
     * segment: the replay follows a segment into the next only on the same timeline.
     */
    @Test
    void aFallbackPastARewindsDamagedManifestNeverSplicesTheNewTimelineIntoTheOldOne()
    {
        final Path copy = dir.resolveSibling(dir.getFileName() + "-killed");
        final long rewind;
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(8).build()))
        {
            writes(store, 10, 1);
            final SnapshotInfo a = store.snapshot();
            writes(store, 10, 2);
            final SnapshotInfo b = store.snapshot(); // timeline 0, sequence 20
            final RewindResult toA = store.rewind(a.generation());
            history.rewind(0, a.lastSequence(), toA.timeline());
            writes(store, 10, 3); // timeline 1, sequence 20 too
            final RewindResult toB = store.rewind(b.generation());
            assertEquals(b.lastSequence(), toB.safety().lastSequence(), "both ends at the same sequence");
            rewind = toB.snapshot().generation();
            writes(store, 5, 4); // on timeline 2, not synced
            StoreFiles.copyStore(dir, copy); // what a SIGKILL leaves: the writes in the page cache
        }
        try
        {
            // Damage inside the rewind's manifest, under a slot checksum that holds: a snapshot that does not validate.
            final byte[] bytes = Manifests.bytes(copy, rewind);
            bytes[30] ^= 0x04;
            Manifests.rewrite(copy, rewind, bytes);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        QuietEngineLog.silence(); // the fallback's warning
        try (MemoryStore store = MemoryStore.open(copy, small().retainedSnapshots(8).build()))
        {
            assertEquals(1, store.recoveryReport().skippedSnapshots().size(), store.recoveryReport().toString());
            assertEquals(1, store.lastSnapshot().timeline());
            assertHolds(store, history.onTimeline(1), 20, "the safety snapshot's timeline, nothing of timeline 2");
        }
        finally
        {
            QuietEngineLog.restore();
            StoreFiles.deleteTree(copy);
        }
    }

    private List<Integer> segmentFiles()
    {
        return StoreFiles.list(dir).stream().filter(StoreFiles::isStartedSegment)
            .map(p -> SegmentDescriptor.parseFileName(p.getFileName().toString())).sorted().collect(Collectors.toList());
    }

    @Test
    void aReadOnlyStoreCannotRewind()
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            writes(store, 5, 1);
            store.snapshot();
        }
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertThrows(ReadOnlyStoreException.class, () -> reader.rewind(1));
        }
    }

    @Test
    void theTimelineOfEachSnapshotIsListed()
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(10).build()))
        {
            writes(store, 10, 1);
            final long g = store.snapshot().generation();
            writes(store, 10, 2);
            final RewindResult r = store.rewind(g);
            history.rewind(0, r.snapshot().lastSequence(), r.timeline());
            writes(store, 10, 3);
            final long after = store.snapshot().generation();
            final List<SnapshotInfo> listed = store.snapshots();
            for (final SnapshotInfo s : listed)
            {
                final long expected = s.generation() == r.snapshot().generation() || s.generation() == after ? 1 : 0;
                assertEquals(expected, s.timeline(), s.toString());
            }
        }
    }

    @Test
    void theNewTimelinesFirstSegmentHasTheLengthARollWouldGiveIt() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().segmentSize(4 * StoreOptions.MIN_SEGMENT_SIZE).build()))
        {
            writes(store, 10, 1);
            final long g = store.snapshot().generation();
            writes(store, 10, 2);
            final RewindResult first = store.rewind(g);
            history.rewind(0, first.snapshot().lastSequence(), first.timeline());
            assertEquals(2 * StoreOptions.MIN_SEGMENT_SIZE, java.nio.file.Files.size(
                dir.resolve(SegmentDescriptor.fileName(2))), "twice the tail's, as a roll");
            final RewindResult second = store.rewind(first.safety().generation());
            history.rewind(0, first.safety().lastSequence(), second.timeline());
            assertEquals(4 * StoreOptions.MIN_SEGMENT_SIZE, java.nio.file.Files.size(
                dir.resolve(SegmentDescriptor.fileName(3))), "twice again, up to segmentSize");
            final RewindResult third = store.rewind(first.snapshot().generation());
            history.rewind(first.timeline(), first.snapshot().lastSequence(), third.timeline());
            assertEquals(4 * StoreOptions.MIN_SEGMENT_SIZE, java.nio.file.Files.size(
                dir.resolve(SegmentDescriptor.fileName(4))), "at most segmentSize");
            assertHolds(store, history, history.lastSequence(), "rewound three times");
        }
    }
}
