package io.memsnap.internal.salvage;

import io.memsnap.SalvageReport;
import io.memsnap.internal.format.RecordDescriptor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accounts for the writes that salvage could not read, from the sequence numbers of those it could. Every write of
 * a store took the next sequence number, so the valid records, taken in log order, leave a gap exactly where writes
 * were lost: a gap with damaged ranges in it is charged to them, one without is a run of missing writes. The end
 * of the log is known only as far as the newest manifest that validates says it reached.
 *
 * <p>Fed in log order: {@link #kept} for each valid record salvage keeps, {@link #damaged} for each damaged range,
 * then {@link #end} once.
 *
 * <p>Not thread safe: one instance per salvage.
 */
final class LossLedger
{
    /** A damaged range and the damaged headers read in it. */
    private static final class Range
    {
        final Path file;
        final long from;
        final long to;
        final String problem;
        final long after;
        final List<DamagedRecord> headers;
        long before = -1;

        Range(final Path file, final long from, final long to, final String problem, final long after,
            final List<DamagedRecord> headers)
        {
            this.file = file;
            this.from = from;
            this.to = to;
            this.problem = problem;
            this.after = after;
            this.headers = headers;
        }
    }

    private final List<Range> ranges = new ArrayList<>();
    private final List<Range> open = new ArrayList<>();
    private final List<SalvageReport.MissingWrites> missing = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long lastKept;

    /** @return the sequence number of the last valid record kept, 0 if none. */
    long lastKept()
    {
        return lastKept;
    }

    /** A valid record kept; its sequence number is above every one kept before. */
    void kept(final long sequence)
    {
        if (!open.isEmpty())
        {
            for (final Range r : open)
            {
                r.before = sequence;
            }
            open.clear();
        }
        else if (sequence > lastKept + 1)
        {
            missing.add(new SalvageReport.MissingWrites(lastKept + 1, sequence - 1, "no file holds them: a " +
                "segment file is missing, or too short to hold its records"));
        }
        lastKept = sequence;
    }

    /**
     * The sequence numbers up to {@code last} lay in segment files the writer deleted after compaction: not lost.
     */
    void reclaimed(final long last)
    {
        if (open.isEmpty() && last > lastKept)
        {
            lastKept = last;
        }
    }

    /** Bytes {@code [from, to)} of {@code file} hold no valid record. */
    void damaged(final Path file, final long from, final long to, final String problem,
        final List<DamagedRecord> headers)
    {
        final Range r = new Range(file, from, to, problem, lastKept, headers);
        ranges.add(r);
        open.add(r);
    }

    /**
     * Damaged bytes that an earlier recovery had already cut off: every write they could hold has a sequence number
     * the log reused after the cut, at {@code reusedFrom} in {@code reusedIn}.
     */
    void cutOff(final Path file, final long from, final long to, final String problem, final long reusedFrom,
        final String reusedIn)
    {
        notes.add(file.getFileName() + " bytes " + from + " to " + to + ": " + problem + "; after the point where " +
            "an earlier recovery cut the log (" + reusedIn + " holds sequence " + reusedFrom + " on): nothing lost");
    }

    /**
     * Closes the log.
     *
     * @param committed the last sequence number of the newest snapshot a manifest shows, 0 if none validates.
     */
    void end(final long committed)
    {
        if (open.isEmpty() && committed > lastKept)
        {
            missing.add(new SalvageReport.MissingWrites(lastKept + 1, committed, "the newest snapshot that " +
                "validates holds them, no file does"));
        }
        open.clear();
    }

    List<SalvageReport.LostRange> lostRanges()
    {
        final List<SalvageReport.LostRange> lost = new ArrayList<>(ranges.size());
        for (final Range r : ranges)
        {
            final List<String> ids = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            for (final DamagedRecord h : r.headers)
            {
                if (h.key != null && inWindow(r, h.sequence))
                {
                    (h.isState() ? names : ids).add(h.key);
                }
            }
            lost.add(new SalvageReport.LostRange(r.file, r.from, r.to, r.problem, r.after, r.before, writesLost(r),
                ids, names));
        }
        return lost;
    }

    /**
     * @return the gap in sequence numbers around {@code r}; where nothing valid follows, unknown (-1) unless the
     * range is exactly one damaged PAD carrying the next sequence number, which holds no write.
     */
    private static long writesLost(final Range r)
    {
        if (r.before >= 0)
        {
            return r.before - r.after - 1;
        }
        if (r.headers.size() == 1)
        {
            final DamagedRecord pad = r.headers.get(0);
            if (pad.key == null && pad.offset == r.from && pad.end() == r.to && pad.sequence == r.after + 1)
            {
                return 0;
            }
        }
        return -1;
    }

    List<SalvageReport.MissingWrites> missingWrites()
    {
        return missing;
    }

    List<String> notes()
    {
        return notes;
    }

    /**
     * @return the keys that damaged headers name where the sequence numbers say a write was lost, and that the
     * salvaged store lacks ({@link SalvageReport.LostKey#uncertain()} false) or holds as of an older write (true).
     */
    List<SalvageReport.LostKey> lostKeys(final LatestRecords latest)
    {
        final Map<String, SalvageReport.LostKey> keys = new LinkedHashMap<>();
        for (final Range r : ranges)
        {
            for (final DamagedRecord h : r.headers)
            {
                if (h.key == null || !inWindow(r, h.sequence))
                {
                    continue; // a PAD, or a header damaged too: its id is not to be trusted
                }
                final long salvaged = latest.sequence(h.key, h.isState());
                final String name = (h.isState() ? "state " : "entry ") + h.key;
                if (salvaged > h.sequence || (salvaged < 0 && h.isDelete()) || keys.containsKey(name))
                {
                    continue; // rewritten later, or deleted and absent either way
                }
                keys.put(name, new SalvageReport.LostKey(h.key, h.isState(), salvaged >= 0, salvaged, r.file,
                    h.offset));
            }
        }
        return new ArrayList<>(keys.values());
    }

    /**
     * @return whether a write of this sequence number may lie in {@code r}: between the valid records around it, and,
     * where nothing valid follows, no further than the damaged bytes after them could hold.
     */
    private boolean inWindow(final Range r, final long sequence)
    {
        if (sequence <= r.after)
        {
            return false;
        }
        if (r.before >= 0)
        {
            return sequence < r.before;
        }
        long bytes = 0;
        for (final Range other : ranges)
        {
            if (other.after == r.after)
            {
                bytes += other.to - other.from;
            }
        }
        return sequence - r.after <= bytes / RecordDescriptor.HEADER_LENGTH;
    }
}
