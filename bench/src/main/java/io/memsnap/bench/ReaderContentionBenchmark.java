package io.memsnap.bench;

import io.memsnap.MemoryEntry;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.RecordCodec;
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

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reader contention: the throughput and (in sample-time mode) the latency of gets by the readers, and the latency of
 * the writer's puts, with and without snapshots beside them. A get looks up a uniformly chosen id, copies the entry
 * out and scores it against a query vector. The writer overwrites uniformly chosen ids and rests {@code pauseMicros}
 * between puts, untimed (as in {@link WriterStallBenchmark}), so that on a machine with few cores the readers
 * compete with the writer for the store, not for a core. One reader by default (two cores); JMH's {@code -tg}
 * changes the thread counts.
 *
 * <p>Groups, each in its own fork on the same store:
 * <ul>
 *   <li>{@code readersWithWriter} ({@code getBesideWriter}, {@code putBesideReaders}): the readers beside the
 *       writer, no snapshots: the baseline of the two below.</li>
 *   <li>{@code readersWithWriterAndCadencedSnapshots} ({@code getOnCadence}, {@code putOnCadence},
 *       {@code snapshotOnCadence}): the same, and a snapshot once {@value #CADENCE_CHANGES} changes were made since
 *       the last one or {@value #CADENCE_MILLIS} ms passed, whichever comes first: the cadence of a service's
 *       automatic snapshots. Claim under test: readers and the writer barely notice them (throughput, get p99 and
 *       put p99.9 against {@code readersWithWriter}).</li>
 *   <li>{@code readersWithWriterAndSnapshots} ({@code get}, {@code put}, {@code snapshotLoop}): snapshots back to
 *       back, a stress figure, with the CPU time each snapshot costs its thread (in {@link Aux}).</li>
 *   <li>{@code readersAlone}; and for diagnosis {@code readersWithSnapshots} (no writer),
 *       {@code readersWithCommitFloor} (the readers beside the physical flushes of a commit, looped, with no
 *       engine: a record block fdatasynced, a manifest-sized file fdatasynced, the directory fsynced), and
 *       {@code readersWithSpinner} (beside a thread that only computes: what a second busy thread costs a reader on
 *       this machine at all).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReaderContentionBenchmark
{
    @Param({"memsnap"})
    public String engine;

    @Param({"1000000"})
    public long entries;

    @Param({"50"})
    public int pauseMicros;

    /** The cadence of {@code readersWithWriterAndCadencedSnapshots}: a snapshot after this many changes... */
    public static final int CADENCE_CHANGES = 1000;
    /** ...or this long after the last one, whichever comes first. */
    public static final int CADENCE_MILLIS = 50;
    private static final long CADENCE_NANOS = CADENCE_MILLIS * 1_000_000L;

    private Engine store;
    private final AtomicInteger streams = new AtomicInteger();
    /** Puts made by the writer, for the cadence. */
    private final AtomicLong changes = new AtomicLong();
    /** {@link #changes} when the last cadenced snapshot began. */
    private volatile long changesAtSnapshot;
    /** The thread of {@link #snapshotOnCadence}, woken by the writer when {@value #CADENCE_CHANGES} are due. */
    private volatile Thread snapshotter;

    @Setup(Level.Trial)
    public void open()
    {
        store = Stores.open(engine, entries);
        store.snapshot();
        // A fork starts cold: nothing of the store mapped, the get path interpreted, the heap unsized. Measure
        // contention, not that: one pass over the store, then gets for a few seconds.
        store.warm(entries);
        final Reader warmer = new Reader();
        warmer.ids = new Updates(entries, 99);
        final long end = System.nanoTime() + WARM_GETS_NANOS;
        double sum = 0;
        while (System.nanoTime() < end)
        {
            sum += getAndScore(store, warmer);
        }
        warmSum = sum;
    }

    /** Keeps the warm-up's work observable. */
    public double warmSum;

    /** How long each fork reads before it measures (besides JMH's warm-up iterations). */
    private static final long WARM_GETS_NANOS = 4_000_000_000L;

    @TearDown(Level.Trial)
    public void close()
    {
        Stores.release(store, engine, entries);
    }

    /** One reader's ids and query. */
    @State(Scope.Thread)
    public static class Reader
    {
        Updates ids;

        @Setup(Level.Trial)
        public void init(final ReaderContentionBenchmark benchmark)
        {
            ids = new Updates(benchmark.entries, 100 + benchmark.streams.getAndIncrement());
        }
    }

    /** The paced writer. */
    @State(Scope.Thread)
    public static class Writer
    {
        Updates updates;
        long pauseNanos;

        @Setup(Level.Trial)
        public void init(final ReaderContentionBenchmark benchmark)
        {
            updates = new Updates(benchmark.entries, 200 + benchmark.streams.getAndIncrement());
            pauseNanos = benchmark.pauseMicros * 1000L;
        }

        /** The writer's rest before each put, outside the timed put (a put's latency is the put's alone). */
        @Setup(Level.Invocation)
        public void pace()
        {
            if (pauseNanos > 0)
            {
                LockSupport.parkNanos(pauseNanos);
            }
        }
    }

    /** The CPU time the snapshots of one thread cost, recorded in {@link Aux} at the end of the trial. */
    @State(Scope.Thread)
    public static class Snapshotter
    {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        long lastNanos;
        long snapshots;
        long cpuNanos;
        long wallNanos;
        private String name;
        private Map<String, String> params;

        @Setup(Level.Trial)
        public void init(final ReaderContentionBenchmark benchmark)
        {
            lastNanos = System.nanoTime();
            params = Map.of("engine", benchmark.engine, "entries", Long.toString(benchmark.entries),
                "pauseMicros", Integer.toString(benchmark.pauseMicros));
        }

        /** Takes one snapshot, counting its thread's CPU time and its wall time. */
        long snapshot(final Engine store, final String benchmark)
        {
            name = benchmark;
            final long cpu = THREADS.getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            final long bytes = store.snapshot();
            final long end = System.nanoTime();
            cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu;
            wallNanos += end - start;
            snapshots++;
            lastNanos = start;
            return bytes;
        }

        @TearDown(Level.Trial)
        public void record()
        {
            if (snapshots > 0)
            {
                Aux.record(ReaderContentionBenchmark.class.getName() + "." + name, params,
                    Map.of("snapshots", (double)snapshots, "snapshotCpuMicrosMean", cpuNanos / 1e3 / snapshots,
                        "snapshotWallMicrosMean", wallNanos / 1e3 / snapshots));
            }
        }
    }

    private static double getAndScore(final Engine store, final Reader reader)
    {
        final MemoryEntry entry = store.get(reader.ids.nextId());
        return entry == null ? Double.NaN : RecordCodec.dot(entry.vector(), reader.ids.query());
    }

    /** A get with nothing else running. */
    @Benchmark
    @Group("readersAlone")
    @GroupThreads(1)
    public double getAlone(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /** A get beside {@link #put} and {@link #snapshotLoop}. */
    @Benchmark
    @Group("readersWithWriterAndSnapshots")
    @GroupThreads(1)
    public double get(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /**
     * The writer: one put (its rest of {@code pauseMicros} comes before, untimed). Every group's writer counts its
     * changes and wakes the cadenced snapshotter when {@value #CADENCE_CHANGES} are due, so that the writer does the
     * same work with and without it.
     */
    @Benchmark
    @Group("readersWithWriterAndSnapshots")
    @GroupThreads(1)
    public void put(final Writer writer)
    {
        writer.updates.putNext(store);
        if (changes.incrementAndGet() - changesAtSnapshot >= CADENCE_CHANGES)
        {
            final Thread waiting = snapshotter;
            if (waiting != null)
            {
                LockSupport.unpark(waiting);
            }
        }
    }

    /** Snapshots back to back: the stress figure. */
    @Benchmark
    @Group("readersWithWriterAndSnapshots")
    @GroupThreads(1)
    public long snapshotLoop(final Snapshotter snapshots)
    {
        return snapshots.snapshot(store, "snapshotLoop");
    }

    /** A get beside {@link #putOnCadence} and {@link #snapshotOnCadence}. */
    @Benchmark
    @Group("readersWithWriterAndCadencedSnapshots")
    @GroupThreads(1)
    public double getOnCadence(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /** The writer beside the readers and the cadenced snapshots. */
    @Benchmark
    @Group("readersWithWriterAndCadencedSnapshots")
    @GroupThreads(1)
    public void putOnCadence(final Writer writer)
    {
        put(writer);
    }

    /**
     * Waits until a snapshot is due ({@value #CADENCE_CHANGES} changes since the last one, or
     * {@value #CADENCE_MILLIS} ms), then takes it.
     */
    @Benchmark
    @Group("readersWithWriterAndCadencedSnapshots")
    @GroupThreads(1)
    public long snapshotOnCadence(final Snapshotter snapshots)
    {
        snapshotter = Thread.currentThread();
        final long due = snapshots.lastNanos + CADENCE_NANOS;
        long now;
        while (changes.get() - changesAtSnapshot < CADENCE_CHANGES && (now = System.nanoTime()) < due)
        {
            LockSupport.parkNanos(due - now);
        }
        changesAtSnapshot = changes.get();
        return snapshots.snapshot(store, "snapshotOnCadence");
    }

    /** Diagnosis: a get beside the paced writer only. */
    @Benchmark
    @Group("readersWithWriter")
    @GroupThreads(1)
    public double getBesideWriter(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /** Diagnosis: the paced writer beside the readers, no snapshots. */
    @Benchmark
    @Group("readersWithWriter")
    @GroupThreads(1)
    public void putBesideReaders(final Writer writer)
    {
        put(writer);
    }

    /** Diagnosis: a get beside {@link #spinner}. */
    @Benchmark
    @Group("readersWithSpinner")
    @GroupThreads(1)
    public double getBesideSpinner(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /**
     * Diagnosis: a thread that only computes, for as long as the iteration lasts: whether two busy threads get two
     * CPUs' worth of work on this machine (virtual CPUs may share a core or be overcommitted by the host).
     */
    @Benchmark
    @Group("readersWithSpinner")
    @GroupThreads(1)
    public long spinner(final Writer writer)
    {
        long x = writer.pauseNanos;
        for (int i = 0; i < 10_000; i++)
        {
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        return x;
    }

    /** Files of {@link #commitFloor}: a record file, a manifest file, and their directory. */
    @State(Scope.Thread)
    public static class Floor
    {
        FileChannel records;
        FileChannel manifest;
        FileChannel directory;
        final ByteBuffer block = ByteBuffer.allocateDirect(4096);
        final ByteBuffer small = ByteBuffer.allocateDirect(180);

        @Setup(Level.Trial)
        public void open() throws IOException
        {
            final Path dir = BenchDirs.resolve("commit-floor/x").getParent();
            records = FileChannel.open(dir.resolve("records.bin"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            manifest = FileChannel.open(dir.resolve("manifest.bin"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            directory = FileChannel.open(dir, StandardOpenOption.READ);
            records.write(block.duplicate(), 0);
            manifest.write(small.duplicate(), 0);
            records.force(true);
            manifest.force(true);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            records.close();
            manifest.close();
            directory.close();
        }
    }

    /** Diagnosis: a get beside {@link #commitFloor}. */
    @Benchmark
    @Group("readersWithCommitFloor")
    @GroupThreads(1)
    public double getBesideCommitFloor(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /** Diagnosis: the flushes of one snapshot, with nothing else: records, manifest, directory, back to back. */
    @Benchmark
    @Group("readersWithCommitFloor")
    @GroupThreads(1)
    public void commitFloor(final Floor floor) throws IOException
    {
        floor.records.write(floor.block.duplicate(), 0);
        floor.records.force(false);
        floor.manifest.write(floor.small.duplicate(), 0);
        floor.manifest.force(false);
        floor.directory.force(true);
    }

    /** Diagnosis: a get beside the snapshotter only (snapshots of nothing new: the commit alone). */
    @Benchmark
    @Group("readersWithSnapshots")
    @GroupThreads(1)
    public double getBesideSnapshots(final Reader reader)
    {
        return getAndScore(store, reader);
    }

    /** Diagnosis: snapshots back to back beside the readers, no writer. */
    @Benchmark
    @Group("readersWithSnapshots")
    @GroupThreads(1)
    public long snapshotBesideReaders()
    {
        return store.snapshot();
    }
}
