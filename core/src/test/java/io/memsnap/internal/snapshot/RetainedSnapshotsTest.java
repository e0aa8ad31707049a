package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.PinsDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A writer's commit plan: which pins the new manifest carries forward, and what retention drops once it is
 * committed (never a pinned or a young one).
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
    void theOldestIsDroppedOnceTheNewOneIsCommitted()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.NONE, 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.NONE);
        assertEquals(List.of(1L), c.decision.dropped());
        assertEquals(List.of(4L, 3L, 2L, 1L), r.committed(c, 4, NOW).generations(), "deleted after, not by, the commit");
        assertEquals(List.of(4L, 3L, 2L), r.committed(c, 4, NOW).deleted(1).generations());
    }

    @Test
    void aPinnedOldestIsKeptTheNextOneIsDropped()
    {
        final RetainedSnapshots r = onDisk(3, 0, pinned(1), 1, 2, 3, 4);
        final RetainedSnapshots.Commit c = plan(r, 5, PinEdit.NONE);
        assertEquals(List.of(2L), c.decision.dropped());
        assertEquals(pinned(1), c.pins, "carried forward");
        final RetainedSnapshots after = r.committed(c, 5, NOW).deleted(2);
        assertEquals(List.of(5L, 4L, 3L, 1L), after.generations());
        assertEquals(pinned(1), after.pins());
    }

    @Test
    void aSnapshotBeingPinnedIsKept()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.NONE, 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.pin(1, "keep", PinsDescriptor.NEVER));
        assertTrue(c.decision.keeps(1));
        assertTrue(c.decision.dropped().isEmpty());
    }

    @Test
    void anUnpinCommitDropsTheUnpinnedOne()
    {
        final RetainedSnapshots r = onDisk(3, 0, pinned(1), 1, 2, 3, 4);
        final RetainedSnapshots.Commit c = plan(r, 5, PinEdit.unpin(1));
        assertEquals(List.of(1L, 2L), c.decision.dropped());
        assertEquals(PinSet.NONE, c.pins);
    }

    @Test
    void aYoungOldestIsKept()
    {
        final SortedMap<Long, Long> m = new TreeMap<>(Map.of(1L, NOW - 10, 2L, OLD, 3L, OLD, 4L, OLD));
        final RetainedSnapshots r = new RetainedSnapshots(new RetentionPolicy(3, 100), m, PinSet.NONE);
        assertEquals(List.of(2L), plan(r, 5, PinEdit.NONE).decision.dropped(), "the clock went back: 1 is younger");
    }

    @Test
    void anExpiredPinIsNotCarriedForward()
    {
        final RetainedSnapshots r = onDisk(3, 0, PinSet.of(List.of(new Pin(1, "old", NOW))), 1, 2, 3);
        final RetainedSnapshots.Commit c = plan(r, 4, PinEdit.NONE);
        assertEquals(PinSet.NONE, c.pins, "an expired pin is not carried forward");
        assertEquals(List.of(1L), c.decision.dropped());
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
}
