package io.memsnap.internal.segment;

import io.memsnap.internal.memory.MemoryRegion;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

import static io.memsnap.internal.format.RecordDescriptor.HEADER_LENGTH;
import static io.memsnap.internal.format.RecordDescriptor.LENGTH_OFFSET;

/**
 * The write buffer: one off-heap buffer that mirrors a window {@code [start, start + used)} of the tail segment,
 * where the writer composes records before it hands them to the file with one positional write. Everything below
 * {@link #handedOff()} is in the file (the page cache, and so in the segment's mapping); the records from there to
 * the end of the window are only here, until the writer hands them off ({@link SegmentLog#handOff}).
 *
 * <p>Concurrency: the writer (under the store's write lock) composes records, hands them off and moves the window
 * ({@link #restart}); it reads its own bytes freely. Any thread may copy a published record out
 * ({@link #copyOut}) without a lock, as a sequence lock's reader does, with {@code handedOff} as the sequence: it
 * only grows, the writer stores it before it overwrites bytes of the window, and a reader reads it before and after
 * its copy, and uses the copy only if it did not move. A record the index published lies wholly in the window until
 * {@code handedOff} passes it (the writer moves the window only then), and its bytes were written before the index
 * published its address, so a copy taken while {@code handedOff} stood still is the record.
 */
final class TailBuffer
{
    private final int capacity;
    /** Allocated when the writer first composes (a read-only store never does); then fixed until {@link #free}. */
    private MemoryRegion bytes;
    /** A view for checksums and writes; its position and limit change with each use (writer only). */
    private ByteBuffer view;
    /** The address (segment id and offset) of byte 0 of the buffer; none until the first {@link #restart}. */
    private volatile long start = Long.MAX_VALUE;
    /** The address below which every byte is in the file; only grows. Every address until the first restart. */
    private volatile long handedOff = Long.MAX_VALUE;
    /** Bytes composed from {@code start}: the window's end. Writer only. */
    private int used;

    TailBuffer(final int capacity)
    {
        this.capacity = capacity;
    }

    int capacity()
    {
        return capacity;
    }

    /** Writer: the buffer, to compose a record at {@link #used()}. */
    MemoryRegion bytes()
    {
        if (bytes == null)
        {
            final MemoryRegion memory = MemoryRegion.allocate(capacity);
            view = memory.byteBuffer(0, capacity);
            bytes = memory; // published to readers by the index, after the first record
        }
        return bytes;
    }

    /**
     * Releases the buffer's memory, if it was ever allocated. The caller (the log's owner, closing) guarantees that
     * the writer composes nothing more and that no reader can copy a record out any more.
     */
    void free()
    {
        final MemoryRegion b = bytes;
        if (b != null)
        {
            b.close();
        }
    }

    /** Writer: the buffer as a {@link ByteBuffer} whose position and limit the caller sets. */
    ByteBuffer view()
    {
        return view;
    }

    /** Writer: the bytes composed in the window. */
    int used()
    {
        return used;
    }

    /** Writer: the bytes that fit after the window. */
    int room()
    {
        return capacity - used;
    }

    /** @return the address of byte 0 of the buffer. Writer. */
    long start()
    {
        return start;
    }

    /** @return the address below which every byte is in the file. Any thread. */
    long handedOff()
    {
        return handedOff;
    }

    /** @return whether every byte composed is in the file. Writer. */
    boolean allHandedOff()
    {
        return handedOff == start + used;
    }

    /** Writer: {@code length} more bytes were composed at {@link #used()}. */
    void appended(final int length)
    {
        used += length;
    }

    /** Writer: the last {@code length} bytes composed are taken back (their hand-off failed: they never happened). */
    void unappend(final int length)
    {
        used -= length;
    }

    /** Writer: every byte composed so far is in the file now. */
    void handedOffAll()
    {
        handedOff = start + used;
    }

    /**
     * Writer: empties the window and starts it at {@code address}, below which everything is in the file. Bytes of
     * the old window may be overwritten once this returns.
     */
    void restart(final long address)
    {
        start = address; // before handedOff: a reader that sees the new handedOff sees the new start
        handedOff = address;
        VarHandle.storeStoreFence(); // both are seen before any store that overwrites the old window
        used = 0;
    }

    /** @return where the record at {@code address} starts in the buffer. Writer, for an address not handed off. */
    int offsetOf(final long address)
    {
        return (int)(address - start);
    }

    /**
     * Any thread: copies the record the index published at {@code address} into {@code into}, if it is still only
     * in this buffer.
     *
     * @return the record's length (its bytes are at {@code [0, length)} of {@code into}), or -1 if it is in the file
     * (read it in the segment's mapping).
     */
    int copyOut(final long address, final RecordLocator into)
    {
        while (true)
        {
            final long before = handedOff;
            if (address < before)
            {
                return -1;
            }
            final long offset = address - start;
            if (offset > capacity - HEADER_LENGTH)
            {
                return -1; // no record of the window: let the reader of the mapping report what lies there
            }
            final MemoryRegion b = bytes;
            if (b == null)
            {
                return -1; // nothing was ever composed here
            }
            int length = -1;
            if (offset >= 0)
            {
                final int at = (int)offset;
                length = Math.max(HEADER_LENGTH, Math.min(b.getInt(at + LENGTH_OFFSET), capacity - at));
                b.getBytes(at, into.copyArray(length), 0, length);
            }
            VarHandle.loadLoadFence(); // the copy is read before handedOff is read again
            if (length >= 0 && handedOff == before)
            {
                return length;
            }
            Thread.onSpinWait(); // the writer handed the window off meanwhile (or is moving it): look again
        }
    }
}
