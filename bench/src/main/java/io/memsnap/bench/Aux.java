package io.memsnap.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures a benchmark measures beside its time (the bytes each snapshot flushed), written by the fork as one JSON
 * line per trial to the file named by {@code -Dmemsnap.bench.aux} (the {@link Suite} puts it beside the JMH JSON),
 * by default {@code aux.jsonl} in the data directory. JMH's own {@code @AuxCounters} do not apply to the
 * sample-time mode the latency benchmarks use.
 */
public final class Aux
{
    private Aux()
    {
    }

    /** @return the file the forks append to. */
    public static Path file()
    {
        final String configured = System.getProperty("memsnap.bench.aux");
        return configured == null || configured.isEmpty() ? BenchDirs.dataDir().resolve("aux.jsonl") :
            Path.of(configured);
    }

    /** Appends one record: the benchmark, its parameters, and the figures. */
    public static void record(final String benchmark, final Map<String, String> params,
        final Map<String, Double> values)
    {
        record(benchmark, params, values, Map.of());
    }

    /**
     * Appends one record: the benchmark, its parameters, the figures, and series of figures (one value per operation,
     * as JSON arrays; series recorded together are aligned, index for index).
     */
    public static void record(final String benchmark, final Map<String, String> params,
        final Map<String, Double> values, final Map<String, double[]> series)
    {
        final StringWriter text = new StringWriter();
        try (JsonGenerator gen = new JsonFactory().createGenerator(text))
        {
            gen.writeStartObject();
            gen.writeStringField("benchmark", benchmark);
            gen.writeObjectFieldStart("params");
            for (final Map.Entry<String, String> e : new TreeMap<>(params).entrySet())
            {
                gen.writeStringField(e.getKey(), e.getValue());
            }
            gen.writeEndObject();
            for (final Map.Entry<String, Double> e : new TreeMap<>(values).entrySet())
            {
                gen.writeNumberField(e.getKey(), e.getValue());
            }
            for (final Map.Entry<String, double[]> e : new TreeMap<>(series).entrySet())
            {
                gen.writeArrayFieldStart(e.getKey());
                for (final double v : e.getValue())
                {
                    gen.writeNumber(v);
                }
                gen.writeEndArray();
            }
            gen.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        try
        {
            Files.writeString(file(), text + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not append to " + file(), ex);
        }
    }
}
