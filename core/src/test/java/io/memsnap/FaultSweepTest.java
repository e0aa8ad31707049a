package io.memsnap;

import io.memsnap.crash.FaultyFileSystem;
import io.memsnap.crash.WorkloadMarkers;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.SegmentPreparer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails every file-system operation of a snapshot, a sync and an index checkpoint, one at a time (H2's
 * {@code FilePathUnstable} sweep): for each kind of operation and each n, a fresh store is written, the n-th
 * operation of that kind inside the call fails with "No space left on device" or "Input/output error" (a write
 * also half done), and the test asserts all-or-nothing:
 * <ul>
 * <li>the call returns, or throws a typed {@link MemsnapException} that says what happened;</li>
 * <li>the store stays usable (a put and the same call again succeed once the cause is gone) or refuses cleanly
 * with a typed exception;</li>
 * <li>a reopen on the real file system opens, holds every write acknowledged before (and after, if the later
 * call succeeded), exactly as written, and its newest snapshot, read-only, is whole and no older than the last
 * one acknowledged.</li>
 * </ul>
 * The failures are collected and reported together, each with its operation, kind and n.
 */
class FaultSweepTest
{
    private static final long SEED = 0x5EEDFAB1L;

    @TempDir
    Path tmp;

    /** What a fault test keeps of the markers: the last promises. Thread safe. */
    private static final class Promises implements WorkloadMarkers
    {
        volatile long acknowledged;
        volatile long acknowledgedSnapshot;

        @Override
        public void issue(final long sequence)
        {
        }

        @Override
        public void acknowledge(final long sequence)
        {
            acknowledged = Math.max(acknowledged, sequence);
        }

        @Override
        public void acknowledgeSnapshot(final long sequence)
        {
            acknowledgedSnapshot = Math.max(acknowledgedSnapshot, sequence);
        }

        @Override
        public void label(final String text)
        {
        }
    }

    @BeforeAll
    static void quiet()
    {
        QuietEngineLog.silence(); // the engine warns of every failure it retries later
    }

    @AfterAll
    static void loud()
    {
        QuietEngineLog.restore();
    }

    @Test
    void everyFailureInsideASnapshotIsAllOrNothing()
    {
        sweep("snapshot", 2, CrashWorkload::snapshot);
    }

    @Test
    void everyFailureInsideARecyclingSnapshotIsAllOrNothing()
    {
        sweep("recycling snapshot", 3, CrashWorkload::snapshot);
    }

    @Test
    void everyFailureInsideASyncIsAllOrNothing()
    {
        sweep("sync", 2, CrashWorkload::sync);
    }

    @Test
    void everyFailureInsideACheckpointIsAllOrNothing()
    {
        sweep("checkpoint", 2, w ->
        {
            w.checkpoint();
            w.snapshot();
        });
    }

    /** Counts the operations of {@code call} once, then fails each in turn on a fresh store. */
    private void sweep(final String name, final int retained, final Consumer<CrashWorkload> call)
    {
        final FaultyFileSystem counting = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        final Case dry = new Case(tmp.resolve(name.replace(' ', '-') + "-count"), counting, retained);
        counting.resetCounts();
        call.accept(dry.workload);
        final Map<FaultyFileSystem.Op, Integer> counts = counting.counts();
        dry.workload.close();

        final FaultSweep sweep = FaultSweep.run(counts, (op, n, message, partial, index) ->
            failOne(name, retained, call, op, n, message, partial, index));
        final List<String> failures = sweep.failures;
        final int faults = sweep.faults;
        System.out.println("FaultSweepTest: " + name + " does " + counts + "; swept " + faults + " faults, " +
            failures.size() + " broke a promise");
        assertTrue(faults > 3, "a " + name + " should do several operations: " + counts);
        if (!failures.isEmpty())
        {
            fail(failures.size() + " of " + faults + " faults inside a " + name + " broke a promise:\n  " + name +
                ": " + String.join("\n  " + name + ": ", failures));
        }
    }

    /** @return what went wrong, or null. */
    private String failOne(final String name, final int retained, final Consumer<CrashWorkload> call,
        final FaultyFileSystem.Op op, final int n, final String message, final boolean partial, final int index)
    {
        final FaultyFileSystem fs = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        final Case c = new Case(tmp.resolve(name.replace(' ', '-') + "-" + index), fs, retained);
        fs.failNth(op, n, message, partial);
        final Throwable thrown = FaultSweep.attempt(() -> call.accept(c.workload));
        fs.disarm();
        if (!fs.fired())
        {
            return "the fault did not fire (the call did fewer operations than when counted)";
        }
        if (thrown != null && !(thrown instanceof MemsnapException))
        {
            return "threw " + thrown;
        }
        // Once the cause is gone: the store goes on, or refuses cleanly.
        final Throwable later = FaultSweep.attempt(() ->
        {
            c.workload.putNew();
            call.accept(c.workload);
        });
        if (later != null && !(later instanceof MemsnapException))
        {
            return "after the fault, the store threw " + later;
        }
        final Throwable closing = FaultSweep.attempt(c.workload::close);
        if (closing != null && !(closing instanceof MemsnapException))
        {
            return "close threw " + closing;
        }
        return c.reopened();
    }

    /** A store written up to the call under test: three snapshots, then writes that roll a segment. */
    private static final class Case
    {
        final Path dir;
        final StoreOptions options;
        final StoreHistory history = new StoreHistory();
        final Promises promises = new Promises();
        final CrashWorkload workload;

        Case(final Path dir, final StoreFileSystem fs, final int retained)
        {
            this.dir = dir;
            // No background thread changes what the call does: the write-back, which would otherwise flush the
            // segments the log rolled past on its own schedule (a call then skips those), is off too.
            this.options = StoreOptions.builder().backgroundCompaction(false).dimension(CrashWorkload.DIMENSION)
                .segmentSize(StoreOptions.MIN_SEGMENT_SIZE).retainedSnapshots(retained).writebackBytes(0)
                .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).build();
            this.workload = new CrashWorkload(fs, promises, history, new Random(SEED), 1500);
            workload.open(dir, options);
            for (int i = 0; i < 3; i++)
            {
                workload.mixed(8);
                workload.snapshot();
            }
            workload.checkpoint();
            workload.mixed(90);
        }

        /** @return what is wrong with the store reopened on the real file system, or null. */
        String reopened()
        {
            try (MemoryStore store = MemoryStore.open(dir, options))
            {
                final long k = store.lastSequence();
                if (k < promises.acknowledged)
                {
                    return "lost acknowledged writes: reopened at " + k + ", acknowledged " + promises.acknowledged;
                }
                if (k > history.lastSequence())
                {
                    return "reopened at " + k + " but only " + history.lastSequence() + " writes were made";
                }
                history.verify(store, k, "reopened");
            }
            catch (final RuntimeException | AssertionError ex)
            {
                return "the reopen failed: " + ex;
            }
            try (MemoryStore store = MemoryStore.open(dir, options.toBuilder().readOnly(true).build()))
            {
                final long k = store.lastSequence();
                if (k < promises.acknowledgedSnapshot)
                {
                    return "the newest snapshot holds " + k + " writes, " + promises.acknowledgedSnapshot +
                        " were acknowledged";
                }
                history.verify(store, k, "newest snapshot");
            }
            catch (final RuntimeException | AssertionError ex)
            {
                return "the read-only reopen failed: " + ex;
            }
            return null;
        }
    }
}
