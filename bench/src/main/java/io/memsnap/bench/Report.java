package io.memsnap.bench;

import io.memsnap.bench.engine.Engines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.memsnap.bench.JmhResults.metric;
import static io.memsnap.bench.JmhResults.score;

/**
 * Prints the tables of docs/benchmarks.md (Markdown) from one run's JMH JSON and its {@link Aux} figures.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.Report RESULTS.json [--throughput]</pre>
 *
 * With {@code --throughput}, only the tables of the run {@code Suite throughput} makes: one thread's operations by
 * vector shape against Chronicle Map's (puts that overwrite, puts of new ids, gets, reads), on the means of the rounds
 * and on their medians, and bulk loads against the disk's bandwidth.
 */
public final class Report
{
    private final JmhResults results;
    private final StringBuilder out = new StringBuilder();
    private double syncP50;
    private double syncP99;
    private double bandwidth;

    private Report(final JmhResults results)
    {
        this.results = results;
    }

    public static void main(final String[] args)
    {
        final Path json = Path.of(args[0]);
        final Report report = new Report(JmhResults.read(json, Path.of(json + ".aux.jsonl")));
        if (args.length > 1 && "--throughput".equals(args[1]))
        {
            report.bandwidth();
            report.throughputByShape();
            report.bulkLoad();
            System.out.print(report.out);
            return;
        }
        report.floor();
        report.snapshots();
        report.stall();
        report.readers();
        report.throughput();
        report.open();
        System.out.print(report.out);
    }

    private List<String> engines(final String benchmark)
    {
        final TreeSet<String> found = new TreeSet<>();
        for (final Map<String, Object> r : results.find(benchmark, null, Map.of()))
        {
            found.add(JmhResults.param(r, "engine"));
        }
        final List<String> ordered = new ArrayList<>();
        for (final String e : Engines.ORDER)
        {
            if (found.contains(e))
            {
                ordered.add(e);
            }
        }
        return ordered;
    }

    private static String ms(final double v)
    {
        if (Double.isNaN(v))
        {
            return "-";
        }
        return v >= 100 ? String.format("%,.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }

    private void floor()
    {
        final JmhResults.Merged sync = results.merged("DiskFloorBenchmark.fdatasync4k", "sample", Map.of(), null);
        final JmhResults.Merged seq = results.merged("DiskFloorBenchmark.sequentialWrite64m", "avgt", Map.of(),
            null);
        syncP50 = sync.percentile(50);
        syncP99 = sync.percentile(99);
        bandwidth = DiskFloorBenchmark.SEQUENTIAL_BYTES / (seq.score() / 1000.0);
        out.append("### The floor\n\n| measure | p50 | p99 | p99.9 | mean |\n| --- | ---: | ---: | ---: | ---: |\n");
        out.append(String.format("| 4 KiB write + fdatasync (ms) | %s | %s | %s | %s |%n", ms(syncP50),
            ms(syncP99), ms(sync.percentile(99.9)), ms(sync.score())));
        out.append(String.format("| 64 MiB sequential write + fdatasync (ms) | | | | %s (= %.0f MiB/s) |%n%n",
            ms(seq.score()), bandwidth / (1 << 20)));
    }

    private void snapshots()
    {
        out.append("### Snapshot latency\n\n| engine | entries | changes | p50 ms | p99 ms | p99.9 ms | samples | " +
            "bytes flushed | floor p99 ms | p99 / floor |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | " +
            "---: | ---: |\n");
        for (final String engine : engines("SnapshotLatencyBenchmark.snapshot"))
        {
            final List<Map<String, Object>> rows = results.find("SnapshotLatencyBenchmark.snapshot", "sample",
                Map.of("engine", engine));
            rows.sort((a, b) ->
            {
                final int c = Long.compare(Long.parseLong(JmhResults.param(a, "changes")),
                    Long.parseLong(JmhResults.param(b, "changes")));
                return c != 0 ? c : Long.compare(Long.parseLong(JmhResults.param(a, "entries")),
                    Long.parseLong(JmhResults.param(b, "entries")));
            });
            final TreeSet<String> seen = new TreeSet<>();
            for (final Map<String, Object> r : rows)
            {
                final String entries = JmhResults.param(r, "entries");
                final String changes = JmhResults.param(r, "changes");
                if (!seen.add(entries + "/" + changes))
                {
                    continue;
                }
                final Map<String, String> params = Map.of("engine", engine, "entries", entries, "changes", changes);
                final JmhResults.Merged m = results.merged("SnapshotLatencyBenchmark.snapshot", "sample", params,
                    null);
                final double bytes = results.aux("SnapshotLatencyBenchmark.snapshot", params, "bytesFlushedMean");
                final double floor = bytes >= 0 ? syncP99 + bytes / bandwidth * 1000.0 : Double.NaN;
                out.append(String.format("| %s | %,d | %,d | %s | %s | %s | %d | %s | %s | %s |%n", engine,
                    Long.parseLong(entries), Long.parseLong(changes), ms(m.percentile(50)), ms(m.percentile(99)),
                    ms(m.percentile(99.9)), m.samples(),
                    bytes >= 0 ? String.format("%.1f MB", bytes / 1e6) : "-", ms(floor),
                    Double.isNaN(floor) ? "-" : String.format("%.2f", m.percentile(99) / floor)));
            }
        }
        out.append('\n');
    }

    private void stall()
    {
        out.append("### Writer stall: put latency (us), alone / with a snapshotter running\n\n" +
            "| engine | entries | p50 | p99 | p99.9 | p99.99 | max | p99.9 with / alone | snapshots: p50 ms |\n" +
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final String engine : engines("WriterStallBenchmark.putsAlone"))
        {
            final Map<String, Object> r = results.one("WriterStallBenchmark.putsAlone", "sample",
                Map.of("engine", engine));
            final JmhResults.Merged alone = results.merged("WriterStallBenchmark.putsAlone", "sample",
                Map.of("engine", engine), null);
            final JmhResults.Merged with = results.merged("WriterStallBenchmark.putsWithSnapshots", "sample",
                Map.of("engine", engine), "put");
            final JmhResults.Merged snaps = results.merged("WriterStallBenchmark.putsWithSnapshots", "sample",
                Map.of("engine", engine), "snapshotLoop");
            out.append(String.format("| %s | %,d | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %.2f | %s |%n",
                engine, Long.parseLong(JmhResults.param(r, "entries")),
                ms(alone.roundMeanPercentile(50)), ms(with.roundMeanPercentile(50)),
                ms(alone.roundMeanPercentile(99)), ms(with.roundMeanPercentile(99)),
                ms(alone.roundMeanPercentile(99.9)), ms(with.roundMeanPercentile(99.9)),
                ms(alone.roundMeanPercentile(99.99)), ms(with.roundMeanPercentile(99.99)),
                ms(alone.roundMeanPercentile(100)), ms(with.roundMeanPercentile(100)),
                with.roundMeanPercentile(99.9) / alone.roundMeanPercentile(99.9),
                ms(snaps.roundMeanPercentile(50) / 1000.0)));
            final JmhResults.Merged syncs = results.merged("WriterStallBenchmark.putsWithSyncs", "sample",
                Map.of("engine", engine), "putBesideSyncs");
            if (syncs != null)
            {
                out.append(String.format("| %s, beside sync() instead | | / %s | / %s | / %s | / %s | / %s | %.2f | |%n",
                    engine, ms(syncs.roundMeanPercentile(50)), ms(syncs.roundMeanPercentile(99)),
                    ms(syncs.roundMeanPercentile(99.9)), ms(syncs.roundMeanPercentile(99.99)),
                    ms(syncs.roundMeanPercentile(100)),
                    syncs.roundMeanPercentile(99.9) / alone.roundMeanPercentile(99.9)));
            }
        }
        out.append('\n');
    }

    private void readers()
    {
        out.append("### Reader contention: gets, readers alone / with a writer and a snapshotter\n\n" +
            "| engine | entries | beside | gets/s alone / beside | ratio | get p50 us | get p99 us | get p99.9 us |\n" +
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (final String engine : engines("ReaderContentionBenchmark.readersAlone"))
        {
            final Map<String, Object> r = results.one("ReaderContentionBenchmark.readersAlone", null,
                Map.of("engine", engine));
            final JmhResults.Merged alone = results.merged("ReaderContentionBenchmark.readersAlone", "thrpt",
                Map.of("engine", engine), null);
            final JmhResults.Merged aloneSample = results.merged("ReaderContentionBenchmark.readersAlone", "sample",
                Map.of("engine", engine), null);
            row(engine, JmhResults.param(r, "entries"), "with a writer and snapshots", alone, aloneSample,
                "readersWithWriterAndSnapshots", "get");
            row(engine, JmhResults.param(r, "entries"), "with the writer only", alone, aloneSample,
                "readersWithWriter", "getBesideWriter");
            row(engine, JmhResults.param(r, "entries"), "with the snapshots only", alone, aloneSample,
                "readersWithSnapshots", "getBesideSnapshots");
        }
        out.append('\n');
    }

    private void row(final String engine, final String entries, final String what, final JmhResults.Merged alone,
        final JmhResults.Merged aloneSample, final String group, final String method)
    {
        final JmhResults.Merged with = results.merged("ReaderContentionBenchmark." + group, "thrpt",
            Map.of("engine", engine), method);
        if (with == null)
        {
            return;
        }
        final JmhResults.Merged withSample = results.merged("ReaderContentionBenchmark." + group, "sample",
            Map.of("engine", engine), method);
        final double a = alone.score() * 1e6;
        final double w = with.score() * 1e6;
        out.append(String.format("| %s | %,d | %s | %,.0f / %,.0f | %.2f | %s / %s | %s / %s | %s / %s |%n", engine,
            Long.parseLong(entries), what, a, w, w / a,
            p(aloneSample, 50), p(withSample, 50), p(aloneSample, 99), p(withSample, 99), p(aloneSample, 99.9),
            p(withSample, 99.9)));
    }

    private static String p(final JmhResults.Merged m, final double percentile)
    {
        return m == null ? "-" : ms(m.roundMeanPercentile(percentile));
    }

    private void throughput()
    {
        out.append("### Throughput, one thread (operations/s)\n\n| engine | entries | put | get (copy) | " +
            "read (zero-copy) |\n| --- | ---: | ---: | ---: | ---: |\n");
        for (final String engine : engines("ThroughputBenchmark.put"))
        {
            final Map<String, Object> put = results.one("ThroughputBenchmark.put", "thrpt", Map.of("engine", engine));
            final Map<String, Object> get = results.one("ThroughputBenchmark.get", "thrpt", Map.of("engine", engine));
            final Map<String, Object> read = results.one("ThroughputBenchmark.read", "thrpt",
                Map.of("engine", engine));
            out.append(String.format("| %s | %,d | %,.0f | %,.0f | %s |%n", engine,
                Long.parseLong(JmhResults.param(put, "entries")), score(metric(put, null)), score(metric(get, null)),
                read == null ? "-" : String.format("%,.0f", score(metric(read, null)))));
        }
        out.append('\n');
    }

    /** The disk's sequential bandwidth of the run (64 MiB written, then fdatasync). */
    private void bandwidth()
    {
        final JmhResults.Merged seq = results.merged("DiskFloorBenchmark.sequentialWrite64m", "avgt", Map.of(),
            null);
        bandwidth = DiskFloorBenchmark.SEQUENTIAL_BYTES / (seq.score() / 1000.0);
        out.append(String.format("Disk: 64 MiB sequential write + fdatasync %s ms (= %,.0f MiB/s).%n%n",
            ms(seq.score()), bandwidth / (1 << 20)));
    }

    /**
     * One thread's operations/s by engine and vector shape (means over the rounds), and each against Chronicle Map's of
     * the same shape.
     */
    private void throughputByShape()
    {
        out.append("| vectors | engine | put/s (overwrite) | insert/s (new id) | get/s (copy) | read/s (zero-copy) | " +
            "put / Chronicle Map's put | insert / its insert | get / its get | read / its get |\n" +
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final String vectors : List.of("nnz30", "corpus"))
        {
            final double cmPut = throughput("put", Engines.CHRONICLE_MAP, vectors);
            final double cmInsert = inserts(Engines.CHRONICLE_MAP, vectors);
            final double cmGet = throughput("get", Engines.CHRONICLE_MAP, vectors);
            for (final String engine : engines("ThroughputBenchmark.put"))
            {
                final double put = throughput("put", engine, vectors);
                if (Double.isNaN(put))
                {
                    continue;
                }
                final double get = throughput("get", engine, vectors);
                final double read = throughput("read", engine, vectors);
                final double insert = inserts(engine, vectors);
                out.append(String.format("| %s | %s | %,.0f | %s | %,.0f | %s | %s | %s | %s | %s |%n", vectors, engine,
                    put, count(insert), get, count(read), ratio(put, cmPut), ratio(insert, cmInsert),
                    ratio(get, cmGet), ratio(read, cmGet)));
            }
        }
        out.append('\n');
        // One round that catches a peer cold (its first gets of 3 KB values) moves a mean of three; a median does not.
        out.append("On the medians of the rounds:\n\n| vectors | engine | put / Chronicle Map's put | insert / its insert " +
            "| get / its get | read / its get |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for (final String vectors : List.of("nnz30", "corpus"))
        {
            for (final String engine : engines("ThroughputBenchmark.put"))
            {
                if (Engines.CHRONICLE_MAP.equals(engine) || Double.isNaN(throughput("put", engine, vectors)))
                {
                    continue;
                }
                final double cmGet = median("ThroughputBenchmark.get", Engines.CHRONICLE_MAP, vectors);
                out.append(String.format("| %s | %s | %s | %s | %s | %s |%n", vectors, engine,
                    ratio(median("ThroughputBenchmark.put", engine, vectors),
                        median("ThroughputBenchmark.put", Engines.CHRONICLE_MAP, vectors)),
                    ratio(median("InsertBenchmark.insert", engine, vectors),
                        median("InsertBenchmark.insert", Engines.CHRONICLE_MAP, vectors)),
                    ratio(median("ThroughputBenchmark.get", engine, vectors), cmGet),
                    ratio(median("ThroughputBenchmark.read", engine, vectors), cmGet)));
            }
        }
        out.append('\n');
    }

    /** @return the median over the rounds of the run of {@code benchmark}'s throughput, or NaN. */
    private double median(final String benchmark, final String engine, final String vectors)
    {
        final double[] rounds = results.find(benchmark, "thrpt", Map.of("engine", engine, "vectors", vectors))
            .stream().mapToDouble(r -> JmhResults.score(JmhResults.metric(r, null))).sorted().toArray();
        if (rounds.length == 0)
        {
            return Double.NaN;
        }
        final int m = rounds.length / 2;
        return rounds.length % 2 == 1 ? rounds[m] : (rounds[m - 1] + rounds[m]) / 2;
    }

    /** @return the mean over the rounds of the run, or NaN. */
    private double throughput(final String op, final String engine, final String vectors)
    {
        return mean("ThroughputBenchmark." + op, "thrpt", Map.of("engine", engine, "vectors", vectors));
    }

    /** @return the mean insert/s over the rounds ({@link InsertBenchmark}), or NaN. */
    private double inserts(final String engine, final String vectors)
    {
        return mean("InsertBenchmark.insert", "thrpt", Map.of("engine", engine, "vectors", vectors));
    }

    private static String count(final double value)
    {
        return Double.isNaN(value) ? "-" : String.format("%,.0f", value);
    }

    private double mean(final String benchmark, final String mode, final Map<String, String> params)
    {
        final JmhResults.Merged m = results.merged(benchmark, mode, params, null);
        return m == null ? Double.NaN : m.score();
    }

    private static String ratio(final double a, final double b)
    {
        return Double.isNaN(a) || Double.isNaN(b) ? "-" : String.format("%.2f", a / b);
    }

    /**
     * Bulk loads of 64 MiB of memsnap's records: time, bandwidth in those bytes, and against the disk's (means over
     * the rounds).
     */
    private void bulkLoad()
    {
        out.append("| vectors | engine | load of 64 MiB of records, ms | MiB/s | / the disk's sequential " +
            "bandwidth |\n| --- | --- | ---: | ---: | ---: |\n");
        for (final String vectors : List.of("nnz30", "corpus"))
        {
            for (final String engine : engines("BulkLoadBenchmark.load"))
            {
                final double millis = mean("BulkLoadBenchmark.load", "ss",
                    Map.of("engine", engine, "vectors", vectors));
                if (Double.isNaN(millis))
                {
                    continue;
                }
                final double rate = DiskFloorBenchmark.SEQUENTIAL_BYTES / (millis / 1000.0);
                out.append(String.format("| %s | %s | %s | %,.0f | %.2f |%n", vectors, engine, ms(millis),
                    rate / (1 << 20), rate / bandwidth));
            }
        }
        out.append('\n');
    }

    private void open()
    {
        out.append("### Open time (ms, single shot, mean of the iterations)\n\n| engine | entries | open ms |\n" +
            "| --- | ---: | ---: |\n");
        for (final String engine : engines("OpenBenchmark.open"))
        {
            final List<Map<String, Object>> rows = results.find("OpenBenchmark.open", "ss", Map.of("engine", engine));
            rows.sort((a, b) -> Long.compare(Long.parseLong(JmhResults.param(a, "entries")),
                Long.parseLong(JmhResults.param(b, "entries"))));
            for (final Map<String, Object> r : rows)
            {
                out.append(String.format("| %s | %,d | %s |%n", engine, Long.parseLong(JmhResults.param(r, "entries")),
                    ms(score(metric(r, null)))));
            }
        }
        out.append('\n');
    }
}
