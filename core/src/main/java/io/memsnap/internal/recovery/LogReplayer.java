package io.memsnap.internal.recovery;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.Checkpoint;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Replays, on top of an index checkpoint, the records after it that checksum and carry the next sequence number,
 * following the chain of segments (into the next segment only when it starts at the next sequence number on the
 * same timeline: after a rewind the same numbers exist on two timelines), and says where and why it stopped.
 * Changes the index (in memory: its new pages are resident until a checkpoint) and nothing on disk.
 *
 * <p>Not thread safe: runs once, in an open.
 */
final class LogReplayer
{
    private LogReplayer()
    {
    }

    /**
     * @param segments    the segments by id (entries may be null).
     * @param maxSequence the last sequence to replay (a read-only open stops at its snapshot's), or
     *                    {@link Long#MAX_VALUE} for all that validates.
     * @param ends        the write end of each segment by id, filled in for the segments the replay leaves.
     * @param usage       the live bytes of each segment at the checkpoint, brought up to date record by record; or
     *                    null when not counted.
     */
    static Replay replay(final HashIndex index, final SegmentLog log, final Segment[] segments,
        final Checkpoint checkpoint, final long seed, final long maxSequence, final int[] ends,
        final SegmentUsage usage)
    {
        final RecordScanner scanner = new RecordScanner();
        final Counts counts = new Counts(checkpoint.entryCount, checkpoint.stateCount);
        Segment current = segments[checkpoint.replaySegment];
        int offset = checkpoint.replayOffset;
        long expected = checkpoint.lastSequence + 1;
        long replayed = 0;
        while (true)
        {
            if (expected > maxSequence)
            {
                return new Replay(current, offset, expected, replayed, counts, Replay.Stop.LIMIT, null, -1, -1);
            }
            final int status = scanner.scan(current, offset, expected);
            if (status == RecordScanner.VALID)
            {
                if (!RecordDescriptor.isPadType(scanner.type()))
                {
                    apply(counts, index, log, seed, current, offset, scanner.type(), scanner.alignedLength(),
                        usage);
                    expected++;
                    replayed++;
                }
                offset += scanner.alignedLength();
                continue;
            }
            final int nextId = current.id() + 1;
            final Segment next = nextId < segments.length ? segments[nextId] : null;
            if (next != null && next.firstSequence() == expected && next.timeline() == current.timeline())
            {
                ends[current.id()] = offset;
                current = next;
                offset = SegmentDescriptor.HEADER_LENGTH;
                continue;
            }
            if (status == RecordScanner.TORN)
            {
                return new Replay(current, offset, expected, replayed, counts, Replay.Stop.TORN, scanner.problem(),
                    scanner.expectedCrc(), scanner.actualCrc());
            }
            return new Replay(current, offset, expected, replayed, counts, Replay.Stop.CLEAN_END,
                "the log ends there", -1, -1);
        }
    }

    /** Entry and state counts as the replay changes them. */
    static final class Counts
    {
        long entries;
        long states;

        Counts(final long entries, final long states)
        {
            this.entries = entries;
            this.states = states;
        }
    }

    /** Applies one replayed record to the index and the accounting, as the write path did when it was written. */
    private static void apply(final Counts counts, final HashIndex index, final SegmentLog log, final long seed,
        final Segment segment, final int offset, final byte type, final int alignedLength, final SegmentUsage usage)
    {
        final long address = IndexPageDescriptor.address(segment.id(), offset);
        final MemoryRegion b = segment.buffer();
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        final String id = Utf8.decode(b, RecordDescriptor.idOffset(offset, nnz), idLength);
        final boolean isState = RecordDescriptor.isStateType(type);
        final long namespace = isState ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
        final long hash = KeyHash.hash(seed, namespace, id);
        final int bucket = index.prepare(hash, id, namespace, log);
        final int change;
        final long replaced;
        if (RecordDescriptor.isDeleteType(type))
        {
            replaced = index.remove(bucket, hash, id, namespace, log);
            change = replaced != 0 ? -1 : 0;
        }
        else
        {
            replaced = index.put(bucket, hash, id, namespace, log, address);
            change = replaced == 0 ? 1 : 0;
        }
        if (usage != null)
        {
            if (replaced != 0)
            {
                usage.released(replaced, log.alignedLengthAt(replaced));
            }
            if (RecordDescriptor.isDeleteType(type))
            {
                usage.tombstone(address, alignedLength);
            }
            else
            {
                usage.added(address, alignedLength);
            }
        }
        if (isState)
        {
            counts.states += change;
        }
        else
        {
            counts.entries += change;
        }
    }
}
