package io.memsnap.bench;

import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.MemsnapEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Writer stall: the latency of every put (sample time) by one writer, alone (group {@code putsAlone}) and while a
 * second thread takes snapshots back to back (group {@code putsWithSnapshots}: methods {@code put} and
 * {@code snapshotLoop}). The writer overwrites uniformly chosen existing entries and rests {@code pauseMicros}
 * between puts, untimed (a steady writer of some thousands of puts a second, as an agent's memory sees; an
 * unpaced writer would fill the disk at the memory bus's speed and measure write-back, not stalls). Each group runs
 * in its own fork on the same store.
 *
 * <p>Claim under test: a snapshot never stalls the writer: put p99.9 with snapshots running / alone near 1. The
 * group {@code putsWithSyncs} (memsnap only) replaces the snapshots by {@code sync()}, for diagnosis.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 4)
public class WriterStallBenchmark
{
    @Param({"memsnap"})
    public String engine;

    @Param({"1000000"})
    public long entries;

    @Param({"50"})
    public int pauseMicros;

    private Engine store;
    private final AtomicInteger streams = new AtomicInteger();

    @Setup(Level.Trial)
    public void open()
    {
        store = Stores.open(engine, entries);
        store.snapshot();
    }

    @TearDown(Level.Trial)
    public void close()
    {
        Stores.release(store, engine, entries);
    }

    /** One writer's changes and its pacing. */
    @State(Scope.Thread)
    public static class Writer
    {
        Updates updates;
        long pauseNanos;

        @Setup(Level.Trial)
        public void init(final WriterStallBenchmark benchmark)
        {
            updates = new Updates(benchmark.entries, 1 + benchmark.streams.getAndIncrement());
            pauseNanos = benchmark.pauseMicros * 1000L;
        }

        @Setup(Level.Invocation)
        public void pace()
        {
            if (pauseNanos > 0)
            {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }

    /** One put with no snapshot running. */
    @Benchmark
    @Group("putsAlone")
    @GroupThreads(1)
    public void putAlone(final Writer writer)
    {
        writer.updates.putNext(store);
    }

    /** One put while {@link #snapshotLoop} takes snapshots. */
    @Benchmark
    @Group("putsWithSnapshots")
    @GroupThreads(1)
    public void put(final Writer writer)
    {
        writer.updates.putNext(store);
    }

    /** Snapshots back to back, beside {@link #put}. */
    @Benchmark
    @Group("putsWithSnapshots")
    @GroupThreads(1)
    public long snapshotLoop()
    {
        return store.snapshot();
    }

    /** Diagnosis (memsnap only): one put while {@link #syncLoop} runs. */
    @Benchmark
    @Group("putsWithSyncs")
    @GroupThreads(1)
    public void putBesideSyncs(final Writer writer)
    {
        writer.updates.putNext(store);
    }

    /**
     * Diagnosis (memsnap only): {@code MemoryStore.sync()} back to back: the msync of the new records that a
     * snapshot does, without its manifest commit, to tell which part of a snapshot a stall comes from.
     */
    @Benchmark
    @Group("putsWithSyncs")
    @GroupThreads(1)
    public void syncLoop()
    {
        ((MemsnapEngine)store).store().sync();
    }
}
