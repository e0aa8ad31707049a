package io.memsnap.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;


/**
 * The benchmark gate: reads one run's JMH JSON (and its {@link Aux} figures), merges the rounds of each
 * configuration (the {@link Suite} interleaves them, so that a burst of load on a shared machine falls on both sides
 * of a ratio), computes each property's ratio,
 * prints it beside its threshold (from {@code bench/gate.properties}) and exits 1 if a blocking property fails or
 * could not be measured, {@value #REPORTED_FAILURE} if only others did (they are reported), 0 if every one holds.
 * The blocking properties are the keys listed in the file's {@code blocking}: those that held in five runs in a row.
 * The properties (all for memsnap, all ratios of figures from the same run):
 *
 * <ol>
 *   <li>snapshot p99 at the largest size / at 10,000 entries, same changes: at most the threshold;</li>
 *   <li>snapshot p50 and p99 / the floor for the bytes it flushed, at each size: at most; the floor of a snapshot
 *       is {@code fdatasync4k + its bytes / (64 MiB / sequentialWrite64m mean time)}, with fdatasync4k's p50 for
 *       the p50 and its p99 for the p99, and the ratio's percentiles are those of every snapshot's own ratio (with
 *       results that lack the per-snapshot series, the snapshots' percentiles over the floor for their mean
 *       bytes);</li>
 *   <li>get throughput of readers beside a writer and snapshots at a service's cadence (every 1,000 changes or
 *       50 ms) / beside the writer alone: at least;</li>
 *   <li>get p99, same two configurations: at most;</li>
 *   <li>put p99.9 of that writer, same two configurations: at most;</li>
 *   <li>put p99.99 of a writer whose segments roll / of one whose segment never does (the mean of the rounds'
 *       p99.99, each over every put of the round: {@link SegmentRollBenchmark}): at most;</li>
 *   <li>the slowest put of the rolling writer, over every round, in milliseconds: at most. Both need at least
 *       {@value #MIN_ROLLS} rolls in each round of the rolling writer and none in the other's.</li>
 * </ol>
 * Snapshots back to back (the stress figures) are printed, not gated.
 * </ol>
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.Gate RESULTS.json [gate.properties]</pre>
 */
public final class Gate
{
    private static final String ENGINE = "memsnap";
    private static final long SMALL = 10_000;
    /** The fewest rolls a round of {@link SegmentRollBenchmark}'s rolling writer must make to count. */
    static final int MIN_ROLLS = 20;
    private static final String ROLLS = "SegmentRollBenchmark.putAll";

    /** Exit status when only properties that do not block failed. */
    static final int REPORTED_FAILURE = 3;

    private final List<String> failures = new ArrayList<>();
    private final List<String> blockingFailures = new ArrayList<>();
    /** The keys of the properties whose failure fails the gate ({@code blocking} in gate.properties). */
    private final Set<String> blocking;

    private Gate(final Set<String> blocking)
    {
        this.blocking = blocking;
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 1)
        {
            System.err.println("usage: Gate RESULTS.json [gate.properties]");
            System.exit(2);
        }
        final Path json = Path.of(args[0]);
        final Path thresholdsFile = Path.of(args.length > 1 ? args[1] : "bench/gate.properties");
        final Properties thresholds = new Properties();
        try (Reader reader = Files.newBufferedReader(thresholdsFile))
        {
            thresholds.load(reader);
        }
        final JmhResults results = JmhResults.read(json, Path.of(json + ".aux.jsonl"));
        final Gate gate = new Gate(blocking(thresholds));
        for (final String key : gate.blocking)
        {
            threshold(thresholds, key); // a blocking key that names no property is a mistake of the file
        }
        gate.check(results, thresholds);
        gate.cadence(results, thresholds);
        gate.checkRolls(results, thresholds);
        gate.stress(results);
        if (gate.failures.isEmpty())
        {
            System.out.println("gate: PASS (every property holds)");
        }
        else if (!gate.blockingFailures.isEmpty())
        {
            System.out.println("gate: FAIL: " + String.join("; ", gate.failures) + " (blocking: " +
                String.join("; ", gate.blockingFailures) + ")");
            System.exit(1);
        }
        else
        {
            System.out.println("gate: FAIL, reported: " + String.join("; ", gate.failures) + " (no blocking " +
                "property failed)");
            System.exit(REPORTED_FAILURE);
        }
    }

    private static double threshold(final Properties thresholds, final String key)
    {
        final String value = thresholds.getProperty(key);
        if (value == null)
        {
            throw new IllegalArgumentException("gate.properties has no " + key);
        }
        return Double.parseDouble(value.trim());
    }

    private void check(final JmhResults results, final Properties thresholds)
    {
        // The floor, over all the rounds.
        final JmhResults.Merged sync = results.merged("DiskFloorBenchmark.fdatasync4k", "sample", Map.of(), null);
        final JmhResults.Merged sequential = results.merged("DiskFloorBenchmark.sequentialWrite64m", "avgt",
            Map.of(), null);
        if (sync == null || sequential == null)
        {
            missing("the disk floor (fdatasync4k, sequentialWrite64m)", "snapshot.p50.over.floor.max");
            return;
        }
        final double syncP50 = sync.percentile(50);
        final double syncP99 = sync.percentile(99);
        final double bandwidth = DiskFloorBenchmark.SEQUENTIAL_BYTES / (sequential.score() / 1000.0);
        System.out.printf("floor (%d rounds): fdatasync of 4 KiB p50 %.3f ms, p99 %.3f ms; sequential write + " +
            "fdatasync %.0f MiB/s%n", sync.rounds(), syncP50, syncP99, bandwidth / (1 << 20));

        // 1 and 2: snapshot latency against size.
        final TreeSet<Long> sizes = new TreeSet<>();
        String changes = null;
        for (final Map<String, Object> r : results.find("SnapshotLatencyBenchmark.snapshot", "sample",
            Map.of("engine", ENGINE)))
        {
            if (changes == null || "1000".equals(JmhResults.param(r, "changes")))
            {
                changes = JmhResults.param(r, "changes");
            }
        }
        if (changes != null)
        {
            for (final Map<String, Object> r : results.find("SnapshotLatencyBenchmark.snapshot", "sample",
                Map.of("engine", ENGINE, "changes", changes)))
            {
                sizes.add(Long.parseLong(JmhResults.param(r, "entries")));
            }
        }
        if (sizes.size() < 2 || !sizes.contains(SMALL))
        {
            missing("snapshot latency of memsnap at 10,000 entries and a larger size, same changes",
                "snapshot.p50.over.floor.max");
        }
        else
        {
            final long large = sizes.last();
            final JmhResults.Merged small = snapshot(results, SMALL, changes);
            final JmhResults.Merged big = snapshot(results, large, changes);
            System.out.printf("  (snapshots: %,d entries p50 %.3f ms over %d samples in %d rounds; %,d entries p50 " +
                "%.3f ms over %d samples in %d rounds)%n", SMALL, small.percentile(50), small.samples(),
                small.rounds(), large, big.percentile(50), big.samples(), big.rounds());
            ratio(String.format("snapshot p99 at %,d entries / at %,d (%s changes) [%.3f / %.3f ms]", large, SMALL,
                changes, big.percentile(99), small.percentile(99)), big.percentile(99) / small.percentile(99),
                thresholds, "snapshot.p99.large.over.small.max", true);
            for (final long size : sizes)
            {
                final JmhResults.Merged m = snapshot(results, size, changes);
                final Map<String, String> params = Map.of("engine", ENGINE, "entries", Long.toString(size),
                    "changes", changes);
                final double bytes = results.aux("SnapshotLatencyBenchmark.snapshot", params, "bytesFlushedMean");
                final double floor99 = syncP99 + bytes / bandwidth * 1000.0;
                final double floor50 = syncP50 + bytes / bandwidth * 1000.0;
                final double[] millis = results.auxSeries("SnapshotLatencyBenchmark.snapshot", params,
                    "snapshotMillis");
                final double[] flushed = results.auxSeries("SnapshotLatencyBenchmark.snapshot", params,
                    "snapshotBytes");
                if (millis.length > 0 && millis.length == flushed.length)
                {
                    // Each snapshot against the floor for its own bytes: a snapshot that flushed a compaction's
                    // copies is held to a floor that includes them, and one that flushed little to a small one.
                    System.out.printf("  (snapshot at %,d entries / floor for its mean %.2f MB: p50 %.2f, p99 %.2f)%n",
                        size, bytes / 1e6, m.percentile(50) / floor50, m.percentile(99) / floor99);
                    final double[] over50 = new double[millis.length];
                    final double[] over99 = new double[millis.length];
                    for (int i = 0; i < millis.length; i++)
                    {
                        over50[i] = millis[i] / (syncP50 + flushed[i] / bandwidth * 1000.0);
                        over99[i] = millis[i] / (syncP99 + flushed[i] / bandwidth * 1000.0);
                    }
                    ratio(String.format("snapshot at %,d entries / floor for its own bytes, p50 over %,d snapshots " +
                        "[p50 %.3f ms, bytes p50 %.2f MB]", size, millis.length, m.percentile(50),
                        percentile(flushed, 50) / 1e6), percentile(over50, 50),
                        thresholds, "snapshot.p50.over.floor.max", true);
                    ratio(String.format("snapshot at %,d entries / floor for its own bytes (fdatasync p99), p99 " +
                        "[p99 %.3f ms, bytes p99 %.2f MB]", size, m.percentile(99), percentile(flushed, 99) / 1e6),
                        percentile(over99, 99), thresholds, "snapshot.p99.over.floor.max", true);
                    continue;
                }
                ratio(String.format("snapshot p50 at %,d entries / floor at p50 for its %.2f MB [%.3f / (%.3f + %.3f) " +
                    "ms]", size, bytes / 1e6, m.percentile(50), syncP50, bytes / bandwidth * 1000.0),
                    m.percentile(50) / floor50, thresholds, "snapshot.p50.over.floor.max", true);
                ratio(String.format("snapshot p99 at %,d entries / floor for its %.2f MB [%.3f / (%.3f + %.3f) ms]",
                    size, bytes / 1e6, m.percentile(99), syncP99, bytes / bandwidth * 1000.0),
                    m.percentile(99) / floor99, thresholds, "snapshot.p99.over.floor.max", true);
            }
        }

    }

    /**
     * 3 to 5: the readers and the writer beside snapshots at a service's cadence against the same without
     * snapshots, each side pooled over the rounds: get throughput (throughput forks), get p99 and put p99.9
     * (sample-time forks; JMH keeps no histogram for a group's methods, so both sides are the mean of the rounds'
     * percentiles).
     */
    private void cadence(final JmhResults results, final Properties thresholds)
    {
        final String with = "ReaderContentionBenchmark.readersWithWriterAndCadencedSnapshots";
        final String without = "ReaderContentionBenchmark.readersWithWriter";
        final Map<String, String> memsnap = Map.of("engine", ENGINE);
        final JmhResults.Merged getsWith = results.merged(with, "thrpt", memsnap, "getOnCadence");
        final JmhResults.Merged getsWithout = results.merged(without, "thrpt", memsnap, "getBesideWriter");
        if (getsWith == null || getsWithout == null)
        {
            missing("get throughput of memsnap beside a writer, with and without cadenced snapshots",
                "get.throughput.with.cadenced.snapshots.over.without.min");
        }
        else
        {
            ratio(String.format("get throughput with cadenced snapshots / without [%.3f / %.3f %s, %d rounds]",
                getsWith.score(), getsWithout.score(), getsWith.unit(), getsWith.rounds()),
                getsWith.score() / getsWithout.score(),
                thresholds, "get.throughput.with.cadenced.snapshots.over.without.min", false);
        }
        final JmhResults.Merged getLatencyWith = results.merged(with, "sample", memsnap, "getOnCadence");
        final JmhResults.Merged getLatencyWithout = results.merged(without, "sample", memsnap, "getBesideWriter");
        final JmhResults.Merged putLatencyWith = results.merged(with, "sample", memsnap, "putOnCadence");
        final JmhResults.Merged putLatencyWithout = results.merged(without, "sample", memsnap, "putBesideReaders");
        if (getLatencyWith == null || getLatencyWithout == null || putLatencyWith == null ||
            putLatencyWithout == null)
        {
            missing("get and put latency of memsnap beside each other, with and without cadenced snapshots",
                "get.p99.with.cadenced.snapshots.over.without.max");
            return;
        }
        final double snapshots = results.aux(with.replace("readersWithWriterAndCadencedSnapshots",
            "snapshotOnCadence"), memsnap, "snapshots");
        final double cpu = results.aux(with.replace("readersWithWriterAndCadencedSnapshots", "snapshotOnCadence"),
            memsnap, "snapshotCpuMicrosMean");
        System.out.printf("  (cadenced snapshots: %.0f per fork, %.0f us of CPU each; puts p50 %.2f / %.2f us, " +
            "p99.99 %.0f / %.0f us with / without)%n", snapshots, cpu, putLatencyWith.roundMeanPercentile(50),
            putLatencyWithout.roundMeanPercentile(50), putLatencyWith.roundMeanPercentile(99.99),
            putLatencyWithout.roundMeanPercentile(99.99));
        ratio(String.format("get p99 with cadenced snapshots / without [%.2f / %.2f us]",
            getLatencyWith.roundMeanPercentile(99), getLatencyWithout.roundMeanPercentile(99)),
            getLatencyWith.roundMeanPercentile(99) / getLatencyWithout.roundMeanPercentile(99),
            thresholds, "get.p99.with.cadenced.snapshots.over.without.max", true);
        ratio(String.format("put p99.9 with cadenced snapshots / without [%.2f / %.2f us]",
            putLatencyWith.roundMeanPercentile(99.9), putLatencyWithout.roundMeanPercentile(99.9)),
            putLatencyWith.roundMeanPercentile(99.9) / putLatencyWithout.roundMeanPercentile(99.9),
            thresholds, "put.p999.with.cadenced.snapshots.over.without.max", true);
    }

    /** Reported, not gated: snapshots back to back beside the readers and the writer, and beside the writer. */
    private void stress(final JmhResults results)
    {
        final Map<String, String> memsnap = Map.of("engine", ENGINE);
        final JmhResults.Merged gets = results.merged("ReaderContentionBenchmark.readersWithWriterAndSnapshots",
            "thrpt", memsnap, "get");
        final JmhResults.Merged getsWithout = results.merged("ReaderContentionBenchmark.readersWithWriter",
            "thrpt", memsnap, "getBesideWriter");
        if (gets != null && getsWithout != null)
        {
            System.out.printf("stress: get throughput with snapshots back to back / without = %.2f; a snapshot " +
                "costs its thread %.0f us of CPU in %.0f us%n", gets.score() / getsWithout.score(),
                results.aux("ReaderContentionBenchmark.snapshotLoop", memsnap, "snapshotCpuMicrosMean"),
                results.aux("ReaderContentionBenchmark.snapshotLoop", memsnap, "snapshotWallMicrosMean"));
        }
        final JmhResults.Merged alone = results.merged("WriterStallBenchmark.putsAlone", "sample", memsnap, null);
        final JmhResults.Merged with = results.merged("WriterStallBenchmark.putsWithSnapshots", "sample", memsnap,
            "put");
        if (alone != null && with != null)
        {
            System.out.printf("stress: put p99.9 with snapshots back to back / alone = %.2f [%.2f / %.2f us]%n",
                with.roundMeanPercentile(99.9) / alone.roundMeanPercentile(99.9), with.roundMeanPercentile(99.9),
                alone.roundMeanPercentile(99.9));
        }
    }

    /** 6 and 7: put latency with segment rolls and without. */
    private void checkRolls(final JmhResults results, final Properties thresholds)
    {
        final Map<String, String> rolling = Map.of("layout", "rolling");
        final Map<String, String> single = Map.of("layout", "single");
        final long rounds = results.auxCount(ROLLS, rolling, "p9999Micros");
        if (rounds == 0 || results.auxCount(ROLLS, single, "p9999Micros") == 0)
        {
            missing("put latency of memsnap with segment rolls and without", "put.p9999.with.rolls.over.without.max");
            return;
        }
        final double fewestRolls = results.auxMin(ROLLS, rolling, "rollsMeasured");
        final double mostRollsWithout = results.auxMax(ROLLS, single, "rollsMeasured");
        if (fewestRolls < MIN_ROLLS || mostRollsWithout > 0)
        {
            missing(String.format("put latency with at least %d rolls a round (fewest %.0f) and without any (most " +
                "%.0f)", MIN_ROLLS, fewestRolls, mostRollsWithout), "put.p9999.with.rolls.over.without.max");
            return;
        }
        System.out.printf("  (puts, mean of %d rounds: p50 %.2f / %.2f us, p99 %.2f / %.2f us, p99.9 %.2f / %.2f us " +
            "with / without rolls; at least %.0f rolls a round; slowest put without rolls %.3f ms; the puts that " +
            "rolled: mean %.1f us, slowest %.3f ms)%n", rounds,
            results.aux(ROLLS, rolling, "p50Micros"), results.aux(ROLLS, single, "p50Micros"),
            results.aux(ROLLS, rolling, "p99Micros"), results.aux(ROLLS, single, "p99Micros"),
            results.aux(ROLLS, rolling, "p999Micros"), results.aux(ROLLS, single, "p999Micros"), fewestRolls,
            results.auxMax(ROLLS, single, "maxMicros") / 1000.0, results.aux(ROLLS, rolling, "rollingPutMeanMicros"),
            results.auxMax(ROLLS, rolling, "rollingPutMaxMicros") / 1000.0);
        final double with = results.aux(ROLLS, rolling, "p9999Micros");
        final double without = results.aux(ROLLS, single, "p9999Micros");
        ratio(String.format("put p99.99 with segment rolls / without [%.2f / %.2f us]", with, without),
            with / without, thresholds, "put.p9999.with.rolls.over.without.max", true);
        final double slowest = results.auxMax(ROLLS, rolling, "maxMicros") / 1000.0;
        ratio(String.format("slowest put with segment rolls, ms [%.0f puts in %d rounds]",
            results.aux(ROLLS, rolling, "putsMeasured") * rounds, rounds), slowest,
            thresholds, "put.max.with.rolls.millis.max", true);
    }

    private static JmhResults.Merged snapshot(final JmhResults results, final long entries, final String changes)
    {
        return results.merged("SnapshotLatencyBenchmark.snapshot", "sample",
            Map.of("engine", ENGINE, "entries", Long.toString(entries), "changes", changes), null);
    }

    private void ratio(final String what, final double value, final Properties thresholds, final String key,
        final boolean atMost)
    {
        final double threshold = threshold(thresholds, key);
        final boolean pass = !Double.isNaN(value) && (atMost ? value <= threshold : value >= threshold);
        final boolean blocks = blocking.contains(key);
        System.out.printf("%s %s: %.2f (%s %.2f)%s%n", pass ? "PASS" : "FAIL", what, value,
            atMost ? "at most" : "at least", threshold, blocks ? " [blocking]" : "");
        if (!pass)
        {
            fail(String.format("%s = %.2f", what.replaceAll(" \\[.*", ""), value), blocks);
        }
    }

    /** @param key the property the missing figure is needed for, or null for one that is only reported. */
    private void missing(final String what, final String key)
    {
        final boolean blocks = key != null && blocking.contains(key);
        System.out.println("FAIL not measured: " + what + (blocks ? " [blocking]" : ""));
        fail("not measured: " + what, blocks);
    }

    private void fail(final String failure, final boolean blocks)
    {
        failures.add(failure);
        if (blocks)
        {
            blockingFailures.add(failure);
        }
    }

    /** @return the keys of {@code blocking} in gate.properties: the properties whose failure fails the gate. */
    static Set<String> blocking(final Properties thresholds)
    {
        final Set<String> keys = new TreeSet<>();
        for (final String key : thresholds.getProperty("blocking", "").split(","))
        {
            if (!key.isBlank())
            {
                keys.add(key.trim());
            }
        }
        return keys;
    }

    /** @return the nearest-rank percentile {@code p} of {@code values} (which it does not change). */
    static double percentile(final double[] values, final double p)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int rank = (int)Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
