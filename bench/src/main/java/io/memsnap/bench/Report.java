package io.memsnap.bench;

import io.memsnap.bench.engine.Engines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.memsnap.bench.JmhResults.metric;
import static io.memsnap.bench.JmhResults.percentile;
import static io.memsnap.bench.JmhResults.score;

/**
 * Prints the tables of docs/benchmarks.md (Markdown) from one run's JMH JSON and its {@link Aux} figures.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.Report RESULTS.json</pre>
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
        for (final String e : Engines.ALL)
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
        final Map<String, Object> sync = metric(results.one("DiskFloorBenchmark.fdatasync4k", "sample", Map.of()),
            null);
        final Map<String, Object> seq = metric(results.one("DiskFloorBenchmark.sequentialWrite64m", "avgt",
            Map.of()), null);
        syncP50 = percentile(sync, "50.0");
        syncP99 = percentile(sync, "99.0");
        bandwidth = DiskFloorBenchmark.SEQUENTIAL_BYTES / (score(seq) / 1000.0);
        out.append("### The floor\n\n| measure | p50 | p99 | p99.9 | mean |\n| --- | ---: | ---: | ---: | ---: |\n");
        out.append(String.format("| 4 KiB write + fdatasync (ms) | %s | %s | %s | %s |%n", ms(syncP50),
            ms(syncP99), ms(percentile(sync, "99.9")), ms(score(sync))));
        out.append(String.format("| 64 MiB sequential write + fdatasync (ms) | | | | %s (= %.0f MiB/s) |%n%n",
            ms(score(seq)), bandwidth / (1 << 20)));
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
            for (final Map<String, Object> r : rows)
            {
                final Map<String, Object> m = metric(r, null);
                final String entries = JmhResults.param(r, "entries");
                final String changes = JmhResults.param(r, "changes");
                final double bytes = results.aux("SnapshotLatencyBenchmark.snapshot",
                    Map.of("engine", engine, "entries", entries, "changes", changes), "bytesFlushedMean");
                final double floor = bytes >= 0 ? syncP99 + bytes / bandwidth * 1000.0 : Double.NaN;
                out.append(String.format("| %s | %,d | %,d | %s | %s | %s | %d | %s | %s | %s |%n", engine,
                    Long.parseLong(entries), Long.parseLong(changes), ms(percentile(m, "50.0")),
                    ms(percentile(m, "99.0")), ms(percentile(m, "99.9")), samples(m),
                    bytes >= 0 ? String.format("%.1f MB", bytes / 1e6) : "-", ms(floor),
                    Double.isNaN(floor) ? "-" : String.format("%.2f", percentile(m, "99.0") / floor)));
            }
        }
        out.append('\n');
    }

    @SuppressWarnings("unchecked")
    private static long samples(final Map<String, Object> metric)
    {
        if (metric == null)
        {
            return 0;
        }
        final Object raw = metric.get("rawDataHistogram");
        long n = 0;
        if (raw instanceof List)
        {
            for (final Object fork : (List<Object>)raw)
            {
                for (final Object iteration : (List<Object>)fork)
                {
                    for (final Object bin : (List<Object>)iteration)
                    {
                        n += ((Number)((List<Object>)bin).get(1)).longValue();
                    }
                }
            }
        }
        return n;
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
            final Map<String, Object> withResult = results.one("WriterStallBenchmark.putsWithSnapshots", "sample",
                Map.of("engine", engine));
            final Map<String, Object> alone = metric(r, null);
            final Map<String, Object> with = metric(withResult, "put");
            final Map<String, Object> snaps = metric(withResult, "snapshotLoop");
            out.append(String.format("| %s | %,d | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s | %.2f | %s |%n",
                engine, Long.parseLong(JmhResults.param(r, "entries")),
                ms(percentile(alone, "50.0")), ms(percentile(with, "50.0")),
                ms(percentile(alone, "99.0")), ms(percentile(with, "99.0")),
                ms(percentile(alone, "99.9")), ms(percentile(with, "99.9")),
                ms(percentile(alone, "99.99")), ms(percentile(with, "99.99")),
                ms(percentile(alone, "100.0")), ms(percentile(with, "100.0")),
                percentile(with, "99.9") / percentile(alone, "99.9"), ms(percentile(snaps, "50.0") / 1000.0)));
        }
        out.append('\n');
    }

    private void readers()
    {
        out.append("### Reader contention: gets, readers alone / with a writer and a snapshotter\n\n" +
            "| engine | entries | gets/s | ratio | get p50 us | get p99 us | get p99.9 us |\n" +
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (final String engine : engines("ReaderContentionBenchmark.readersAlone"))
        {
            final Map<String, Object> r = results.one("ReaderContentionBenchmark.readersAlone", "thrpt",
                Map.of("engine", engine));
            final double alone = score(metric(r, null)) * 1e6;
            final double with = score(metric(results.one("ReaderContentionBenchmark.readersWithWriterAndSnapshots",
                "thrpt", Map.of("engine", engine)), "get")) * 1e6;
            final Map<String, Object> aloneSample = metric(results.one("ReaderContentionBenchmark.readersAlone",
                "sample", Map.of("engine", engine)), null);
            final Map<String, Object> withSample = metric(results.one(
                "ReaderContentionBenchmark.readersWithWriterAndSnapshots", "sample", Map.of("engine", engine)), "get");
            out.append(String.format("| %s | %,d | %,.0f / %,.0f | %.2f | %s / %s | %s / %s | %s / %s |%n", engine,
                Long.parseLong(JmhResults.param(r, "entries")), alone, with, with / alone,
                ms(percentile(aloneSample, "50.0")), ms(percentile(withSample, "50.0")),
                ms(percentile(aloneSample, "99.0")), ms(percentile(withSample, "99.0")),
                ms(percentile(aloneSample, "99.9")), ms(percentile(withSample, "99.9"))));
        }
        out.append('\n');
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
