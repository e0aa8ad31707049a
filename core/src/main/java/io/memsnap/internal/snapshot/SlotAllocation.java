package io.memsnap.internal.snapshot;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The writer's view of the slots of {@code manifests.mss}: the generation each holds, and the slot the next commit
 * writes. The rule it keeps: the slot a commit names as the next one holds no snapshot that retention keeps once that
 * commit is committed, so no commit writes over a snapshot the last committed manifest keeps (see
 * {@link io.memsnap.internal.format.ManifestSlotsDescriptor}).
 *
 * <p>Not thread safe: {@link ManifestStore} guards it.
 */
final class SlotAllocation
{
    /** A slot that holds no snapshot. */
    private static final long FREE = -1;
    /** A slot that does not validate: an older snapshot's, damaged; written over only once no other slot is free. */
    private static final long UNREADABLE = Long.MAX_VALUE;

    private long[] generations;
    private int next;

    /**
     * @param slots the slots as read.
     * @param next  the slot the next commit writes, or {@link NextSlotExtension#NONE} for the first free one.
     */
    SlotAllocation(final List<ManifestSlots.Slot> slots, final int next)
    {
        generations = new long[slots.size()];
        for (final ManifestSlots.Slot slot : slots)
        {
            generations[slot.index] = slot.state == ManifestSlots.Slot.State.VALID ? slot.generation :
                slot.state == ManifestSlots.Slot.State.FREE ? FREE : UNREADABLE;
        }
        this.next = next != NextSlotExtension.NONE ? next : after(-1, Set.of());
    }

    /** @return the slot the next commit writes. */
    int next()
    {
        return next;
    }

    /**
     * @return the slot the commit after one into {@code target} writes: one that holds no snapshot of {@code kept}
     * (the oldest such, a free one first, one that does not validate last), else the one past the end.
     */
    int after(final int target, final Set<Long> kept)
    {
        int best = -1;
        for (int i = 0; i < generations.length; i++)
        {
            final long g = generations[i];
            if (i != target && (g == FREE || !kept.contains(g)) && (best < 0 || g < generations[best]))
            {
                best = i;
            }
        }
        return best >= 0 ? best : Math.max(generations.length, target + 1);
    }

    /** A commit of {@code generation} into {@code slot} is durable, naming {@code after} as the next slot. */
    void committed(final int slot, final long generation, final int after)
    {
        if (slot >= generations.length)
        {
            final int grown = generations.length;
            generations = Arrays.copyOf(generations, slot + 1);
            Arrays.fill(generations, grown, generations.length, FREE);
        }
        generations[slot] = generation;
        next = after;
    }

    /** The next commit writes {@code slot} again (a file commit took the generation instead). */
    void keep(final int after)
    {
        next = after;
    }

    /** @return the slot holding {@code generation}, or -1. */
    int slotOf(final long generation)
    {
        for (int i = 0; i < generations.length; i++)
        {
            if (generations[i] == generation)
            {
                return i;
            }
        }
        return -1;
    }

    /** @return the generation slot {@code index} held, now free (-1 if it held none or is past the end). */
    long free(final int index)
    {
        if (index >= generations.length)
        {
            return FREE;
        }
        final long held = generations[index];
        generations[index] = FREE;
        return held;
    }
}
