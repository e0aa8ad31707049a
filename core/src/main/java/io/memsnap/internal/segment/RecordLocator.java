package io.memsnap.internal.segment;

import io.memsnap.internal.memory.MemoryRegion;

import java.nio.ByteBuffer;

/**
 * Where a reader finds the bytes of one record ({@link SegmentLog#locate}): in its segment's mapping, or, while the
 * record is still only in the writer's write buffer, in a copy of it here. Reused for every record its reader looks
 * at, so reads allocate nothing once the copy's array has grown to the largest record copied (and a view of each
 * segment read was made).
 *
 * <p>Not thread safe: one per reading thread, and one per level of reads nested in a visitor.
 */
public final class RecordLocator
{
    private byte[] copyBytes = new byte[0];
    private MemoryRegion copy = MemoryRegion.wrap(copyBytes);
    private ByteBuffer copyView = ByteBuffer.wrap(copyBytes);
    private final SegmentViews views = new SegmentViews();

    private Segment segment;
    private MemoryRegion buffer;
    private ByteBuffer view;
    private int offset;
    private int limit;

    /** @return the segment the record belongs to. */
    public Segment segment()
    {
        return segment;
    }

    /** @return the bytes holding the record: the segment's mapping or the copy. Valid until the next locate. */
    public MemoryRegion buffer()
    {
        return buffer;
    }

    /**
     * @return a view of {@link #buffer()} at the same offsets, for checksums; its position and limit are the caller's
     * to change.
     */
    public ByteBuffer view()
    {
        return view;
    }

    /** @return where the record starts in {@link #buffer()}. */
    public int offset()
    {
        return offset;
    }

    /** @return the end of the readable bytes of {@link #buffer()}: the segment's length, or the copy's. */
    public int limit()
    {
        return limit;
    }

    /** @return whether the record was copied out of the write buffer. */
    public boolean copied()
    {
        return buffer == copy;
    }

    void mapped(final Segment s, final int recordOffset)
    {
        segment = s;
        buffer = s.buffer();
        view = views.of(s);
        offset = recordOffset;
        limit = s.length();
    }

    void copied(final Segment s, final int length)
    {
        segment = s;
        buffer = copy;
        view = copyView;
        offset = 0;
        limit = length;
    }

    /** @return the copy's array, at least {@code length} bytes long (grown, and rewrapped, if it was shorter). */
    byte[] copyArray(final int length)
    {
        if (copyBytes.length < length)
        {
            copyBytes = new byte[Math.max(length, copyBytes.length * 2)];
            copy = MemoryRegion.wrap(copyBytes);
            copyView = ByteBuffer.wrap(copyBytes);
        }
        return copyBytes;
    }
}
