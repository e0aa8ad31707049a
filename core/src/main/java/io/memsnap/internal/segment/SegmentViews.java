package io.memsnap.internal.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A view ({@link Segment#newView()}) of each segment's mapping, by id, made once per segment object: a reader's or
 * a scanner's, for checksums, whose positions and limits it changes at will.
 *
 * <p>Not thread safe: one per reading thread.
 */
final class SegmentViews
{
    private Segment[] owners = new Segment[0];
    private ByteBuffer[] views = new ByteBuffer[0];

    /** @return this reader's view of {@code segment}'s mapping. */
    ByteBuffer of(final Segment segment)
    {
        final int id = segment.id();
        if (id >= views.length)
        {
            views = Arrays.copyOf(views, Math.max(id + 1, views.length * 2));
            owners = Arrays.copyOf(owners, views.length);
        }
        if (owners[id] != segment)
        {
            owners[id] = segment;
            views[id] = segment.newView();
        }
        return views[id];
    }
}
