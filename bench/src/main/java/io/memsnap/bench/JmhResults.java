package io.memsnap.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** @return a figure from the {@link Aux} lines of the benchmark and parameters, or NaN. */
    @SuppressWarnings("unchecked")
    public double aux(final String benchmark, final Map<String, String> params, final String key)
    {
        double value = Double.NaN;
        for (final Map<String, Object> line : aux)
        {
            if (!((String)line.get("benchmark")).endsWith("." + benchmark))
            {
                continue;
            }
            final Map<String, Object> p = (Map<String, Object>)line.get("params");
            boolean match = true;
            for (final Map.Entry<String, String> e : params.entrySet())
            {
                match &= Objects.equals(e.getValue(), p.get(e.getKey()));
            }
            if (match && line.get(key) instanceof Number)
            {
                value = ((Number)line.get(key)).doubleValue();
            }
        }
        return value;
    }

    /** @return the parameter of a result, or null. */
    @SuppressWarnings("unchecked")
    public static String param(final Map<String, Object> result, final String name)
    {
        final Map<String, Object> p = (Map<String, Object>)result.getOrDefault("params", Map.of());
        return (String)p.get(name);
    }
}
