package io.memsnap;

import io.memsnap.internal.fs.StoreFileSystem;
import org.agrona.concurrent.CachedNanoClock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A store clock that tests move by hand, and the waits of tests on a store's automatic snapshot thread: for a pass
 * of the thread ({@link #awaitPass}), which is deterministic, or for a condition, polled with a generous timeout that
 * only turns a hang into a failure. Not thread safe: one test's.
 */
final class ManualTime
{
    /** How long a test waits for the thread before it fails: far beyond what any pass takes. */
    static final long TIMEOUT_MILLIS = 60_000;

    private final CachedNanoClock clock = new CachedNanoClock();

    MemoryStore open(final Path dir, final StoreOptions options)
    {
        return open(dir, options, StoreFileSystem.real());
    }

    MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs)
    {
        return MemoryStore.open(dir, options, fs, clock);
    }

    void advance(final Duration duration)
    {
        clock.advance(duration.toNanos());
    }

    void advanceNanos(final long nanos)
    {
        clock.advance(nanos);
    }

    /** Waits until the store's automatic snapshot thread has looked at the clock and the changes as they are now. */
    static void awaitPass(final MemoryStore store) throws InterruptedException
    {
        assertTrue(store.autoSnapshotter().awaitPass(TIMEOUT_MILLIS),
            "the automatic snapshot thread of " + store.directory() + " ended no pass within " + TIMEOUT_MILLIS + " ms");
    }

    /** Waits until {@code condition} holds, polling; fails after {@link #TIMEOUT_MILLIS}. */
    static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("waited " + TIMEOUT_MILLIS + " ms for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
