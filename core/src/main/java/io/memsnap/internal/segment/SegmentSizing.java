package io.memsnap.internal.segment;

import io.memsnap.StoreOptions;
import io.memsnap.internal.format.SegmentDescriptor;

/**
 * The length of each new segment file. A store's first segment is {@link #FIRST_LENGTH} (64 KiB, the smallest segment
 * size), and each later one twice the length of the one before it (read from that segment's header, so a reopened
 * store goes on where it stopped), up to the largest length, {@code StoreOptions.segmentSize}; a record that does
 * not fit the doubled length doubles it again until it does. A store holding a few entries so takes 64 KiB of
 * segment, and the segments of any store add up to at most about twice its log plus 64 KiB, with at most ten rolls
 * (at the default 64 MiB) before segments reach their full size.
 *
 * <p>Why doubling the previous segment, and not a length from the bytes the store holds: the header of the tail
 * segment is all it needs, at open and at a roll, and the waste stays bounded all the same: a segment is at most
 * twice the one before it, or less than twice the record that started it, so the unwritten part of the last one is
 * about as long as the log before it at most (and on a file system with sparse files it takes no space anyway).
 *
 * <p>Thread safe: stateless.
 */
public final class SegmentSizing
{
    /** Length of a store's first segment: the smallest segment size. */
    public static final int FIRST_LENGTH = StoreOptions.MIN_SEGMENT_SIZE;

    private SegmentSizing()
    {
    }

    /** @return the length of a new store's first segment, for segments of at most {@code maxLength} bytes. */
    public static int first(final int maxLength)
    {
        return Math.min(FIRST_LENGTH, maxLength);
    }

    /**
     * @param previousLength the length of the segment before the new one.
     * @param maxLength      the largest segment length ({@code StoreOptions.segmentSize}).
     * @param recordLength   the aligned length of the record that rolls into the new segment (0 for none); it must
     *                       fit a segment of {@code maxLength} bytes.
     * @return the length of the new segment: twice {@code previousLength}, doubled again until the record fits after
     * the header, at most {@code maxLength}.
     */
    public static int next(final int previousLength, final int maxLength, final int recordLength)
    {
        final long needed = SegmentDescriptor.HEADER_LENGTH + (long)recordLength;
        if (needed > maxLength)
        {
            throw new IllegalArgumentException("a record of " + recordLength + " bytes does not fit a segment of " +
                maxLength);
        }
        long length = Math.min(maxLength, 2L * Math.max(previousLength, SegmentDescriptor.HEADER_LENGTH));
        while (length < needed)
        {
            length = Math.min(maxLength, 2 * length);
        }
        return (int)length;
    }
}
