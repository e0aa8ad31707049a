package io.memsnap.bench;

import io.memsnap.bench.engine.Engines;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs a profile of the benchmarks in one go and writes all their results to one JMH JSON file (and the
 * {@link Aux} figures beside it, {@code <out>.aux.jsonl}), so that every ratio is taken within one run.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.memsnap.bench.Suite gate results.json [--large N]
 * java -cp bench/peers/target/benchmarks-all.jar io.memsnap.bench.Suite full results.json [--large N]
 *     [--engines memsnap,lmdb,...]
 * java -cp bench/peers/target/benchmarks-all.jar io.memsnap.bench.Suite throughput results.json
 * </pre>
 *
 * <ul>
 *   <li>{@code gate}: memsnap only, short iterations in three interleaved rounds: what {@link Gate} needs (a few
 *       minutes on two cores).</li>
 *   <li>{@code snapshot}: the gate's floor and snapshot latency only, in the same interleaved rounds (about four
 *       minutes): the figures of the snapshot's floor ratios, without the writer and reader runs.</li>
 *   <li>{@code full}: every engine on the class path, the sizes and the change counts of docs/benchmarks.md.</li>
 *   <li>{@code throughput}: one thread's puts (overwrites), gets and zero-copy reads at 1M entries of each vector
 *       shape, its puts of new ids into a new store ({@code InsertBenchmark}), and the bulk loads, for memsnap ({@code ON_SYNC} and {@code BUFFERED}) and Chronicle Map, in three interleaved
 *       rounds, each after a measure of the disk's sequential bandwidth.</li>
 * </ul>
 */
public final class Suite
{
    /** Rounds of the throughput profile. */
    private static final int THROUGHPUT_ROUNDS = 3;
    /** How long a run waits for another JMH run on the machine to finish. */
    private static final long LOCK_WAIT_NANOS = 15L * 60 * 1_000_000_000L;
    /** Interleaved rounds of the gate's configurations. */
    private static final int GATE_ROUNDS = 3;

    private final Path out;
    private final Path aux;
    private final List<RunResult> results = new ArrayList<>();
    private final long started = System.nanoTime();

    private Suite(final Path out)
    {
        this.out = out.toAbsolutePath();
        this.aux = Path.of(this.out + ".aux.jsonl");
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2)
        {
            System.err.println("usage: Suite gate|snapshot|full|throughput OUT.json [--large N] [--engines a,b,...]");
            System.exit(2);
        }
        final String profile = args[0];
        long large = "full".equals(profile) ? 3_000_000 : 1_000_000;
        List<String> engines = new ArrayList<>();
        for (final String e : Engines.ALL)
        {
            if (Engines.available(e))
            {
                engines.add(e);
            }
        }
        for (int i = 2; i < args.length; i++)
        {
            if ("--large".equals(args[i]))
            {
                large = Long.parseLong(args[++i]);
            }
            else if ("--engines".equals(args[i]))
            {
                engines = Arrays.asList(args[++i].split(","));
            }
            else
            {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final Suite suite = new Suite(Path.of(args[1]));
        Files.deleteIfExists(suite.aux);
        System.out.println("corpus: " + Corpus.load().describe());
        System.out.println("data directory: " + BenchDirs.dataDir());
        switch (profile)
        {
            case "gate":
                suite.gate(large, true);
                break;
            case "snapshot":
                suite.gate(large, false);
                break;
            case "full":
                suite.full(large, engines);
                break;
            case "throughput":
                suite.throughput(engines);
                break;
            default:
                throw new IllegalArgumentException("unknown profile " + profile);
        }
        suite.write();
    }

    /**
     * The gate's configurations, in {@code ROUNDS} interleaved rounds, each configuration's order swapped every
     * other round, so that the two sides of each ratio see the same machine.
     *
     * @param all false for the floor and the snapshots alone.
     */
    private void gate(final long large, final boolean all) throws RunnerException
    {
        final String big = Long.toString(large);
        for (int round = 0; round < GATE_ROUNDS; round++)
        {
            final boolean swap = round % 2 == 1;
            System.out.printf("%n##### gate round %d of %d%n", round + 1, GATE_ROUNDS);
            run("DiskFloorBenchmark\\.", Map.of(), 1, 1, 2, 2, null);
            for (final String size : swap ? List.of(big, "10000") : List.of("10000", big))
            {
                run("SnapshotLatencyBenchmark\\.snapshot$",
                    params("engine", "memsnap", "entries", size, "changes", "1000"), 1, 1, 3, 2, null);
            }
            if (!all)
            {
                continue;
            }
            // Readers and the writer beside snapshots at a service's cadence, against the same without snapshots:
            // throughput, then latency (a fork each).
            for (final Mode mode : List.of(Mode.Throughput, Mode.SampleTime))
            {
                for (final String group : swap ?
                    List.of("readersWithWriterAndCadencedSnapshots", "readersWithWriter") :
                    List.of("readersWithWriter", "readersWithWriterAndCadencedSnapshots"))
                {
                    run("ReaderContentionBenchmark\\." + group + "$",
                        params("engine", "memsnap", "entries", big, "pauseMicros", "50"), 1, 1, 3, 2, mode);
                }
            }
            for (final String layout : swap ? List.of("single", "rolling") : List.of("rolling", "single"))
            {
                run("SegmentRollBenchmark\\.putAll$", params("layout", layout), 1, 0, 3, 0, null);
            }
        }
        if (!all)
        {
            return;
        }
        // The stress figures, reported and not gated, once: snapshots back to back beside the readers and the
        // writer, and beside the writer alone.
        run("ReaderContentionBenchmark\\.readersWithWriterAndSnapshots$",
            params("engine", "memsnap", "entries", big, "pauseMicros", "50"), 1, 1, 3, 2, Mode.Throughput);
        run("WriterStallBenchmark\\.(putsAlone|putsWithSnapshots)$",
            params("engine", "memsnap", "entries", big, "pauseMicros", "50"), 1, 2, 3, 2, null);
    }

    private void full(final long large, final List<String> engines) throws RunnerException, IOException
    {
        final String big = Long.toString(large);
        run("DiskFloorBenchmark\\.", Map.of(), 2, 1, 5, 2, null);
        for (final String engine : engines)
        {
            final boolean memsnap = Engines.MEMSNAP.equals(engine);
            final boolean seed = Engines.SEED_JSON.equals(engine);
            final boolean chronicle = Engines.CHRONICLE_MAP.equals(engine);
            // Snapshot latency against size, 1,000 changes; the seeds' whole-memory JSON stops at 100K (at 1M one
            // snapshot writes gigabytes of JSON through gzip: minutes), memsnap also runs the large size.
            final String sizes = seed ? "10000,100000" : memsnap ? "10000,100000,1000000," + big :
                "10000,100000,1000000";
            final int slow = seed || chronicle ? 1 : 0;
            run("SnapshotLatencyBenchmark\\.snapshot$", params("engine", engine, "entries", sizes, "changes", "1000"),
                slow == 1 ? 1 : 3, 1, slow == 1 ? 3 : 5, 2, null);
            // Against the number of changes at a fixed size (1M; the seeds' 100K): Chronicle's copy and the seeds'
            // rewrite do not depend on it, so they run one point above.
            if (!seed && !chronicle)
            {
                run("SnapshotLatencyBenchmark\\.snapshot$",
                    params("engine", engine, "entries", "1000000", "changes", "100,10000"), 3, 1, 5, 2, null);
            }
            // Stalls; memsnap also runs the diagnostic groups (syncs instead of snapshots; writer or snapshots only).
            final String stallSize = seed ? "100000" : "1000000";
            run(memsnap ? "WriterStallBenchmark\\." : "WriterStallBenchmark\\.(putsAlone|putsWithSnapshots)$",
                params("engine", engine, "entries", stallSize, "pauseMicros", "50"), 2, 2, 5, 4, null);
            run(memsnap ? "ReaderContentionBenchmark\\." :
                "ReaderContentionBenchmark\\.(readersAlone|readersWithWriterAndSnapshots)$",
                params("engine", engine, "entries", stallSize, "pauseMicros", "50"), 2, 2, 5, 2, null);
            run(zeroCopy(engine) ? "ThroughputBenchmark\\." : "ThroughputBenchmark\\.(put|get)$",
                params("engine", engine, "entries", stallSize), 2, 1, 5, 1, null);
            final String openSizes = seed ? "10000,100000" : memsnap ? "10000,100000,1000000," + big :
                "10000,100000,1000000";
            run("OpenBenchmark\\.", params("engine", engine, "entries", openSizes), seed ? 0 : 1, 0, seed ? 3 : 5, 0,
                null);
        }
    }

    /**
     * One thread's throughput by vector shape and the bulk loads, for memsnap (and its BUFFERED mode) beside
     * Chronicle Map when it is on the class path, in {@value #THROUGHPUT_ROUNDS} rounds, the engines' order reversed
     * every other round (a burst of load on the shared machine then falls on every engine), each round after a
     * measure of the disk's sequential bandwidth.
     */
    private void throughput(final List<String> available) throws RunnerException
    {
        final List<String> engines = new ArrayList<>(List.of(Engines.MEMSNAP, Engines.MEMSNAP_BUFFERED));
        if (available.contains(Engines.CHRONICLE_MAP))
        {
            engines.add(Engines.CHRONICLE_MAP);
        }
        for (int round = 0; round < THROUGHPUT_ROUNDS; round++)
        {
            System.out.printf("%n##### throughput round %d of %d%n", round + 1, THROUGHPUT_ROUNDS);
            final List<String> order = new ArrayList<>(engines);
            if (round % 2 == 1)
            {
                java.util.Collections.reverse(order);
            }
            run("DiskFloorBenchmark\\.sequentialWrite64m$", Map.of(), 1, 1, 3, 2, null);
            for (final String engine : order)
            {
                run(zeroCopy(engine) ? "ThroughputBenchmark\\." : "ThroughputBenchmark\\.(put|get)$",
                    params("engine", engine, "entries", "1000000", "vectors", "nnz30,corpus"), 1, 2, 3, 2, null);
                run("InsertBenchmark\\.", params("engine", engine, "vectors", "nnz30,corpus"), 1, 1, 3, 1, null);
            }
            for (final String engine : order)
            {
                run("BulkLoadBenchmark\\.", params("engine", engine, "vectors", "nnz30,corpus"), 2, 0, 3, 0, null);
            }
        }
    }

    private static boolean zeroCopy(final String engine)
    {
        return Engines.MEMSNAP.equals(engine) || Engines.MEMSNAP_BUFFERED.equals(engine) ||
            Engines.LMDB.equals(engine) || Engines.SEED_JSON.equals(engine);
    }

    private static Map<String, String> params(final String... pairs)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /**
     * Runs the benchmarks whose name matches the regular expression {@code include} after io.memsnap.bench. with these
     * parameters and iterations (seconds each; 0 keeps the benchmark's own), in the benchmark's own mode unless {@code mode} is
     * given.
     */
    private void run(final String include, final Map<String, String> params, final int warmups,
        final int warmupSeconds, final int measurements, final int measurementSeconds, final Mode mode)
        throws RunnerException
    {
        final ChainedOptionsBuilder options = new OptionsBuilder()
            .include("^io\\.memsnap\\.bench\\." + include)
            .forks(1)
            .warmupIterations(warmups)
            .measurementIterations(measurements)
            .jvmArgs("-Dmemsnap.bench.aux=" + aux, "-Dmemsnap.bench.dir=" + BenchDirs.dataDir(),
                "-Dmemsnap.bench.preallocate=" + Boolean.getBoolean("memsnap.bench.preallocate"))
            .shouldFailOnError(false);
        if (warmupSeconds > 0)
        {
            options.warmupTime(TimeValue.seconds(warmupSeconds));
        }
        if (measurementSeconds > 0)
        {
            options.measurementTime(TimeValue.seconds(measurementSeconds));
        }
        if (mode != null)
        {
            options.mode(mode);
        }
        for (final Map.Entry<String, String> e : params.entrySet())
        {
            options.param(e.getKey(), e.getValue().split(","));
        }
        System.out.printf("%n=== [%.0f s] %s %s%n", (System.nanoTime() - started) / 1e9, include, params);
        final long giveUp = System.nanoTime() + LOCK_WAIT_NANOS;
        while (true)
        {
            try
            {
                results.addAll(new Runner(options.build()).run());
                return;
            }
            catch (final RunnerException ex)
            {
                // Another JMH run on this machine holds JMH's lock: wait for it rather than measure beside it.
                if (String.valueOf(ex.getMessage()).contains("JMH lock") && System.nanoTime() < giveUp)
                {
                    System.out.println("another JMH run holds its lock; waiting 15 s");
                    LockSupport.parkNanos(15_000_000_000L);
                    continue;
                }
                throw ex;
            }
        }
    }

    private void write() throws IOException
    {
        try (PrintStream stream = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8))
        {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, stream).writeOut(results);
        }
        System.out.printf("%n%d results in %s (and %s), %.0f s%n", results.size(), out, aux,
            (System.nanoTime() - started) / 1e9);
    }
}
