package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.SegmentDescriptor;

/**
 * A timeline of a store: the first one, or one that a rewind started from an older snapshot (its state, then the
 * writes made after the rewind). Snapshots and segments name the timeline they belong to (see
 * {@link io.memsnap.internal.format.TimelineDescriptor} and {@link SegmentDescriptor}). Thread safe: immutable.
 */
public final class Timeline
{
    /** The timeline of a store never rewound: no parent, starts at the store's creation. */
    public static final Timeline FIRST = new Timeline(SegmentDescriptor.FIRST_TIMELINE,
        SegmentDescriptor.FIRST_TIMELINE, -1, 0);

    public final long id;
    /** The timeline of the snapshot it started from (0 for the first timeline). */
    public final long parent;
    /** The generation of the snapshot it started from, or -1 for the first timeline. */
    public final long branchedFrom;
    /** That snapshot's last sequence: the timeline's own records start at the next one (0 for the first). */
    public final long branchSequence;

    public Timeline(final long id, final long parent, final long branchedFrom, final long branchSequence)
    {
        this.id = id;
        this.parent = parent;
        this.branchedFrom = branchedFrom;
        this.branchSequence = branchSequence;
    }

    public boolean isFirst()
    {
        return id == SegmentDescriptor.FIRST_TIMELINE;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Timeline))
        {
            return false;
        }
        final Timeline t = (Timeline)o;
        return id == t.id && parent == t.parent && branchedFrom == t.branchedFrom && branchSequence == t.branchSequence;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(id) * 31 + Long.hashCode(branchedFrom);
    }

    @Override
    public String toString()
    {
        return isFirst() ? "Timeline{0}" : "Timeline{" + id + ", parent " + parent + ", from generation " +
            branchedFrom + " at sequence " + branchSequence + '}';
    }
}
