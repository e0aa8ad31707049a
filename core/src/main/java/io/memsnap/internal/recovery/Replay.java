package io.memsnap.internal.recovery;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.segment.Segment;

/** Where a replay stopped, and why. Immutable. */
final class Replay
{
    /** Why the replay stopped. */
    enum Stop
    {
        /** Nothing was written at the stop: zeros, and no next segment carries on. */
        CLEAN_END,
        /** Something that is not a valid record with the next sequence number lies at the stop. */
        TORN,
        /** The replay reached the sequence it was asked to stop at. */
        LIMIT
    }

    final Segment segment;
    final int offset;
    /** The sequence number of the next record: one more than the last one replayed. */
    final long nextSequence;
    final long replayed;
    final long entryCount;
    final long stateCount;
    final Stop stop;
    final String problem;
    final long expectedCrc;
    final long actualCrc;

    Replay(final Segment segment, final int offset, final long nextSequence, final long replayed,
        final LogReplayer.Counts counts, final Stop stop, final String problem, final long expectedCrc,
        final long actualCrc)
    {
        this.segment = segment;
        this.offset = offset;
        this.nextSequence = nextSequence;
        this.replayed = replayed;
        this.entryCount = counts.entries;
        this.stateCount = counts.states;
        this.stop = stop;
        this.problem = problem;
        this.expectedCrc = expectedCrc;
        this.actualCrc = actualCrc;
    }

    long lastSequence()
    {
        return nextSequence - 1;
    }

    long stopAddress()
    {
        return IndexPageDescriptor.address(segment.id(), offset);
    }

    /** @return where and why it stopped, for messages and the recovery report. */
    String where()
    {
        return segment.path() + " at offset " + offset + " (sequence " + nextSequence + "): " + problem;
    }
}
