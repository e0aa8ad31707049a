package io.memsnap;

import io.memsnap.crash.FaultyFileSystem;
import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.SegmentPreparer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails every file-system operation of a rewind, one at a time ({@link FaultyFileSystem}, as {@code FaultSweepTest}
 * does for snapshots): the rewind returns, or throws a typed exception; after it the store either takes writes (the
 * failure came before the new timeline began, or was harmless) or refuses them with a typed exception saying to
 * reopen; a rewind that returned leaves a usable store; and a reopen on the real file system comes back on the
 * timeline before the rewind with every acknowledged write, or on the new one holding exactly the target (and what
 * was written after a rewind that returned), never a mix.
 */
class RewindFaultTest
{
    @TempDir
    Path tmp;

    @BeforeAll
    static void quiet()
    {
        QuietEngineLog.silence(); // the engine warns of failures it retries later
    }

    @AfterAll
    static void loud()
    {
        QuietEngineLog.restore();
    }

    /** A store with writes on both sides of the target, all synced, and a rewind to make. */
    private static final class Case
    {
        final Path dir;
        final MemoryStore store;
        final StoreHistory history = new StoreHistory();
        final SnapshotInfo target;
        long acknowledged;

        Case(final Path dir, final StoreFileSystem fs)
        {
            this.dir = dir;
            final PreparerWatch preparer = new PreparerWatch();
            final HookedFileSystem watched = new HookedFileSystem(fs);
            watched.hook(preparer);
            // The write-back off: it would flush the segments the log rolled past on its own schedule, and the
            // operations of the rewind counted once must be the same in every run.
            store = MemoryStore.open(dir, RewindCrashTest.options().toBuilder().writebackBytes(0).build(), watched);
            for (int n = 0; n < 60; n++)
            {
                put(n, 1);
            }
            target = store.snapshot();
            for (int n = 30; n < 120; n++)
            {
                put(n, 2);
            }
            history.delete(store, id(5));
            store.snapshot();
            for (int n = 100; n < 150; n++)
            {
                put(n, 3);
            }
            store.sync();
            acknowledged = history.lastSequence();
            // The rewind deletes the file made ahead for the next roll (its id is the new timeline's first): made.
            preparer.awaitNextOf(store);
        }

        void put(final long n, final long version)
        {
            history.put(store, id(n), vector(n, version), importance(n, version), storedAt(n, version),
                metadata(n, version));
        }

        void rewind()
        {
            final RewindResult r = store.rewind(target.generation());
            history.rewind(0, target.lastSequence(), r.timeline());
            acknowledged = target.lastSequence();
        }

        /** A write and a sync after the rewind; promised once the sync returns. */
        void writeOn()
        {
            put(1000, 4);
            store.sync();
            acknowledged = history.lastSequence();
        }
    }

    @Test
    void everyFailureInsideARewindLeavesThePresentOrTheRewoundStateNeverAMix()
    {
        final FaultyFileSystem counting = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        final Case dry = new Case(tmp.resolve("count"), counting);
        counting.resetCounts();
        dry.rewind();
        final Map<FaultyFileSystem.Op, Integer> counts = counting.counts();
        dry.store.close();

        final FaultSweep sweep = FaultSweep.run(counts, (op, n, message, partial, index) ->
            failOne(tmp.resolve("fault-" + index), op, n, message, partial));
        final List<String> failures = sweep.failures;
        final int faults = sweep.faults;
        System.out.println("RewindFaultTest: a rewind does " + counts + "; swept " + faults + " faults, " +
            failures.size() + " broke a promise");
        assertTrue(faults > 10, "a rewind should do several operations: " + counts);
        if (!failures.isEmpty())
        {
            fail(failures.size() + " of " + faults + " faults inside a rewind broke a promise:\n  " +
                String.join("\n  ", failures));
        }
    }

    /** @return what went wrong, or null. */
    private static String failOne(final Path dir, final FaultyFileSystem.Op op, final int n, final String message,
        final boolean partial)
    {
        final FaultyFileSystem fs = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        final Case c = new Case(dir, fs);
        final StoreHistory rewound = c.history.prefix(c.history.lastSequence());
        rewound.rewind(0, c.target.lastSequence(), 1);
        fs.failNth(op, n, message, partial);
        final Throwable thrown = FaultSweep.attempt(c::rewind);
        fs.disarm();
        if (!fs.fired())
        {
            return "the fault did not fire (the rewind did fewer operations than when counted)";
        }
        if (thrown != null && !(thrown instanceof MemsnapException))
        {
            return "the rewind threw " + thrown;
        }
        final Throwable later = FaultSweep.attempt(c::writeOn);
        if (later != null && (thrown == null || op == FaultyFileSystem.Op.CREATE ||
            !(later instanceof MemsnapException) || !later.getMessage().contains("open it again")))
        {
            // A failure to create the new timeline's segment, its first operation, leaves the store as it was.
            return "after the rewind " + (thrown == null ? "returned" : "failed (" + thrown.getMessage() + ")") +
                ", a write threw " + later;
        }
        final Throwable closing = FaultSweep.attempt(c.store::close);
        if (closing != null && !(closing instanceof MemsnapException))
        {
            return "close threw " + closing;
        }
        try (MemoryStore store = MemoryStore.open(dir, RewindCrashTest.options()))
        {
            final long k = store.lastSequence();
            final long timeline = store.lastSnapshot().timeline();
            if (timeline != c.history.timeline())
            {
                if (thrown == null || timeline != 1)
                {
                    return "reopened on timeline " + timeline + ", the history is on " + c.history.timeline();
                }
                rewound.verify(store, k, "reopened on the new timeline after a failed rewind");
                return k == c.target.lastSequence() ? null : "reopened on the new timeline at " + k;
            }
            if (k < c.acknowledged)
            {
                return "lost acknowledged writes: reopened at " + k + ", acknowledged " + c.acknowledged;
            }
            c.history.verify(store, k, "reopened");
        }
        catch (final RuntimeException | AssertionError ex)
        {
            return "the reopen failed: " + ex;
        }
        return null;
    }
}
