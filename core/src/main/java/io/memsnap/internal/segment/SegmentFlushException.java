package io.memsnap.internal.segment;

import java.io.IOException;

/**
 * A flush of a segment failed. Unlike a failed write, it cannot be retried safely: the kernel may have marked the
 * pages it could not write clean, and a second flush would then succeed without writing them.
 */
public final class SegmentFlushException extends IOException
{
    public SegmentFlushException(final String message, final IOException cause)
    {
        super(message, cause);
    }
}
