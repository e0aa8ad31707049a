package io.memsnap.internal.lifecycle;

import io.memsnap.StoreOptions;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentUsage;

import java.util.ArrayList;
import java.util.List;

/**
 * Which segments compaction copies, and when writers wait for it.
 *
 * <p>What it copies ({@link #choose}), greedily: the sealed segments whose records still to keep (live records, and
 * delete records that must outlive an older file) take the smallest fraction of the file, each below
 * {@link StoreOptions#compactionLiveFraction()}. In the background, only while the dead bytes compaction could free
 * exceed {@link StoreOptions#compactionDeadFraction()} of the bytes of the segments that still hold something to
 * keep (and the tail), and only as many as bring them below it: small passes, each followed by a checkpoint, so
 * that few compacted segments wait at a time for the snapshots that free them. On demand, every such segment.
 *
 * <p>When writers wait ({@link #pressure}), the space bound. The waste is the dead bytes of the sealed segments that
 * still hold something to keep, plus every byte of the segment files compaction emptied that are still on disk (a
 * retained snapshot or the durable index checkpoint needs them, or a reader may); the segment bytes are every
 * segment file's, the tail counted at its full length and the emptied files included. Writers wait while the waste
 * exceeds {@link #stallFraction()} of the segment bytes and a pass can lower it: it has a segment to copy, or the
 * pass running has emptied segments (it ends only once an index checkpoint begun after its last copy is durable,
 * see {@link CompactionScheduler}). The decisions are taken at each roll of the tail, at the start of each pass and
 * after each segment a pass empties; at none of them do writers go on while the segment files take more than
 * {@code 1 / (1 - stallFraction)} times the bytes to keep (the tail at its full length) and a pass can still help.
 * Compaction alone cannot lower the waste: a copied segment stays on disk until it is deleted, by the first snapshot
 * commit after which no retained snapshot needs it, once no reader can still use it ({@link SegmentReclaimer}).
 * Those commits and readers are what writers cannot wait for (a writer may be the thread that takes the
 * snapshots): the segments only they hold can take the files past the bound between decisions.
 *
 * <p>Thread safe: immutable. {@link #choose} and {@link #pressure} run under the store's write lock (they read the
 * accounting).
 */
final class CompactionPolicy
{
    private final double deadFraction;
    private final double liveFraction;

    CompactionPolicy(final double deadFraction, final double liveFraction)
    {
        this.deadFraction = deadFraction;
        this.liveFraction = liveFraction;
    }

    static CompactionPolicy of(final StoreOptions options)
    {
        return new CompactionPolicy(options.compactionDeadFraction(), options.compactionLiveFraction());
    }

    /**
     * @param segments     the log's table.
     * @param tail         the tail segment's id (never compacted).
     * @param lowestFileId the lowest id of a segment file on disk: delete records above it must be copied.
     * @param onDemand     whether every segment below the live fraction is wanted, whatever the dead bytes.
     * @return the ids to compact, the emptiest first.
     */
    int[] choose(final Segment[] segments, final int tail, final SegmentUsage usage, final int lowestFileId,
        final boolean onDemand)
    {
        long total = 0;
        long reclaimable = 0;
        final List<long[]> candidates = new ArrayList<>();
        for (final Segment s : segments)
        {
            if (s == null)
            {
                continue;
            }
            final int id = s.id();
            final long live = usage.live(id);
            final int tombstones = usage.tombstones(id);
            if (id < tail && live == 0 && tombstones == 0)
            {
                continue; // nothing left to copy: reclamation deletes it once nothing needs it
            }
            total += s.length();
            if (id >= tail)
            {
                continue;
            }
            final long keep = live + (id > lowestFileId ? Math.max(0, tombstones) : 0);
            reclaimable += s.length() - keep;
            if (keep < liveFraction * s.length())
            {
                candidates.add(new long[] {keep * (1L << 20) / s.length(), id, s.length() - keep});
            }
        }
        if (!onDemand && reclaimable <= deadFraction * total)
        {
            return new int[0];
        }
        candidates.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        final List<Integer> chosen = new ArrayList<>();
        for (final long[] c : candidates)
        {
            if (!onDemand && reclaimable <= deadFraction * total)
            {
                break;
            }
            chosen.add((int)c[1]);
            reclaimable -= c[2];
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@link #pressure}: no pass is due. */
    static final int NONE = 0;
    /** {@link #pressure}: a background pass would compact something. */
    static final int DUE = 1;
    /** {@link #pressure}: so far behind that writers wait for compaction. */
    static final int BEHIND = 2;

    /**
     * @param retiredBytes the bytes of the segment files taken out of the table and not deleted yet
     *                     ({@link SegmentReclaimer#retiredBytes()}).
     * @param emptying     whether the pass running has emptied segments and ends only once a checkpoint lets them go.
     * @return {@link #BEHIND} when writers should wait for compaction: the waste (the dead bytes compaction could
     * free, and the segment files it emptied still on disk) exceeds {@link #stallFraction()} of every segment file's
     * bytes, and a pass can help: it has a segment to copy, or {@code emptying}; else {@link #DUE} when a background
     * pass would compact something ({@link #choose} not on demand); else {@link #NONE}.
     */
    int pressure(final Segment[] segments, final int tail, final SegmentUsage usage, final int lowestFileId,
        final long retiredBytes, final boolean emptying)
    {
        // What choose(...) would decide, with the trigger and with the stall fraction, in one pass that allocates
        // nothing: it runs on the writer's roll, under the write lock.
        long total = retiredBytes;
        long waste = retiredBytes;
        long reclaimable = 0;
        boolean candidate = false;
        for (final Segment s : segments)
        {
            if (s == null)
            {
                continue;
            }
            final int id = s.id();
            total += s.length();
            if (id >= tail)
            {
                continue;
            }
            final long live = usage.live(id);
            final int tombstones = usage.tombstones(id);
            final long keep = live + (id > lowestFileId ? Math.max(0, tombstones) : 0);
            waste += s.length() - keep;
            reclaimable += s.length() - keep;
            candidate |= (live != 0 || tombstones != 0) && keep < liveFraction * s.length();
        }
        if ((candidate || emptying) && waste > stallFraction() * total)
        {
            return BEHIND;
        }
        return candidate && reclaimable > deadFraction * total ? DUE : NONE;
    }

    /** @return the share of waste at which writers wait for compaction: 1.5 times the trigger, at most 0.9. */
    double stallFraction()
    {
        return Math.min(0.9, deadFraction * 1.5);
    }
}
