package io.memsnap.internal.snapshot;

import java.util.concurrent.TimeUnit;

/**
 * How long the automatic snapshot thread waits before it tries again after failed snapshots: {@link #FIRST_NANOS}
 * after the first, doubling with each failure in a row, at most {@link #MAX_NANOS}. A full disk or a failing device
 * is then retried at once when it is likely to have been fixed, and at most one warning is logged every five
 * minutes while it is not. Stateless.
 */
public final class RetryBackoff
{
    /** The wait after the first failure: 1 second. */
    public static final long FIRST_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The longest wait: 5 minutes. */
    public static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);

    private RetryBackoff()
    {
    }

    /** @return the wait after {@code failuresInARow} (at least 1) failed attempts. */
    public static long delayNanos(final int failuresInARow)
    {
        final int doublings = Math.min(failuresInARow - 1, Long.numberOfLeadingZeros(FIRST_NANOS) - 1);
        return Math.min(FIRST_NANOS << Math.max(doublings, 0), MAX_NANOS);
    }
}
