package io.memsnap.internal.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The CRC32C of what the writer appended to each segment since the last snapshot froze the log, computed as the
 * bytes are written (they are in the CPU's cache then), so that a snapshot need not read the range it flushes again
 * to checksum it for its manifest: the snapshot thread's work is then the flush and the commit.
 *
 * <p>Writer only (under the store's write lock): {@link #appended} after every append, {@link #take} when a
 * snapshot freezes the log. A {@link Taken} is immutable.
 */
public final class AppendedRanges
{
    private static final int[] NONE = new int[0];

    private final CRC32C crc = new CRC32C();
    private int segment;
    private int from;
    private int end;
    private int[] closed = NONE;
    private int closedCount;

    /** The ranges of one freeze: for each segment appended to, [from, end) and its CRC32C. */
    public static final class Taken
    {
        private final int[] ranges;

        private Taken(final int[] ranges)
        {
            this.ranges = ranges;
        }

        /** @return the CRC32C of [from, end) of segment {@code id} (unsigned), or -1 if this freeze did not see it. */
        public long crc(final int id, final int from, final int end)
        {
            for (int i = 0; i < ranges.length; i += 4)
            {
                if (ranges[i] == id && ranges[i + 1] == from && ranges[i + 2] == end)
                {
                    return ranges[i + 3] & 0xFFFF_FFFFL;
                }
            }
            return -1;
        }
    }

    /** Starts the ranges at the tail: nothing appended yet. */
    void start(final int segmentId, final int offset)
    {
        closedCount = 0;
        open(segmentId, offset);
    }

    private void open(final int segmentId, final int offset)
    {
        segment = segmentId;
        from = offset;
        end = offset;
        crc.reset();
    }

    /** {@code bytes} (position to limit) were just written at {@code offset} of segment {@code segmentId}. */
    void appended(final int segmentId, final ByteBuffer bytes, final int offset)
    {
        if (segmentId != segment || offset != end)
        {
            close();
            open(segmentId, offset);
        }
        end = offset + bytes.remaining();
        crc.update(bytes);
    }

    private void close()
    {
        if (end == from)
        {
            return;
        }
        if (closedCount + 4 > closed.length)
        {
            closed = Arrays.copyOf(closed, Math.max(8, closed.length * 2));
        }
        closed[closedCount++] = segment;
        closed[closedCount++] = from;
        closed[closedCount++] = end;
        closed[closedCount++] = (int)crc.getValue();
    }

    /** @return the ranges appended since the last call (or {@link #start}); the next ones start at the tail. */
    Taken take()
    {
        close();
        final Taken taken = new Taken(Arrays.copyOf(closed, closedCount));
        start(segment, end);
        return taken;
    }
}
