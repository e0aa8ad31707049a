package io.memsnap.internal.segment;

import io.memsnap.internal.format.SegmentDescriptor;

import java.util.HashMap;
import java.util.Map;

/**
 * The timelines one timeline's log runs through: itself, its parent up to the sequence it branched at, that one's
 * parent up to where it branched, and so on to the first timeline (see {@link SegmentDescriptor}). Learnt from
 * segment headers, each of which names its timeline's parent and branch sequence. Thread safe: immutable.
 *
 * <p>Where no header names the parent of a timeline on the chain (every segment of it deleted), the chain is
 * {@linkplain #complete() incomplete}: it ends at that timeline, {@link #brokenAt()}.
 */
public final class TimelineChain
{
    /** The timelines on the chain, each with the last sequence of its own records the chain takes. */
    private final long newest;
    private final Map<Long, Long> bounds;
    private final long brokenAt;

    private TimelineChain(final long newest, final Map<Long, Long> bounds, final long brokenAt)
    {
        this.newest = newest;
        this.bounds = bounds;
        this.brokenAt = brokenAt;
    }

    /** Timelines' parents and branch sequences, as segment headers name them. Not thread safe. */
    public static final class Lineage
    {
        private final Map<Long, long[]> parents = new HashMap<>();

        /** What one segment header names. */
        public Lineage add(final long timeline, final long parent, final long branchSequence)
        {
            if (timeline != SegmentDescriptor.FIRST_TIMELINE)
            {
                parents.putIfAbsent(timeline, new long[] {parent, branchSequence});
            }
            return this;
        }

        public Lineage add(final Segment segment)
        {
            return add(segment.timeline(), segment.parentTimeline(), segment.branchSequence());
        }

        /** @return the chain of {@code newest}. */
        public TimelineChain chainOf(final long newest)
        {
            final Map<Long, Long> bounds = new HashMap<>();
            long timeline = newest;
            long bound = Long.MAX_VALUE;
            while (true)
            {
                bounds.put(timeline, bound);
                if (timeline == SegmentDescriptor.FIRST_TIMELINE)
                {
                    return new TimelineChain(newest, bounds, -1);
                }
                final long[] parent = parents.get(timeline);
                if (parent == null || parent[0] >= timeline || parent[0] < 0)
                {
                    // Unknown, or not older than its child (damage): the chain ends here.
                    return new TimelineChain(newest, bounds, timeline);
                }
                timeline = parent[0];
                bound = Math.min(bound, parent[1]);
            }
        }
    }

    /** @return the timeline whose chain this is. */
    public long newest()
    {
        return newest;
    }

    /** @return whether {@code timeline} is on the chain. */
    public boolean contains(final long timeline)
    {
        return bounds.containsKey(timeline);
    }

    /**
     * @return the last sequence of {@code timeline}'s records on the chain ({@link Long#MAX_VALUE} for the newest):
     * a record after it belongs to a timeline a later one branched away from.
     */
    public long bound(final long timeline)
    {
        final Long bound = bounds.get(timeline);
        return bound == null ? -1 : bound;
    }

    /** @return whether the chain reaches the first timeline. */
    public boolean complete()
    {
        return brokenAt < 0;
    }

    /** @return the timeline whose parent no header names, where an incomplete chain ends; -1 if complete. */
    public long brokenAt()
    {
        return brokenAt;
    }
}
