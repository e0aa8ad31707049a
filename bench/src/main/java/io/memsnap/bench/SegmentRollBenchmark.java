package io.memsnap.bench;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.segment.SegmentSizing;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Segment rolls: the latency of every put of one unpaced writer of small new entries (30 non-zeros, 24 bytes of
 * metadata, 320 bytes a record) into a new store, with segments that roll every 13,000 puts or so (layout
 * {@code rolling}: {@value #ROLLING_SEGMENT} bytes, after the growth from 64 KiB) or none at all (layout
 * {@code single}: a {@value #SINGLE_SEGMENT}-byte tail segment, started before the first iteration by one named state
 * of more than half its length and synced, that holds every put of the trial).
 *
 * <p>Every put is timed with {@code System.nanoTime()}: JMH's sample mode times a sample of the invocations once they
 * are many, and could miss the few puts that roll. Each iteration (one JMH single shot) makes {@code puts} puts; the
 * measured iterations' latencies of a trial go to {@link Aux} as percentiles, the exact maximum and the segments the
 * store gained meanwhile (the rolls); for the rolling layout also the mean and the slowest of the puts that rolled,
 * told from the others by following the log's position as the engine does ({@link LogModel}), which must agree with
 * the rolls counted.
 *
 * <p>The puts allocate nothing on the heap (the engine's put does not, and the ids and latencies of an iteration are
 * made before it), and each iteration starts after a full collection ({@code System.gc()}, outside the timing), so
 * that no young collection of the benchmark's own garbage lands among the timed puts: the collections that still do
 * are counted ({@code gcsDuringPuts}) and reported beside the maximum.
 *
 * <p>Claim under test: a put never waits for a segment file: put p99.99 with rolls / without near 1, and no put
 * anywhere near the cost of creating, sizing and syncing a file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SegmentRollBenchmark
{
    static final int ROLLING_SEGMENT = 4 << 20;
    static final int SINGLE_SEGMENT = 256 << 20;
    private static final int NON_ZEROS = 30;
    private static final int POOL = 1024;

    @Param({"rolling", "single"})
    public String layout;

    @Param({"100000"})
    public int puts;

    private MemoryStore store;
    private Path dir;
    private final SparseVector[] vectors = new SparseVector[POOL];
    private String[] ids;
    private long[] latencies;
    private long[] measured = new long[0];
    private int measuredCount;
    private long nextId;
    private boolean measuring;
    private int segmentsAtStart;
    private int segmentsMeasured;
    /** The rolling layout's log, followed put by put; null for the single layout. */
    private LogModel log;
    private boolean[] rolls;
    private long rollLatencySum;
    private long rollLatencyMax;
    private int rollsPredicted;
    private long gcsAtStart;
    private long gcsDuringPuts;

    @Setup(Level.Trial)
    public void open()
    {
        final boolean rolling = "rolling".equals(layout);
        if (!rolling && !"single".equals(layout))
        {
            throw new IllegalArgumentException("layout is rolling or single, was " + layout);
        }
        dir = BenchDirs.resolve("roll/" + layout);
        BenchDirs.deleteTree(dir);
        final int filler = SINGLE_SEGMENT / 2 + (1 << 20);
        store = MemoryStore.open(dir, StoreOptions.builder().dimension(Corpus.DIMENSION)
            .segmentSize(rolling ? ROLLING_SEGMENT : SINGLE_SEGMENT).maxStateBytes(filler).build());
        if (!rolling)
        {
            // More than half of the largest segment: the log rolls once, straight into a segment of that length.
            store.putState("filler", new byte[filler]);
            store.sync();
        }
        final SplittableRandom random = new SplittableRandom(Embeddings.SEED);
        for (int v = 0; v < POOL; v++)
        {
            final int[] indices = random.ints(0, Corpus.DIMENSION).distinct().limit(NON_ZEROS).sorted().toArray();
            final float[] values = new float[NON_ZEROS];
            for (int i = 0; i < NON_ZEROS; i++)
            {
                values[i] = (float)random.nextDouble(-1, 1);
            }
            vectors[v] = SparseVector.of(indices, values);
        }
        ids = new String[puts];
        latencies = new long[puts];
        rolls = new boolean[puts];
        log = rolling ? new LogModel(ROLLING_SEGMENT) : null;
    }

    @Setup(Level.Iteration)
    public void prepareIteration(final IterationParams iteration)
    {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        for (int i = 0; i < puts; i++)
        {
            ids[i] = Embeddings.id(nextId + i);
            rolls[i] = log != null && log.append(RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(
                NON_ZEROS, ids[i].length(), Embeddings.metadata(nextId).length)));
        }
        if (measuring && measuredCount == 0)
        {
            segmentsAtStart = store.stats().segmentCount();
        }
        // The ids above (and the previous iteration's garbage) collected now, not during the timed puts.
        System.gc();
        gcsAtStart = collections();
    }

    /** @return the collections of every collector of this JVM so far. */
    private static long collections()
    {
        long sum = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    /** @return the last put's latency, so that nothing is optimised away. */
    @Benchmark
    public long putAll()
    {
        final SparseVector[] v = vectors;
        final byte[] metadata = Embeddings.metadata(nextId);
        long last = 0;
        for (int i = 0; i < puts; i++)
        {
            final long start = System.nanoTime();
            store.put(ids[i], v[i & (POOL - 1)], 0.5f, Embeddings.storedAt(i), metadata);
            last = System.nanoTime() - start;
            latencies[i] = last;
        }
        return last;
    }

    @TearDown(Level.Iteration)
    public void keepLatencies()
    {
        nextId += puts;
        final long gcs = collections() - gcsAtStart;
        if (measuring)
        {
            gcsDuringPuts += gcs;
            measured = Arrays.copyOf(measured, measuredCount + puts);
            System.arraycopy(latencies, 0, measured, measuredCount, puts);
            measuredCount += puts;
            segmentsMeasured = store.stats().segmentCount() - segmentsAtStart;
            for (int i = 0; i < puts; i++)
            {
                if (rolls[i])
                {
                    rollsPredicted++;
                    rollLatencySum += latencies[i];
                    rollLatencyMax = Math.max(rollLatencyMax, latencies[i]);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void close()
    {
        final long[] sorted = Arrays.copyOf(measured, measuredCount);
        Arrays.sort(sorted);
        // The puts that rolled, when the log followed agrees with the rolls counted (else unknown).
        final boolean told = rollsPredicted > 0 && rollsPredicted == segmentsMeasured;
        final double rollMean = told ? rollLatencySum / 1e3 / rollsPredicted : Double.NaN;
        final double rollMax = told ? rollLatencyMax / 1e3 : Double.NaN;
        final Map<String, Double> figures = new java.util.TreeMap<>(Map.of("p50Micros", percentile(sorted, 50),
            "p99Micros", percentile(sorted, 99), "p999Micros", percentile(sorted, 99.9),
            "p9999Micros", percentile(sorted, 99.99),
            "maxMicros", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e3,
            "putsMeasured", (double)sorted.length, "rollsMeasured", (double)segmentsMeasured));
        figures.put("rollingPutMeanMicros", rollMean);
        figures.put("rollingPutMaxMicros", rollMax);
        figures.put("gcsDuringPuts", (double)gcsDuringPuts);
        Aux.record(SegmentRollBenchmark.class.getName() + ".putAll", Map.of("layout", layout, "puts",
            Integer.toString(puts)), figures);
        System.out.printf("%n%s: %,d puts, %d rolls: p50 %.1f, p99 %.1f, p99.9 %.1f, p99.99 %.1f, max %.1f us; " +
            "the puts that rolled: mean %.1f, max %.1f us; collections during the puts: %d%n", layout, sorted.length,
            segmentsMeasured, percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 99.9),
            percentile(sorted, 99.99), sorted[sorted.length - 1] / 1e3, rollMean, rollMax, gcsDuringPuts);
        store.close();
        BenchDirs.deleteTree(dir);
    }

    /**
     * The position of the rolling layout's log, followed as the engine moves it ({@link SegmentSizing},
     * {@link RecordDescriptor}): a store that only these puts write to (no sync or snapshot pads it, no compaction
     * copies into it) rolls exactly where a record no longer fits its segment. Not thread safe.
     */
    private static final class LogModel
    {
        private final int maxLength;
        private int length;
        private long position = SegmentDescriptor.HEADER_LENGTH;

        LogModel(final int maxLength)
        {
            this.maxLength = maxLength;
            this.length = SegmentSizing.first(maxLength);
        }

        /** @return whether the put of a record of {@code aligned} bytes rolls. */
        boolean append(final int aligned)
        {
            if (position + aligned <= length)
            {
                position += aligned;
                return false;
            }
            length = SegmentSizing.next(length, maxLength, aligned);
            position = SegmentDescriptor.HEADER_LENGTH + aligned;
            return true;
        }
    }

    /** @return the smallest latency (µs) with at least {@code p}% of the samples at or below it. */
    private static double percentile(final long[] sorted, final double p)
    {
        if (sorted.length == 0)
        {
            return Double.NaN;
        }
        final int rank = (int)Math.max(1, Math.ceil(p / 100.0 * sorted.length));
        return sorted[rank - 1] / 1e3;
    }
}
