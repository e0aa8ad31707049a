package io.memsnap.internal.salvage;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.TimelineChain;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.LiveBytesExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Reads the whole log of a damaged store: every segment file of the newest timeline's chain, mapped read-only, walked
 * record by record ({@link RecordWalker}); the newest valid record of each key goes to {@link LatestRecords}, the
 * damage and the sequence numbers to {@link LossLedger}.
 *
 * <p><b>Timelines.</b> After a rewind the same sequence numbers exist on two timelines. The newest timeline (the
 * highest a segment header names) holds its own records and, up to where it branched, its parent's, and so on
 * ({@link TimelineChain}, from the headers): the segments of other timelines are not read, and the records of a
 * parent after the branch are discarded (left behind by the rewind). A segment whose header does not validate names
 * no timeline and is read; where no header names the parent of a timeline on the chain, the segments of every older
 * timeline are read, as if there were no timelines.
 *
 * <p><b>Records an earlier recovery discarded.</b> When an open finds a torn record in the tail, it cuts the log
 * there and goes on writing in a new segment from the torn record's sequence number: the old segment keeps the torn
 * record and whatever followed it, with sequence numbers now reused. A segment whose header (or first valid record)
 * starts at sequence {@code F} therefore supersedes every record of an earlier segment numbered {@code F} or above,
 * and such records are discarded, as is damage that lies wholly after such a cut. Within the log, a valid record
 * whose sequence number is not above the last one kept is out of order (bytes left from before a cut) and is
 * discarded too. What is left keeps strictly increasing sequence numbers.
 *
 * <p>Not thread safe: one instance per salvage. {@link #close()} unmaps the segments.
 */
final class LogScan implements RecordWalker.Visitor, AutoCloseable
{
    private final List<Segment> segments = new ArrayList<>();
    private final LatestRecords latest = new LatestRecords(segments);
    private final LossLedger ledger = new LossLedger();
    private final RecordWalker walker = new RecordWalker();
    private final List<String> notes = new ArrayList<>();

    private long recordsRead;
    private long discarded;
    private int maxIndex = -1;
    private long longestRecord;

    /** The segment being walked: its ordinal, and the first sequence number a later segment starts at. */
    private int ordinal;
    private long floor;
    private String floorSegment;
    /** The last sequence of the segment's timeline that the newest timeline holds. */
    private long bound;
    private long leftBehind;
    private final List<Long> bounds = new ArrayList<>();
    /** Ids of the segments of timelines off the newest one's chain: present, not read. */
    private final Set<Integer> offChain = new HashSet<>();

    LogScan()
    {
    }

    /** Maps and walks every segment of {@code source}, in id order. */
    void run(final SalvageSource source) throws IOException
    {
        final List<SalvageSource.SegmentFile> files = new ArrayList<>();
        final TimelineChain chain = chain(source.segments);
        for (final SalvageSource.SegmentFile f : source.segments)
        {
            if (f.scannable() && f.header.valid && !onChain(chain, f.header.timeline))
            {
                offChain.add(f.id);
            }
            else if (f.scannable())
            {
                segments.add(f.map());
                files.add(f);
                bounds.add(f.header.valid && chain.contains(f.header.timeline) ? chain.bound(f.header.timeline) :
                    Long.MAX_VALUE);
            }
            else
            {
                notes.add(f.path.getFileName() + ": " + f.size + " bytes, " + (f.size > Integer.MAX_VALUE ?
                    "larger than a segment can be" : "too short to hold a record") + ": not read");
            }
        }
        final long[] firstSequences = firstSequences(files);
        final long[] floors = new long[segments.size()];
        final int[] floorOrdinals = new int[segments.size()];
        long min = Long.MAX_VALUE;
        int minOrdinal = -1;
        for (int i = segments.size() - 1; i >= 0; i--)
        {
            floors[i] = min;
            floorOrdinals[i] = minOrdinal;
            if (firstSequences[i] > 0 && firstSequences[i] < min)
            {
                min = firstSequences[i];
                minOrdinal = i;
            }
        }
        final SegmentUsage.Table table = liveBytes(source);
        for (ordinal = 0; ordinal < segments.size(); ordinal++)
        {
            final int previousId = ordinal == 0 ? 0 : files.get(ordinal - 1).id;
            if (firstSequences[ordinal] > 0 && reclaimed(source, table, previousId + 1, files.get(ordinal).id))
            {
                ledger.reclaimed(firstSequences[ordinal] - 1);
            }
            floor = floors[ordinal];
            bound = bounds.get(ordinal);
            floorSegment = floorOrdinals[ordinal] < 0 ? null :
                files.get(floorOrdinals[ordinal]).path.getFileName().toString();
            final SalvageSource.SegmentFile file = files.get(ordinal);
            walker.walk(segments.get(ordinal), file.header.valid ? file.header.declaredLength : file.size, this);
        }
        ledger.end(source.manifest == null ? 0 : source.manifest.lastSequence);
        if (!offChain.isEmpty() || leftBehind > 0)
        {
            notes.add("timeline " + chain.newest() + " read: " + offChain.size() + " segment(s) of timelines it did " +
                "not branch from not read, " + leftBehind + " valid record(s) of its parents after it branched " +
                "discarded (left behind by a rewind)");
        }
        if (!chain.complete())
        {
            notes.add("no segment header names the parent of timeline " + chain.brokenAt() + ": the segments of " +
                "every older timeline were read, as if there were none");
        }
        if (discarded > 0)
        {
            notes.add(discarded + " valid record(s) discarded: an earlier recovery had cut the log before them and " +
                "reused their sequence numbers");
        }
        notes.addAll(ledger.notes());
    }

    /** @return the newest manifest's live-bytes table, or null if it has none (or no manifest validates). */
    private static SegmentUsage.Table liveBytes(final SalvageSource source)
    {
        if (source.manifest == null)
        {
            return null;
        }
        try
        {
            return LiveBytesExtension.read(source.manifest, source.dir);
        }
        catch (final CorruptStoreException ex)
        {
            return null;
        }
    }

    /**
     * @return whether the absent segments among {@code [from, to)} are ones the writer deleted after compaction: the
     * newest snapshot that validates does not need them. Their sequence numbers are then not lost. (Segments of
     * timelines off the newest one's chain are there, not absent; they hold none of its records.)
     */
    private boolean reclaimed(final SalvageSource source, final SegmentUsage.Table table, final int from,
        final int to)
    {
        if (from >= to || table == null)
        {
            return false;
        }
        boolean absent = false;
        for (int id = from; id < to; id++)
        {
            if (offChain.contains(id))
            {
                continue;
            }
            if (LiveBytesExtension.needs(source.manifest, table, id))
            {
                return false;
            }
            absent = true;
        }
        if (!absent)
        {
            return false;
        }
        notes.add("segment" + (to - from > 1 ? "s " + from + " to " + (to - 1) : " " + from) + " absent: deleted " +
            "after compaction (the newest snapshot does not need " + (to - from > 1 ? "them" : "it") + ")");
        return true;
    }

    /** @return the sequence number each segment starts at: its header's, else its first valid record's, else 0. */
    private long[] firstSequences(final List<SalvageSource.SegmentFile> files)
    {
        final long[] first = new long[files.size()];
        for (int i = 0; i < first.length; i++)
        {
            final SegmentHeader header = files.get(i).header;
            if (header.valid)
            {
                first[i] = header.firstSequence;
            }
            else if (walker.firstValid(segments.get(i)) >= 0)
            {
                first[i] = walker.scanner().sequence();
            }
        }
        return first;
    }

    /** @return the chain of the newest timeline a segment header that validates names. */
    private static TimelineChain chain(final List<SalvageSource.SegmentFile> files)
    {
        final TimelineChain.Lineage lineage = new TimelineChain.Lineage();
        long newest = SegmentDescriptor.FIRST_TIMELINE;
        for (final SalvageSource.SegmentFile f : files)
        {
            if (f.header.valid)
            {
                lineage.add(f.header.timeline, f.header.parentTimeline, f.header.branchSequence);
                newest = Math.max(newest, f.header.timeline);
            }
        }
        return lineage.chainOf(newest);
    }

    /** @return whether the records of {@code timeline} are read: on the chain, or older than where it broke. */
    private static boolean onChain(final TimelineChain chain, final long timeline)
    {
        return chain.contains(timeline) || !chain.complete() && timeline < chain.brokenAt();
    }

    @Override
    public void record(final Segment segment, final int offset, final RecordScanner scanner)
    {
        final long sequence = scanner.sequence();
        if (sequence > bound)
        {
            leftBehind++;
            return;
        }
        if (sequence >= floor || sequence <= ledger.lastKept())
        {
            discarded++;
            return;
        }
        latest.offer(ordinal, offset);
        ledger.kept(sequence);
        recordsRead++;
        longestRecord = Math.max(longestRecord, scanner.length());
        final MemoryRegion b = segment.buffer();
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        if (scanner.type() == TYPE_PUT && nnz > 0)
        {
            maxIndex = Math.max(maxIndex, b.getInt(RecordDescriptor.indicesOffset(offset) + (nnz - 1) * 4));
        }
    }

    @Override
    public void damaged(final Segment segment, final int from, final long to, final String problem,
        final List<DamagedRecord> headers)
    {
        if (ledger.lastKept() + 1 > bound)
        {
            notes.add(segment.path().getFileName() + " bytes " + from + " to " + to + ": " + problem + "; after " +
                "sequence " + bound + ", where a rewind branched away from this timeline: nothing lost");
        }
        else if (ledger.lastKept() + 1 >= floor)
        {
            ledger.cutOff(segment.path(), from, to, problem, floor, floorSegment);
        }
        else
        {
            ledger.damaged(segment.path(), from, to, problem, headers);
        }
    }

    LatestRecords latest()
    {
        return latest;
    }

    LossLedger ledger()
    {
        return ledger;
    }

    List<String> notes()
    {
        return notes;
    }

    long recordsRead()
    {
        return recordsRead;
    }

    /** @return the largest index of any vector kept, -1 if none. */
    int maxIndex()
    {
        return maxIndex;
    }

    /** @return the length of the longest record kept, 0 if none. */
    long longestRecord()
    {
        return longestRecord;
    }

    @Override
    public void close()
    {
        for (final Segment s : segments)
        {
            s.unmap();
        }
        segments.clear();
    }
}
