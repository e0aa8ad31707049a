package io.memsnap.internal.salvage;

import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.Segment;
import org.agrona.collections.Object2LongHashMap;

import java.util.Arrays;
import java.util.List;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * The newest valid record of every id and of every state name (two namespaces), by sequence number: a put or a
 * delete. Holds each key once on the heap with the address of its record ({@code segment ordinal << 32 | offset});
 * the records stay in the mapped segments.
 *
 * <p>Not thread safe: filled by one walk, then read.
 */
final class LatestRecords
{
    private static final long NONE = -1;

    private final List<Segment> segments;
    private final Object2LongHashMap<String> entries = new Object2LongHashMap<>(NONE);
    private final Object2LongHashMap<String> states = new Object2LongHashMap<>(NONE);

    /** @param segments the segments the addresses refer to, by ordinal. */
    LatestRecords(final List<Segment> segments)
    {
        this.segments = segments;
    }

    /** Offers the valid record at {@code offset} of the segment of ordinal {@code ordinal}. */
    void offer(final int ordinal, final int offset)
    {
        final Segment segment = segments.get(ordinal);
        final MemoryRegion b = segment.buffer();
        final byte type = b.getByte(offset + TYPE_OFFSET);
        final String key = Utf8.decode(b, RecordDescriptor.idOffset(offset, b.getInt(offset + NNZ_OFFSET)),
            b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF);
        final Object2LongHashMap<String> map = RecordDescriptor.isStateType(type) ? states : entries;
        final long address = (long)ordinal << 32 | offset;
        final long current = map.getValue(key);
        if (current == NONE || sequence(current) < b.getLong(offset + SEQUENCE_OFFSET))
        {
            map.put(key, address);
        }
    }

    /** @return the sequence number of the newest valid record of {@code key}, or -1 if none. */
    long sequence(final String key, final boolean state)
    {
        final long address = (state ? states : entries).getValue(key);
        return address == NONE ? NONE : sequence(address);
    }

    /** @return the addresses of the live entries (newest record a PUT), in the order they were written. */
    long[] liveEntries()
    {
        return live(entries);
    }

    /** @return the addresses of the live named states, in the order they were written. */
    long[] liveStates()
    {
        return live(states);
    }

    private long[] live(final Object2LongHashMap<String> map)
    {
        final long[] live = new long[map.size()];
        int n = 0;
        for (final Object2LongHashMap<String>.ValueIterator it = map.values().iterator(); it.hasNext(); )
        {
            final long address = it.nextLong();
            if (!RecordDescriptor.isDeleteType(buffer(address).getByte(offset(address) + TYPE_OFFSET)))
            {
                live[n++] = address;
            }
        }
        final long[] sorted = Arrays.copyOf(live, n);
        Arrays.sort(sorted);
        return sorted;
    }

    long sequence(final long address)
    {
        return buffer(address).getLong(offset(address) + SEQUENCE_OFFSET);
    }

    Segment segment(final long address)
    {
        return segments.get((int)(address >>> 32));
    }

    MemoryRegion buffer(final long address)
    {
        return segment(address).buffer();
    }

    static int offset(final long address)
    {
        return (int)address;
    }
}
