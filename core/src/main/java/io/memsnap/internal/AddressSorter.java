package io.memsnap.internal;

import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.RecordLocator;
import io.memsnap.internal.segment.SegmentLog;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Sorts record addresses by the UTF-8 bytes of their ids (which is Unicode code point order), off the heap: the
 * addresses live in a direct buffer that doubles as needed, and the comparison reads the ids in the mapped
 * segments (or copies of the records still in the write buffer, see {@link SegmentLog#locate}). Heap use is fixed
 * whatever the number of entries.
 *
 * <p>Not thread safe. The segments must not be unmapped while it is in use, and the addresses must have been
 * published by the index; {@link #close()} frees the buffer.
 */
public final class AddressSorter implements AutoCloseable
{
    private final SegmentLog log;
    /** Where the two ids compared are (a record still in the write buffer is copied). */
    private final RecordLocator left = new RecordLocator();
    private final RecordLocator right = new RecordLocator();
    private MemoryRegion addresses;
    private int count;

    public AddressSorter(final SegmentLog log)
    {
        this.log = log;
        this.addresses = MemoryRegion.allocate(8 * 1024);
    }

    public void add(final long address)
    {
        if ((count + 1L) * 8 > addresses.length())
        {
            final long grown = (long)addresses.length() * 2;
            if (grown > Integer.MAX_VALUE - 8)
            {
                throw new IllegalStateException("too many entries to sort in one buffer: " + count);
            }
            final MemoryRegion bigger = MemoryRegion.allocate((int)grown);
            addresses.copyTo(0, bigger, 0, count * 8);
            addresses.close();
            addresses = bigger;
        }
        addresses.putLong(count * 8, address);
        count++;
    }

    public int size()
    {
        return count;
    }

    public long get(final int i)
    {
        return addresses.getLong(i * 8);
    }

    /** Sorts by id: heapsort, in place, O(n log n) whatever the input, no recursion. */
    public void sort()
    {
        for (int i = count / 2 - 1; i >= 0; i--)
        {
            siftDown(i, count);
        }
        for (int end = count - 1; end > 0; end--)
        {
            swap(0, end);
            siftDown(0, end);
        }
    }

    private void siftDown(final int start, final int end)
    {
        int root = start;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= end)
            {
                return;
            }
            if (child + 1 < end && compare(get(child), get(child + 1)) < 0)
            {
                child++;
            }
            if (compare(get(root), get(child)) >= 0)
            {
                return;
            }
            swap(root, child);
            root = child;
        }
    }

    private void swap(final int i, final int j)
    {
        final long t = get(i);
        addresses.putLong(i * 8, get(j));
        addresses.putLong(j * 8, t);
    }

    private int compare(final long a, final long b)
    {
        log.locate(a, left);
        log.locate(b, right);
        final MemoryRegion ba = left.buffer();
        final MemoryRegion bb = right.buffer();
        final int oa = left.offset();
        final int ob = right.offset();
        final int la = ba.getShort(oa + ID_LENGTH_OFFSET) & 0xFFFF;
        final int lb = bb.getShort(ob + ID_LENGTH_OFFSET) & 0xFFFF;
        final int ia = idOffset(oa, ba.getInt(oa + NNZ_OFFSET));
        final int ib = idOffset(ob, bb.getInt(ob + NNZ_OFFSET));
        final int n = Math.min(la, lb);
        for (int k = 0; k < n; k++)
        {
            final int d = (ba.getByte(ia + k) & 0xFF) - (bb.getByte(ib + k) & 0xFF);
            if (d != 0)
            {
                return d;
            }
        }
        return la - lb;
    }

    @Override
    public void close()
    {
        addresses.close();
    }
}
