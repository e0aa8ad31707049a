package io.memsnap.internal.salvage;

import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks every 8-byte-aligned record of one segment without trusting anything but each record's own checksum.
 * A valid record is handed on and skipped by its length. Anywhere else (a record that fails, zeros between records)
 * the walker resynchronises on the next position that holds a valid record, and hands on the bytes in between as
 * one damaged range, with the damaged headers it could still read there. The zeros that follow the last record are
 * the clean end of the segment, not damage.
 *
 * <p>Resynchronising tests each 8-byte position for a plausible header ({@link DamagedRecord#plausible}) before it
 * computes a checksum, and skips a damaged record whose header is plausible by its length first, so that records
 * stored inside its payload (a segment kept as a named state) are not taken for the store's own.
 *
 * <p>Not thread safe: one instance per salvage.
 */
final class RecordWalker
{
    /** What a walk finds, in file order. */
    interface Visitor
    {
        /** A valid record other than PAD at {@code offset}; {@code scanner} holds its type, sequence and length. */
        void record(Segment segment, int offset, RecordScanner scanner);

        /** Bytes {@code [from, to)} hold no valid record; {@code headers} are the damaged ones read there. */
        void damaged(Segment segment, int from, long to, String problem, List<DamagedRecord> headers);
    }

    /** Damaged headers kept per range: enough for a few records torn in a row, bounded inside garbage. */
    private static final int MAX_HEADERS = 16;

    private final RecordScanner scanner = new RecordScanner();
    /** The end of the last non-zero word the last {@link #nextValid} passed over. */
    private int lastNonZeroEnd;

    /**
     * Walks {@code segment} from its first record to its end.
     *
     * @param declaredLength the length its header gives when that is longer than the file (a file cut short): what
     *                       lies beyond the file is reported as damaged unless the file ends in zeros.
     */
    void walk(final Segment segment, final long declaredLength, final Visitor visitor)
    {
        final int limit = segment.length();
        int offset = SegmentDescriptor.HEADER_LENGTH;
        while (offset <= limit - 8)
        {
            final int status = scanner.scan(segment, offset, -1);
            if (status == RecordScanner.VALID)
            {
                if (!RecordDescriptor.isPadType(scanner.type()))
                {
                    visitor.record(segment, offset, scanner);
                }
                offset += scanner.alignedLength();
                continue;
            }
            final int next = resynchronise(segment, offset, status, declaredLength, visitor);
            if (next < 0)
            {
                return;
            }
            offset = next;
        }
        if (declaredLength > limit && offset < declaredLength)
        {
            visitor.damaged(segment, offset, declaredLength,
                "the file ends at " + limit + " but its header says it is " + declaredLength + " bytes", List.of());
        }
    }

    /** @return the offset of the next valid record after the damage at {@code offset}, or -1 at the end. */
    private int resynchronise(final Segment segment, final int offset, final int status, final long declaredLength,
        final Visitor visitor)
    {
        final String problem = status == RecordScanner.TORN ? scanner.problem() :
            "zeroed bytes where a record should be";
        final List<DamagedRecord> headers = new ArrayList<>(1);
        final DamagedRecord first = status == RecordScanner.TORN ? DamagedRecord.read(segment, offset) : null;
        final int limit = segment.length();
        int from = offset + 8;
        if (first != null)
        {
            headers.add(first);
            if (first.end() <= limit)
            {
                from = (int)first.end();
            }
        }
        final int next = nextValid(segment, from, headers);
        if (next >= 0)
        {
            visitor.damaged(segment, offset, next, problem, headers);
            return next;
        }
        final int end = Math.max(lastNonZeroEnd, status == RecordScanner.TORN ? from : offset);
        if (end > offset)
        {
            final boolean cutShort = declaredLength > limit && end >= limit - 8;
            final long to = cutShort ? declaredLength : end;
            visitor.damaged(segment, offset, to, cutShort ? problem + "; the file ends at " + limit +
                " but its header says it is " + declaredLength + " bytes" : problem, headers);
        }
        return -1;
    }

    /**
     * Scans forward at 8-byte alignment for a valid record, collecting the plausible damaged headers it passes.
     *
     * @return its offset, or -1 if none is left in the segment.
     */
    private int nextValid(final Segment segment, final int from, final List<DamagedRecord> headers)
    {
        final MemoryRegion b = segment.buffer();
        final int limit = segment.length();
        lastNonZeroEnd = 0;
        for (int p = from; p <= limit - 8; p += 8)
        {
            if (b.getLong(p) == 0)
            {
                continue;
            }
            lastNonZeroEnd = p + 8;
            if (DamagedRecord.plausible(segment, p))
            {
                if (scanner.scan(segment, p, -1) == RecordScanner.VALID)
                {
                    return p;
                }
                final DamagedRecord header = headers.size() < MAX_HEADERS ? DamagedRecord.read(segment, p) : null;
                if (header != null)
                {
                    headers.add(header);
                }
            }
        }
        return -1;
    }

    /**
     * @return the offset of the first valid record of {@code segment} (a PAD carries the sequence number of the
     * record after it), or -1 if it holds none; the scanner then holds its fields.
     */
    int firstValid(final Segment segment)
    {
        return nextValid(segment, SegmentDescriptor.HEADER_LENGTH, new ArrayList<>());
    }

    /** @return the scanner, holding the fields of the last valid record found. */
    RecordScanner scanner()
    {
        return scanner;
    }
}
