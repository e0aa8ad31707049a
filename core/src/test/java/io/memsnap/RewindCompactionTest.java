package io.memsnap;

import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Rewinds and compaction on real files: a retained snapshot of the old timeline never keeps the new timeline's
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

    private TreeSet<Integer> segmentIds()
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> SegmentDescriptor.parseFileName(p.getFileName().toString())).filter(id -> id > 0)
                .collect(Collectors.toCollection(TreeSet::new));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
