package io.memsnap;

import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Rewinds and compaction on real files: compaction after a rewind copies the target's records out of the old
 * timeline's segments, with the target's content exact and the accounting equal to a recount, across reopens; the
 * old timeline's segment files stay exactly as long as a retained snapshot of that timeline (or a read-only reader of
 * one) needs them, and are deleted after; a retained snapshot of the old timeline never keeps the new timeline's
 * segments from being deleted (its recovery would not replay them).
 */
class RewindCompactionTest
{
    @TempDir
    Path dir;

    private final StoreHistory history = new StoreHistory();

    private static StoreOptions.Builder options()
    {
        return RewindTest.small();
    }

    /** Version {@code version} of entry {@code n}, through the oracle. */
    private void put(final MemoryStore store, final long n, final long version)
    {
        history.put(store, id(n), vector(n, version), importance(n, version), storedAt(n, version),
            metadata(n, version));
    }

    /** Version {@code version} of entries {@code from} to {@code to} (excluded). */
    private void putAll(final MemoryStore store, final long from, final long to, final long version)
    {
        for (long n = from; n < to; n++)
        {
            put(store, n, version);
        }
    }

    private void assertHolds(final MemoryStore store, final StoreHistory h, final long sequence, final String what)
    {
        final StoreHistory.Verification v = h.verify(store, sequence, what);
        assertEquals(0, v.readErrors, what + ": " + v.errorSamples);
    }

    private void assertSnapshotHolds(final SnapshotInfo snapshot, final StoreHistory h)
    {
        try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
            .generation(snapshot.generation()).build()))
        {
            assertHolds(old, h, snapshot.lastSequence(), "snapshot " + snapshot.generation() + " read-only");
        }
    }

    @Test
    void compactionAfterARewindKeepsExactlyTheTargetAndCountsItsLiveBytes()
    {
        final SnapshotInfo target;
        final RewindResult result;
        final int firstNewSegment;
        try (MemoryStore store = MemoryStore.open(dir, options().build()))
        {
            putAll(store, 0, 400, 1);
            putAll(store, 0, 300, 2); // the first segments hold mostly dead records for the target
            for (long n = 0; n < 100; n += 10)
            {
                history.delete(store, id(n));
            }
            history.putState(store, "plan", new byte[] {1, 2, 3});
            target = store.snapshot();
            store.checkpoint();
            putAll(store, 0, 450, 3); // the present holds nothing of the target's records
            store.snapshot();
            putAll(store, 0, 50, 4);
            store.sync();

            result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            firstNewSegment = segmentIds().last();
            assertHolds(store, history, target.lastSequence(), "rewound");
            CompactionTest.assertAccountingMatchesRecount(store);

            putAll(store, 300, 350, 5);
            final CompactionResult compacted = history.compact(store);
            assertTrue(compacted.segmentsCompacted() > 0 && compacted.recordsCopied() > 0, compacted.toString());
            assertHolds(store, history, history.lastSequence(), "compacted after the rewind");
            CompactionTest.assertAccountingMatchesRecount(store);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
            for (int i = 0; i < 4; i++) // the target and the rewind's snapshot retire
            {
                store.snapshot();
            }
            assertTrue(segmentIds().first() > 1, "the compacted segments of the old timeline were deleted: " +
                segmentIds());
            assertHolds(store, history, history.lastSequence(), "their files deleted");
            putAll(store, 350, 360, 6);
            store.sync();
        }
        assertTrue(firstNewSegment > 4, "the old timeline had rolled: " + firstNewSegment);
        try (MemoryStore store = MemoryStore.open(dir, options().build()))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
            CompactionTest.assertAccountingMatchesRecount(store);
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
            assertEquals(result.timeline(), store.lastSnapshot().timeline());
        }
        assertSnapshotHolds(result.safety(), history.onTimeline(0)); // pinned: its files stayed
    }

    @Test
    void theOldTimelinesSegmentsAreDeletedOnceRetentionDropsItsSnapshotsNotBefore() throws IOException
    {
        final StoreOptions fourKept = options().retainedSnapshots(4).build();
        try (MemoryStore store = MemoryStore.open(dir, fourKept))
        {
            putAll(store, 0, 300, 1);
            final SnapshotInfo target = store.snapshot();
            putAll(store, 0, 400, 2);
            final SnapshotInfo left = store.snapshot(); // after the target, on the timeline left behind
            putAll(store, 0, 200, 3);
            final RewindResult result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            final StoreHistory old = history.onTimeline(0);
            final TreeSet<Integer> oldTimeline = segmentIds();
            oldTimeline.remove(oldTimeline.last()); // the new timeline's first segment
            final List<Integer> leftNeeds = needs(left.generation(), oldTimeline);
            assertFalse(leftNeeds.isEmpty());

            putAll(store, 0, 300, 4); // the new timeline needs none of the old timeline's records
            store.checkpoint();
            try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                .generation(left.generation()).build()))
            {
                assertTrue(store.unpin(result.safety().generation()));
                int snapshots = 0;
                while (oldTimelineRetained(store))
                {
                    for (final SnapshotInfo s : store.snapshots())
                    {
                        if (s.timeline() == 0)
                        {
                            assertSnapshotHolds(s, old); // its files are all there
                        }
                    }
                    store.snapshot();
                    assertTrue(++snapshots < 10, store.snapshots().toString());
                }
                for (int i = 0; i < 4; i++) // the rewind's snapshot, whose table names the target's records, retires
                {
                    store.snapshot();
                }
                assertHolds(reader, old, left.lastSequence(), "the reader of snapshot " + left.generation());
                final TreeSet<Integer> kept = new TreeSet<>(segmentIds());
                kept.retainAll(oldTimeline);
                assertEquals(new TreeSet<>(leftNeeds), kept, "the reader pins what it mapped, nothing else stays");
            }
            store.snapshot(); // retries the deletion of the files the reader pinned
            final TreeSet<Integer> remaining = new TreeSet<>(segmentIds());
            remaining.retainAll(oldTimeline);
            assertEquals(new TreeSet<>(), remaining, "every segment of the old timeline deleted");
            assertHolds(store, history, history.lastSequence(), "the new timeline");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, fourKept))
        {
            assertHolds(store, history, history.lastSequence(), "reopened");
        }
    }

    @Test
    void aRetainedSnapshotOfTheOldTimelineDoesNotKeepTheNewTimelinesSegments()
    {
        try (MemoryStore store = MemoryStore.open(dir, options().build()))
        {
            putAll(store, 0, 200, 1);
            final SnapshotInfo target = store.snapshot();
            putAll(store, 0, 200, 2);
            // No checkpoint yet: the safety snapshot replays the old timeline from its first segment.
            final RewindResult result = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), result.timeline());
            final int firstNewSegment = segmentIds().last();
            for (int round = 3; round < 13; round++)
            {
                putAll(store, 0, 200, round);
            }
            store.snapshot();
            // The new timeline's first segments hold only overwritten records: nothing to copy, files to delete.
            final CompactionResult compacted = history.compact(store);
            assertTrue(compacted.bytesAwaitingDeletion() > 0, compacted.toString());
            for (int i = 0; i < 3; i++) // every snapshot before the compaction's checkpoint retires
            {
                store.snapshot();
            }
            assertTrue(store.snapshots().stream().anyMatch(s -> s.generation() == result.safety().generation()),
                "the safety snapshot is pinned");
            final TreeSet<Integer> present = new TreeSet<>(segmentIds().tailSet(firstNewSegment));
            assertTrue(present.size() < present.last() - firstNewSegment + 1,
                "compacted segments of the new timeline deleted, the old timeline's snapshot retained: " + present);
            assertHolds(store, history, history.lastSequence(), "compacted");
            CompactionTest.assertAccountingMatchesRecount(store);
            store.sync();
            assertSnapshotHolds(result.safety(), history.onTimeline(0));
        }
    }

    /** @return whether a snapshot of the first timeline is retained. */
    private static boolean oldTimelineRetained(final MemoryStore store)
    {
        return store.snapshots().stream().anyMatch(s -> s.timeline() == 0);
    }

    /** @return the segments of {@code among} that a read-only open of {@code generation} maps. */
    private List<Integer> needs(final long generation, final TreeSet<Integer> among) throws IOException
    {
        final ManifestStore manifests = new ManifestStore(StoreFileSystem.real(), dir);
        final Manifest m = manifests.read(generation);
        return among.stream().filter(id -> LiveBytesExtension.needs(m,
            LiveBytesExtension.read(m, manifests.path(generation)), id)).collect(Collectors.toList());
    }

    private TreeSet<Integer> segmentIds()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(StoreFiles::isStartedSegment)
                .map(p -> SegmentDescriptor.parseFileName(p.getFileName().toString()))
                .collect(Collectors.toCollection(TreeSet::new));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
