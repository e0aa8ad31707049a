package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.PinsDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A writer's commit plan: which pins the new manifest carries forward, and which manifest's file it may recycle:
 * only one that retention drops, never a pinned or a young one, only the oldest that the last manifest does not
 * pin (the file {@link ManifestStore#isAbandonedRecycle} looks for), and only with two valid newer manifests
 * left while it is overwritten.
 */
class RetainedSnapshotsTest
{
    private static final long NOW = 1_800_000_000_000L;
    private static final long OLD = NOW - 1_000_000;

    private static RetainedSnapshots onDisk(final int keepLast, final long age, final PinSet pins,
        final long... generations)
    {
        final SortedMap<Long, Long> m = new TreeMap<>();
        for (final long g : generations)
        {
            m.put(g, OLD);
        }
        return new RetainedSnapshots(new RetentionPolicy(keepLast, age), m, pins);
    }

    private static PinSet pinned(final long... generations)
    {
        final List<Pin> pins = new ArrayList<>();
        for (final long g : generations)
        {
            pins.add(new Pin(g, "p" + g, PinsDescriptor.NEVER));
        }
        return PinSet.of(pins);
    }

    private static RetainedSnapshots.Commit plan(final RetainedSnapshots r, final long generation, final PinEdit edit)
    {
        return r.plan(generation, NOW, r.carry(edit, generation, NOW), NOW);
    }

    @Test
    void theOldestManifestIsRecycledWhenTwoOthersStay()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.NONE, 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.NONE);
        assertEquals(1, c.recycle);
        assertEquals(List.of(1L), c.decision.dropped());
        final RetainedSnapshots after = r.committed(c, 4, NOW, true);
        assertEquals(List.of(4L, 3L, 2L), after.generations());
    }

    @Test
    void withTwoRetainedNothingIsRecycled()
    {
        final RetainedSnapshots.Commit c = plan(onDisk(2, 0, PinSet.NONE, 1, 2), 3, PinEdit.NONE);
        assertEquals(List.of(1L), c.decision.dropped());
        assertEquals(-1, c.recycle, "only one other would stay during the overwrite");
    }

    @Test
    void aPinnedOldestIsNeverRecycledTheNextOneIs()
    {
        final RetainedSnapshots r = onDisk(3, 0, pinned(1), 1, 2, 3, 4);
        final RetainedSnapshots.Commit c = plan(r, 5, PinEdit.NONE);
        assertEquals(List.of(2L), c.decision.dropped());
        assertEquals(2, c.recycle);
        assertEquals(pinned(1), c.pins, "carried forward");
        final RetainedSnapshots after = r.committed(c, 5, NOW, true);
        assertEquals(List.of(5L, 4L, 3L, 1L), after.generations());
        assertEquals(pinned(1), after.pins());
    }

    @Test
    void aSnapshotBeingPinnedIsNotRecycled()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.NONE, 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.pin(1, "keep", PinsDescriptor.NEVER));
        assertTrue(c.decision.keeps(1));
        assertTrue(c.decision.dropped().isEmpty());
        assertEquals(-1, c.recycle);
    }

    @Test
    void anUnpinCommitDeletesTheUnpinnedOneButRecyclesOnlyOneTheLastManifestDidNotPin()
    {
        final RetainedSnapshots r = onDisk(3, 0, pinned(1), 1, 2, 3, 4);
        final RetainedSnapshots.Commit c = plan(r, 5, PinEdit.unpin(1));
        assertEquals(List.of(1L, 2L), c.decision.dropped());
        assertEquals(2, c.recycle, "1 is pinned in the manifest on disk: a torn overwrite of it would read as damage");
        assertEquals(PinSet.NONE, c.pins);
    }

    @Test
    void aYoungOldestIsNotRecycled()
    {
        final SortedMap<Long, Long> m = new TreeMap<>(Map.of(1L, NOW - 10, 2L, OLD, 3L, OLD, 4L, OLD));
        final RetainedSnapshots r = new RetainedSnapshots(new RetentionPolicy(3, 100), m, PinSet.NONE);
        final RetainedSnapshots.Commit c = plan(r, 5, PinEdit.NONE);
        assertEquals(List.of(2L), c.decision.dropped(), "the clock went back: 1 is younger than 2");
        assertEquals(-1, c.recycle, "the oldest unpinned is kept: 2 is deleted, not recycled");
    }

    @Test
    void twoValidNewerManifestsMustStayDuringTheOverwrite()
    {
        final SortedMap<Long, Long> m = new TreeMap<>(Map.of(1L, OLD, 2L, RetentionPolicy.UNKNOWN_CREATED_AT,
            3L, OLD));
        final RetainedSnapshots r = new RetainedSnapshots(new RetentionPolicy(3, 0), m, PinSet.NONE);
        assertEquals(-1, plan(r, 4, PinEdit.NONE).recycle);
    }

    @Test
    void anExpiredPinIsDroppedButItsSnapshotIsDeletedNotRecycled()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.of(List.of(new Pin(1, "old", NOW))), 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.NONE);
        assertEquals(PinSet.NONE, c.pins, "an expired pin is not carried forward");
        assertEquals(List.of(1L), c.decision.dropped());
        assertEquals(-1, c.recycle, "the manifest on disk still names the pin");
    }

    @Test
    void pinsOfSnapshotsNoLongerOnDiskAreNotCarriedForward()
    {
        final RetainedSnapshots r = onDisk(3, 0, pinned(1, 7), 2, 3, 7);
        assertEquals(pinned(7), r.carry(PinEdit.NONE, 8, NOW));
    }

    @Test
    void aSnapshotCanPinItselfAsItIsCommitted()
    {
        final RetainedSnapshots r = onDisk(2, 0, PinSet.NONE, 1, 2);
        final PinSet pins = r.carry(PinEdit.pinCommitted("rewind safety", NOW + 5), 3, NOW);
        assertEquals("rewind safety", pins.get(3).label);
        assertEquals(NOW + 5, pins.get(3).expiresAtMillis);
    }

    @Test
    void oneMorePinThanAllowedIsRefusedBeforeAnythingIsPlanned()
    {
        final List<Pin> many = new ArrayList<>();
        for (long g = 0; g < PinsDescriptor.MAX_PINS; g++)
        {
            many.add(new Pin(g, "p", PinsDescriptor.NEVER));
        }
        final PinSet full = PinSet.of(many);
        assertThrows(IllegalStateException.class, () -> full.with(new Pin(PinsDescriptor.MAX_PINS, "one more",
            PinsDescriptor.NEVER)));
        assertEquals("again", full.with(new Pin(3, "again", PinsDescriptor.NEVER)).get(3).label, "replacing is fine");
    }

    /**
     * Random stores and edits: whenever a file is recycled, retention drops it, neither the new nor the last manifest
     * pins it, it is the oldest on disk that the last manifest does not pin, and two valid manifests newer than it
     * stay.
     */
    @Test
    void overRandomStoresOnlyTheOldestUnpinnedThatRetentionDropsIsRecycled()
    {
        final Random random = new Random(61);
        int recycled = 0;
        for (int round = 0; round < 3000; round++)
        {
            final SortedMap<Long, Long> m = new TreeMap<>();
            final List<Pin> pins = new ArrayList<>();
            long g = 0;
            final int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++)
            {
                g += 1 + random.nextInt(2);
                m.put(g, random.nextInt(10) == 0 ? RetentionPolicy.UNKNOWN_CREATED_AT : NOW - random.nextInt(100));
                if (random.nextInt(3) == 0)
                {
                    pins.add(new Pin(g, "p", random.nextInt(4) == 0 ? NOW : PinsDescriptor.NEVER));
                }
            }
            final RetainedSnapshots r = new RetainedSnapshots(new RetentionPolicy(2 + random.nextInt(3),
                random.nextBoolean() ? 0 : 1 + random.nextInt(100)), m, PinSet.of(pins));
            final long target = m.firstKey() + random.nextInt((int)(g - m.firstKey() + 1));
            final PinEdit edit = random.nextBoolean() ? PinEdit.NONE : random.nextBoolean() ?
                PinEdit.unpin(target) : PinEdit.pin(target, "new", PinsDescriptor.NEVER);
            final RetainedSnapshots.Commit c = plan(r, g + 1, edit);
            final String context = "round " + round + ": " + r + ", recycle " + c.recycle + ", " + c.decision;
            if (c.recycle < 0)
            {
                continue;
            }
            recycled++;
            assertTrue(c.decision.dropped().contains(c.recycle), context);
            assertFalse(c.pins.contains(c.recycle), context);
            assertFalse(r.pins().contains(c.recycle), context);
            for (final long older : m.headMap(c.recycle).keySet())
            {
                assertTrue(r.pins().contains(older), "an older one is unpinned; " + context);
            }
            final long validNewer = m.tailMap(c.recycle + 1).values().stream()
                .filter(t -> t != RetentionPolicy.UNKNOWN_CREATED_AT).count();
            assertTrue(validNewer >= 2, context);
        }
        assertTrue(recycled > 300, "few rounds recycled: " + recycled);
    }
}
