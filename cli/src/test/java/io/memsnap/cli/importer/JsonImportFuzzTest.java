package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.MemoryStore;
import io.memsnap.cli.Mutator;
import io.memsnap.cli.TestStores;
import io.memsnap.cli.fs.Directories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random mutations (bit flips, truncations, insertions, deletions, overwrites, whitespace) of membrain
 * (of its JSON, then gzipped, and of the gzip bytes), PENIN and JSON Lines inputs. The only outcomes allowed are
 * success (a sound store holding what the import reported, and exactly the original data when the mutation left
 * the JSON tokens unchanged) or {@link InputException}, {@link UnsupportedVersionException} or
 * {@link DamagedInputException} with no store and no temporary directory left. The seed of a failing iteration is
 * in the failure message ({@code -Dfuzz.seed=N} replays a run).
 */
class JsonImportFuzzTest
{
    static final int MEMBRAIN_JSON_ITERATIONS = 200;
    static final int MEMBRAIN_GZIP_ITERATIONS = 100;
    static final int PENIN_ITERATIONS = 200;
    static final int JSONL_ITERATIONS = 200;
    static final int DIMENSION = 12;

    private static final Set<Class<? extends Throwable>> ALLOWED = Set.of(InputException.class,
        UnsupportedVersionException.class, DamagedInputException.class);

    @TempDir(factory = io.memsnap.cli.MemoryTempDirFactory.class)
    static Path tmp;

    static String membrain;
    static String penin;
    static String jsonl;

    @BeforeAll
    static void inputs()
    {
        final Random r = new Random(4242);
        final StringBuilder m = new StringBuilder("{\"metadata\": {\"version\": \"1.0.0\", \"created_at\": " +
            "1700000000.25, \"n_memories\": 15, \"encoder_config\": {\"dim\": 12, \"kind\": \"bow\"}, " +
            "\"memory_config\": {\"n\": [1, 2, 3]}},\n\"entries\": [");
        final StringBuilder p = new StringBuilder("{\"knowledge_base\": {");
        final StringBuilder j = new StringBuilder();
        for (int i = 0; i < 15; i++)
        {
            final String vector = dense(r);
            m.append(i == 0 ? "" : ",\n").append("{\"context_id\": \"ctx-").append(i).append("\", \"sparse_vector\": ")
                .append(i % 3 == 0 ? "{\"__numpy__\": true, \"data\": " + vector + ", \"dtype\": \"float32\"}" : vector)
                .append(", \"importance\": 0.").append(r.nextInt(100)).append(", \"stored_at\": 17000000")
                .append(r.nextInt(100)).append(".5}");
            p.append(i == 0 ? "" : ",\n").append("\"k").append(i)
                .append("\": {\"__type__\": \"NumericVectorArtifact\", \"vector\": ").append(vector)
                .append(", \"metadata\": {\"i\": ").append(i)
                .append(", \"tag\": \"t").append(i).append("\"}}");
            j.append("{\"id\":\"id").append(i).append("\",\"indices\":[").append(i % (DIMENSION - 1)).append(",")
                .append(DIMENSION - 1).append("],\"values\":[0.5,").append(r.nextInt(9)).append(".25],")
                .append("\"importance\":0.5,\"storedAt\":").append(1000 + i).append(",\"metadata\":\"AAE=\"}\n");
        }
        m.append("],\n\"transitions\": {\"ctx-1\": {\"ctx-2\": 1}}}");
        p.append("},\n\"task_history\": {\"__type__\": \"deque\", \"items\": [{\"task_id\": 1}], \"maxlen\": 10},\n")
            .append("\"score_history\": {\"__type__\": \"deque\", \"items\": [0.5, 0.75], \"maxlen\": 10}}");
        membrain = m.toString();
        penin = p.toString();
        jsonl = j.toString();
    }

    private static String dense(final Random r)
    {
        final StringBuilder sb = new StringBuilder("[");
        for (int d = 0; d < DIMENSION; d++)
        {
            sb.append(d == 0 ? "" : ", ").append(r.nextInt(3) == 0 ? "0.0" : r.nextInt(5) + "." + r.nextInt(1000));
        }
        return sb.append(']').toString();
    }

    /** One format under test: how to build its importer, and how to read its bytes as JSON for the oracle. */
    private static final class Format
    {
        final String name;
        final Function<Path, FormatImporter> importer;
        final Integer dimension;
        final boolean gzipped;

        Format(final String name, final Function<Path, FormatImporter> importer, final Integer dimension,
            final boolean gzipped)
        {
            this.name = name;
            this.importer = importer;
            this.dimension = dimension;
            this.gzipped = gzipped;
        }
    }

    private static final Format MEMBRAIN = new Format("membrain", f -> new MembrainImporter(f, null), null, true);
    private static final Format PENIN = new Format("penin", f -> new PeninImporter(f, null), null, false);
    private static final Format JSONL = new Format("jsonl", f -> new JsonlImporter(f, null), DIMENSION, false);

    /** @return the JSON tokens of the file's content, or null when it does not read as JSON. */
    private static List<String> tokens(final byte[] file, final boolean gzipped)
    {
        final List<String> tokens = new ArrayList<>();
        try (InputStream in = gzipped ? new GZIPInputStream(new ByteArrayInputStream(file)) :
            new ByteArrayInputStream(file); JsonParser p = ImportJson.FACTORY.createParser(in))
        {
            JsonToken t;
            while ((t = p.nextToken()) != null)
            {
                tokens.add(t + " " + (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY ? "" : p.getText()));
            }
            return tokens;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private static List<String> baseline(final Format format, final byte[] file) throws IOException
    {
        final Path in = tmp.resolve(format.name + "-base");
        Files.write(in, file);
        final Path dir = tmp.resolve(format.name + "-base-store");
        Importer.run(dir, options(format.dimension), format.importer.apply(in));
        final List<String> contents = TestStores.contents(dir);
        Directories.deleteRecursively(dir);
        return contents;
    }

    private static void fuzz(final Format format, final byte[] base, final int iterations,
        final Function<Mutator, byte[]> mutation, final boolean someMustSucceed) throws IOException
    {
        final List<String> expected = baseline(format, base);
        final List<String> baseTokens = tokens(base, format.gzipped);
        assertNotNull(baseTokens);
        int succeeded = 0;
        final java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int i = 0; i < iterations; i++)
        {
            final long seed = Mutator.BASE_SEED + 7919L * i + format.name.hashCode() + iterations;
            final Mutator m = new Mutator(seed);
            try
            {
                final byte[] bytes = mutation.apply(m);
                final String outcome = check(format, bytes, baseTokens, expected, m.describe());
                outcomes.merge(outcome, 1, Integer::sum);
                succeeded += "imported".equals(outcome) || "imported exactly".equals(outcome) ? 1 : 0;
            }
            catch (final Throwable ex)
            {
                throw new AssertionError(format.name + " iteration " + i + " seed " + seed + " (" + m.describe() +
                    "): " + ex, ex);
            }
        }
        System.out.println(format.name + ": " + iterations + " mutations (base seed " + Mutator.BASE_SEED + "): " +
            outcomes);
        assertTrue(succeeded > 0 || !someMustSucceed, "some mutations (whitespace, digits) keep the input valid");
    }

    /** @return the outcome: "imported", "imported exactly" (tokens unchanged) or the exception's simple name. */
    private static String check(final Format format, final byte[] bytes, final List<String> baseTokens,
        final List<String> expected, final String what) throws IOException
    {
        final Path in = tmp.resolve(format.name + "-fuzz");
        Files.write(in, bytes);
        final Path dir = tmp.resolve(format.name + "-store");
        final ImportResult result;
        try
        {
            result = Importer.run(dir, options(format.dimension), format.importer.apply(in));
        }
        catch (final Throwable ex)
        {
            if (!ALLOWED.contains(ex.getClass()) || ex instanceof DamagedInputException && !format.gzipped)
            {
                throw new AssertionError(what + ": unexpected " + ex, ex);
            }
            assertNotNull(ex.getMessage());
            assertNoStoreLeft(dir);
            return ex.getClass().getSimpleName();
        }
        try (MemoryStore s = open(dir))
        {
            assertTrue(s.verify(true).ok(), what + ": the imported store verifies");
            assertEquals(result.entries(), s.size());
            assertEquals(result.states(), s.stateCount());
        }
        final boolean same = baseTokens.equals(tokens(bytes, format.gzipped));
        if (same)
        {
            assertEquals(expected, TestStores.contents(dir), what + ": same JSON, same store");
        }
        Directories.deleteRecursively(dir);
        return same ? "imported exactly" : "imported";
    }

    private static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void membrainJsonMutations() throws IOException
    {
        fuzz(MEMBRAIN, gzip(utf8(membrain)), MEMBRAIN_JSON_ITERATIONS, m -> gzip(m.mutate(utf8(membrain))),
            true);
    }

    @Test
    void membrainGzipMutations() throws IOException
    {
        final byte[] gz = gzip(utf8(membrain));
        fuzz(MEMBRAIN, gz, MEMBRAIN_GZIP_ITERATIONS, m -> m.mutate(gz), false);
    }

    @Test
    void peninMutations() throws IOException
    {
        fuzz(PENIN, utf8(penin), PENIN_ITERATIONS, m -> m.mutate(utf8(penin)), true);
    }

    @Test
    void jsonLinesMutations() throws IOException
    {
        fuzz(JSONL, utf8(jsonl), JSONL_ITERATIONS, m -> m.mutate(utf8(jsonl)), true);
    }
}
