package io.memsnap.bench;

import io.memsnap.bench.engine.Engine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot latency (sample time: every snapshot timed, so p50, p99 and p99.9 are the snapshots' own) of a store of
 * {@code entries} entries when {@code changes} entries were overwritten since the previous snapshot. Before each
 * snapshot, untimed, {@code changes} puts overwrite uniformly chosen existing entries with new vectors. The
 * snapshot is the engine's own way to a durable, consistent point in time (see each {@code Engine}). The mean bytes
 * each snapshot flushed go to {@link Aux}, and so do, for every snapshot of the measurement iterations, its time
 * and the bytes it flushed ({@code snapshotMillis}, {@code snapshotBytes}, aligned), so that the gate compares each
 * snapshot with the disk's floor for its own bytes.
 *
 * <p>Claim under test: the latency depends on {@code changes}, not on {@code entries}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class SnapshotLatencyBenchmark
{
    @Param({"memsnap"})
    public String engine;

    @Param({"10000", "1000000"})
    public long entries;

    @Param({"1000"})
    public int changes;

    private Engine store;
    private Updates updates;
    private long bytes;
    private long snapshots;
    private boolean measuring;
    private double[] seriesMillis = new double[1024];
    private double[] seriesBytes = new double[1024];
    private int seriesCount;

    @Setup(Level.Trial)
    public void open()
    {
        System.out.println("corpus: " + Corpus.load().describe());
        store = Stores.open(engine, entries);
        updates = new Updates(entries, 0);
        store.snapshot();
    }

    @Setup(Level.Iteration)
    public void resetCounts(final IterationParams iteration)
    {
        bytes = 0;
        snapshots = 0;
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    @Setup(Level.Invocation)
    public void change()
    {
        for (int i = 0; i < changes; i++)
        {
            updates.putNext(store);
        }
    }

    /** @return the bytes the snapshot flushed. */
    @Benchmark
    public long snapshot()
    {
        final long start = System.nanoTime();
        final long flushed = store.snapshot();
        final long nanos = System.nanoTime() - start;
        bytes += flushed;
        snapshots++;
        if (measuring)
        {
            if (seriesCount == seriesMillis.length)
            {
                seriesMillis = Arrays.copyOf(seriesMillis, seriesCount * 2);
                seriesBytes = Arrays.copyOf(seriesBytes, seriesCount * 2);
            }
            seriesMillis[seriesCount] = nanos / 1e6;
            seriesBytes[seriesCount] = flushed;
            seriesCount++;
        }
        return flushed;
    }

    @TearDown(Level.Trial)
    public void close()
    {
        Aux.record(SnapshotLatencyBenchmark.class.getName() + ".snapshot",
            Map.of("engine", engine, "entries", Long.toString(entries), "changes", Integer.toString(changes)),
            Map.of("bytesFlushedMean", snapshots == 0 ? -1.0 : (double)bytes / snapshots,
                "snapshotsLastIteration", (double)snapshots,
                "meanNonZerosOfChanges", updates.meanNonZeros()),
            Map.of("snapshotMillis", Arrays.copyOf(seriesMillis, seriesCount),
                "snapshotBytes", Arrays.copyOf(seriesBytes, seriesCount)));
        Stores.release(store, engine, entries);
    }
}
