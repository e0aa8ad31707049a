package io.memsnap.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JMH JSON result file (and the {@link Aux} lines beside it), read with Jackson's streaming parser into plain
 * maps and lists, with look-ups by benchmark, mode and parameters. Not thread safe.
 */
public final class JmhResults
{
    private final List<Map<String, Object>> results;
    private final List<Map<String, Object>> aux;

    private JmhResults(final List<Map<String, Object>> results, final List<Map<String, Object>> aux)
    {
        this.results = results;
        this.aux = aux;
    }

    /** @param aux the {@link Aux} file, or null; absent is fine. */
    @SuppressWarnings("unchecked")
    public static JmhResults read(final Path json, final Path aux)
    {
        final List<Map<String, Object>> results = new ArrayList<>();
        final List<Map<String, Object>> auxLines = new ArrayList<>();
        final JsonFactory factory = new JsonFactory();
        try
        {
            try (JsonParser p = factory.createParser(json.toFile()))
            {
                final Object root = value(p, p.nextToken());
                if (root instanceof List)
                {
                    for (final Object o : (List<Object>)root)
                    {
                        results.add((Map<String, Object>)o);
                    }
                }
            }
            if (aux != null && Files.exists(aux))
            {
                for (final String line : Files.readAllLines(aux))
                {
                    if (!line.isBlank())
                    {
                        try (JsonParser p = factory.createParser(line))
                        {
                            auxLines.add((Map<String, Object>)value(p, p.nextToken()));
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not read " + json, ex);
        }
        return new JmhResults(results, auxLines);
    }

    private static Object value(final JsonParser p, final JsonToken token) throws IOException
    {
        switch (token)
        {
            case START_OBJECT:
                final Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME)
                {
                    final String name = p.getCurrentName();
                    map.put(name, value(p, p.nextToken()));
                }
                return map;
            case START_ARRAY:
                final List<Object> list = new ArrayList<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY)
                {
                    list.add(value(p, t));
                }
                return list;
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_STRING:
                final String s = p.getText();
                if ("NaN".equals(s))
                {
                    return Double.NaN;
                }
                return s;
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** @return every result, as parsed. */
    public List<Map<String, Object>> all()
    {
        return results;
    }

    /**
     * @param benchmark the benchmark's simple name, e.g. {@code SnapshotLatencyBenchmark.snapshot}.
     * @param mode      JMH's short mode name ({@code sample}, {@code thrpt}, {@code avgt}, {@code ss}), or null.
     * @param params    parameters that must match (others may be anything).
     * @return the matching results.
     */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> find(final String benchmark, final String mode, final Map<String, String> params)
    {
        final List<Map<String, Object>> found = new ArrayList<>();
        for (final Map<String, Object> r : results)
        {
            final String name = (String)r.get("benchmark");
            if (!name.endsWith("." + benchmark) || (mode != null && !mode.equals(r.get("mode"))))
            {
                continue;
            }
            final Map<String, Object> p = (Map<String, Object>)r.getOrDefault("params", Map.of());
            boolean match = true;
            for (final Map.Entry<String, String> e : params.entrySet())
            {
                match &= Objects.equals(e.getValue(), p.get(e.getKey()));
            }
            if (match)
            {
                found.add(r);
            }
        }
        return found;
    }

    /** @return the one matching result, or null. */
    public Map<String, Object> one(final String benchmark, final String mode, final Map<String, String> params)
    {
        final List<Map<String, Object>> found = find(benchmark, mode, params);
        return found.isEmpty() ? null : found.get(found.size() - 1);
    }

    /**
     * @param metric null for the primary metric, else a secondary metric's label (a method of a group).
     * @return the metric's map, or null.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> metric(final Map<String, Object> result, final String metric)
    {
        if (result == null)
        {
            return null;
        }
        if (metric == null)
        {
            return (Map<String, Object>)result.get("primaryMetric");
        }
        final Map<String, Object> secondary = (Map<String, Object>)result.get("secondaryMetrics");
        return secondary == null ? null : (Map<String, Object>)secondary.get(metric);
    }

    /** @return the metric's score, or NaN. */
    public static double score(final Map<String, Object> metric)
    {
        return metric == null ? Double.NaN : ((Number)metric.get("score")).doubleValue();
    }

    /** @return the metric's unit, or "". */
    public static String unit(final Map<String, Object> metric)
    {
        return metric == null ? "" : (String)metric.get("scoreUnit");
    }

    /**
     * @param percentile as JMH writes it: "50.0", "99.0", "99.9".
     * @return the percentile, or NaN.
     */
    @SuppressWarnings("unchecked")
    public static double percentile(final Map<String, Object> metric, final String percentile)
    {
        if (metric == null)
        {
            return Double.NaN;
        }
        final Map<String, Object> p = (Map<String, Object>)metric.get("scorePercentiles");
        if (p == null || !p.containsKey(percentile))
        {
            return Double.NaN;
        }
        return ((Number)p.get(percentile)).doubleValue();
    }

    /** @return a figure from the {@link Aux} lines of the benchmark and parameters (their mean), or NaN. */
    public double aux(final String benchmark, final Map<String, String> params, final String key)
    {
        final DoubleSummaryStatistics figures = auxFigures(benchmark, params, key);
        return figures.getCount() == 0 ? Double.NaN : figures.getAverage();
    }

    /** @return a figure from the {@link Aux} lines of the benchmark and parameters (their largest), or NaN. */
    public double auxMax(final String benchmark, final Map<String, String> params, final String key)
    {
        final DoubleSummaryStatistics figures = auxFigures(benchmark, params, key);
        return figures.getCount() == 0 ? Double.NaN : figures.getMax();
    }

    /** @return a figure from the {@link Aux} lines of the benchmark and parameters (their smallest), or NaN. */
    public double auxMin(final String benchmark, final Map<String, String> params, final String key)
    {
        final DoubleSummaryStatistics figures = auxFigures(benchmark, params, key);
        return figures.getCount() == 0 ? Double.NaN : figures.getMin();
    }

    /** @return the number of {@link Aux} lines of the benchmark and parameters that hold the figure. */
    public long auxCount(final String benchmark, final Map<String, String> params, final String key)
    {
        return auxFigures(benchmark, params, key).getCount();
    }

    /**
     * @return the series of the {@link Aux} lines of the benchmark and parameters that hold it, one after another in
     * the order of the lines (so series recorded together stay aligned), or an empty array.
     */
    @SuppressWarnings("unchecked")
    public double[] auxSeries(final String benchmark, final Map<String, String> params, final String key)
    {
        final List<Double> values = new ArrayList<>();
        for (final Map<String, Object> line : aux)
        {
            if (matches(line, benchmark, params) && line.get(key) instanceof List)
            {
                for (final Object v : (List<Object>)line.get(key))
                {
                    values.add(((Number)v).doubleValue());
                }
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private DoubleSummaryStatistics auxFigures(final String benchmark, final Map<String, String> params,
        final String key)
    {
        final DoubleSummaryStatistics figures = new DoubleSummaryStatistics();
        for (final Map<String, Object> line : aux)
        {
            if (matches(line, benchmark, params) && line.get(key) instanceof Number)
            {
                figures.accept(((Number)line.get(key)).doubleValue());
            }
        }
        return figures;
    }

    @SuppressWarnings("unchecked")
    private static boolean matches(final Map<String, Object> line, final String benchmark,
        final Map<String, String> params)
    {
        if (!((String)line.get("benchmark")).endsWith("." + benchmark))
        {
            return false;
        }
        final Map<String, Object> p = (Map<String, Object>)line.get("params");
        for (final Map.Entry<String, String> e : params.entrySet())
        {
            if (!Objects.equals(e.getValue(), p.get(e.getKey())))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Merges every matching result (the rounds of an interleaved run): sample-time histograms are added up, so
     * percentiles are those of all the samples together; other modes average the rounds' scores.
     *
     * @param metric null for the primary metric, else a secondary metric's label.
     * @return the merged metric, or null when nothing matches.
     */
    public Merged merged(final String benchmark, final String mode, final Map<String, String> params,
        final String metric)
    {
        final List<Map<String, Object>> found = find(benchmark, mode, params);
        final List<Map<String, Object>> metrics = new ArrayList<>();
        for (final Map<String, Object> r : found)
        {
            final Map<String, Object> m = metric(r, metric);
            if (m != null)
            {
                metrics.add(m);
            }
        }
        return metrics.isEmpty() ? null : new Merged(metrics);
    }

    /** One metric over several rounds. */
    public static final class Merged
    {
        private final double[] values;
        private final long[] counts;
        private final long samples;
        private final double meanScore;
        private final int rounds;
        private final String unit;
        private final List<Map<String, Object>> metrics;

        @SuppressWarnings("unchecked")
        Merged(final List<Map<String, Object>> metrics)
        {
            this.metrics = metrics;
            final java.util.TreeMap<Double, Long> histogram = new java.util.TreeMap<>();
            double sum = 0;
            for (final Map<String, Object> m : metrics)
            {
                sum += JmhResults.score(m);
                final Object raw = m.get("rawDataHistogram");
                if (raw instanceof List)
                {
                    for (final Object fork : (List<Object>)raw)
                    {
                        for (final Object iteration : (List<Object>)fork)
                        {
                            for (final Object bin : (List<Object>)iteration)
                            {
                                final List<Object> pair = (List<Object>)bin;
                                histogram.merge(((Number)pair.get(0)).doubleValue(),
                                    ((Number)pair.get(1)).longValue(), Long::sum);
                            }
                        }
                    }
                }
            }
            values = new double[histogram.size()];
            counts = new long[histogram.size()];
            long n = 0;
            int i = 0;
            for (final Map.Entry<Double, Long> e : histogram.entrySet())
            {
                values[i] = e.getKey();
                counts[i++] = e.getValue();
                n += e.getValue();
            }
            samples = n;
            rounds = metrics.size();
            meanScore = sum / metrics.size();
            unit = JmhResults.unit(metrics.get(0));
        }

        /** @return the rounds' mean score (for sample time: the mean of the rounds' means). */
        public double score()
        {
            return meanScore;
        }

        public int rounds()
        {
            return rounds;
        }

        public long samples()
        {
            return samples;
        }

        public String unit()
        {
            return unit;
        }

        /**
         * @param p in percent, as JMH lists them: 0, 50, 90, 95, 99, 99.9, 99.99, 99.999, 99.9999, 100.
         * @return the mean over the rounds of each round's percentile p (what a group's secondary metrics allow:
         * JMH keeps no histogram for them).
         */
        public double roundMeanPercentile(final double p)
        {
            double sum = 0;
            for (final Map<String, Object> m : metrics)
            {
                sum += JmhResults.percentile(m, String.valueOf(p));
            }
            return sum / metrics.size();
        }

        /**
         * @param p in percent, 0 to 100.
         * @return the smallest sample with at least p% of all the rounds' samples at or below it; without
         * histograms, {@link #roundMeanPercentile}.
         */
        public double percentile(final double p)
        {
            if (samples == 0)
            {
                return roundMeanPercentile(p);
            }
            final long rank = Math.max(1, (long)Math.ceil(p / 100.0 * samples));
            long seen = 0;
            for (int i = 0; i < values.length; i++)
            {
                seen += counts[i];
                if (seen >= rank)
                {
                    return values[i];
                }
            }
            return values[values.length - 1];
        }
    }

    /** @return the parameter of a result, or null. */
    @SuppressWarnings("unchecked")
    public static String param(final Map<String, Object> result, final String name)
    {
        final Map<String, Object> p = (Map<String, Object>)result.getOrDefault("params", Map.of());
        return (String)p.get(name);
    }
}
