package io.memsnap.cli.importer;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

class MembrainImporterTest
{
    static final String METADATA = "\"metadata\": {\"version\": \"1.0.0\", \"created_at\": 1700000000.5, " +
        "\"n_memories\": 3, \"encoder_config\": {\"dimensions\": 4, \"name\": \"bow\"}, " +
        "\"memory_config\": {\"n_neurons\": 100, \"decay\": 0.25}}";
    static final String ENTRIES = "\"entries\": [" +
        "{\"context_id\": \"ctx-1\", \"sparse_vector\": [0.0, 0.5, 0.0, 1.25], \"importance\": 0.75, " +
        "\"stored_at\": 1700000000.123456}, " +
        "{\"context_id\": \"ctx-2\", \"sparse_vector\": {\"data\": [1, 0, 0, -2.5], \"dtype\": \"float32\", " +
        "\"__numpy__\": true}, \"importance\": 1.0, \"stored_at\": 1700000001}, " +
        "{\"context_id\": \"\\u00e9t\\u00e9\", \"sparse_vector\": [0, 0, 0, 0], \"importance\": 0.1, " +
        "\"stored_at\": 1700000002.0, \"extra\": {\"ignored\": [1, 2]}}]";
    static final String TRANSITIONS = "\"transitions\": {\"ctx-1\": {\"ctx-2\": 3}, \"counts\": [1, 2.5e-3]}";
    static final String SNAPSHOT = "{" + METADATA + ", " + ENTRIES + ", " + TRANSITIONS + "}";

    @TempDir
    Path tmp;

    private MembrainImporter importer(final String json) throws IOException
    {
        return new MembrainImporter(gz(tmp.resolve("snap.json.gz"), json), null);
    }

    @Test
    void theSeedsShapeImportsExactly() throws IOException
    {
        final Path dir = tmp.resolve("store");
        final ImportResult r = run(dir, importer(SNAPSHOT));
        assertEquals(3, r.entries());
        assertEquals(3, r.states());
        assertEquals(4, r.dimension());
        try (MemoryStore s = open(dir))
        {
            final MemoryEntry one = entry(s, "ctx-1");
            assertEquals(SparseVector.of(new int[] {1, 3}, new float[] {0.5f, 1.25f}), one.vector());
            assertEquals(0.75f, one.importance());
            assertEquals(1_700_000_000_123L, one.storedAtMillis());
            assertEquals(0, one.metadata().length);
            final MemoryEntry two = entry(s, "ctx-2");
            assertEquals(SparseVector.of(new int[] {0, 3}, new float[] {1f, -2.5f}), two.vector());
            assertEquals(1_700_000_001_000L, two.storedAtMillis());
            final MemoryEntry three = entry(s, "été");
            assertEquals(0, three.vector().nnz(), "zeros are dropped");
            assertEquals(1_700_000_002_000L, three.storedAtMillis());

            assertEquals("{\"ctx-1\":{\"ctx-2\":3},\"counts\":[1,2.5e-3]}", state(s, "transitions"));
            assertEquals("{\"dimensions\":4,\"name\":\"bow\"}", state(s, "encoder_config"));
            assertEquals("{\"n_neurons\":100,\"decay\":0.25}", state(s, "memory_config"));
            assertEquals(Map.of("source", "membrain", "membrain.version", "1.0.0", "membrain.created_at",
                "1700000000.5", "membrain.n_memories", "3", "encoder_config", "{\"dimensions\":4,\"name\":\"bow\"}",
                "memory_config", "{\"n_neurons\":100,\"decay\":0.25}"), s.lastSnapshot().labels());
        }
    }

    @Test
    void plainJsonAndAnyKeyOrderImportToo() throws IOException
    {
        final Path file = text(tmp.resolve("snap.json"), "{" + TRANSITIONS + ", " + ENTRIES + ", " + METADATA +
            "}");
        final ImportResult r = run(tmp.resolve("store"), new MembrainImporter(file, null));
        assertEquals(3, r.entries());
        assertEquals("membrain", r.labels().get("source"));
    }

    @Test
    void anotherMajorVersionIsRefusedBeforeAnythingIsWritten() throws IOException
    {
        for (final String version : new String[] {"2.0.0", "99.0.0", "0.9.1", "10"})
        {
            final String first = SNAPSHOT.replace("\"1.0.0\"", "\"" + version + "\"");
            final UnsupportedVersionException ex = fails(UnsupportedVersionException.class, tmp.resolve("store"),
                importer(first));
            assertTrue(ex.getMessage().contains("version " + version + " is not supported"), ex.getMessage());
            assertTrue(ex.getMessage().contains("nothing was written"), ex.getMessage());
        }
        // The metadata comes last and the entries are broken: the version is still what is reported, because
        // the file is scanned for the metadata before any entry is read.
        final String last = "{\"entries\": [{\"context_id\": \"x\", \"sparse_vector\": [NaN]}], " +
            METADATA.replace("\"1.0.0\"", "\"2.1.0\"") + "}";
        fails(UnsupportedVersionException.class, tmp.resolve("store"), importer(last));
        // A later minor or patch version of major 1 imports.
        assertEquals(3, run(tmp.resolve("minor"), importer(SNAPSHOT.replace("\"1.0.0\"", "\"1.7.3\""))).entries());
    }

    @Test
    void aMissingOrMalformedVersionIsBadInput() throws IOException
    {
        final InputException none = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"version\": \"1.0.0\", ", "")));
        assertTrue(none.getMessage().contains("has no \"version\""), none.getMessage());
        final InputException abc = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"1.0.0\"", "\"v1\"")));
        assertTrue(abc.getMessage().contains("/metadata/version"), abc.getMessage());
        final InputException longer = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"1.0.0\"", "\"1." + "0".repeat(100) + "\"")));
        assertTrue(longer.getMessage().contains("not a version"), longer.getMessage());
        final InputException number = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"1.0.0\"", "1.0")));
        assertTrue(number.getMessage().contains("must be a string"), number.getMessage());
        final InputException noMetadata = fails(InputException.class, tmp.resolve("s"),
            importer("{" + ENTRIES + "}"));
        assertTrue(noMetadata.getMessage().contains("no \"metadata\""), noMetadata.getMessage());
    }

    @Test
    void errorsNameThePointerLineAndColumn() throws IOException
    {
        final InputException length = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("[0, 0, 0, 0]", "[0, 0, 0]")));
        assertTrue(length.getMessage().contains("/entries/2/sparse_vector"), length.getMessage());
        assertTrue(length.getMessage().contains("has 3 elements, the first entry's 4"), length.getMessage());
        assertTrue(length.getMessage().matches("(?s).*\\(line 1, column \\d+\\).*"), length.getMessage());

        final InputException count = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"n_memories\": 3", "\"n_memories\": 4")));
        assertTrue(count.getMessage().contains("n_memories says 4 but /entries holds 3"), count.getMessage());

        final InputException missing = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"context_id\": \"ctx-2\", ", "")));
        assertTrue(missing.getMessage().contains("/entries/1"), missing.getMessage());
        assertTrue(missing.getMessage().contains("needs \"context_id\""), missing.getMessage());

        final InputException malformed = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"importance\": 0.75,", "\"importance\": 0.75,,")));
        assertTrue(malformed.getMessage().contains("malformed JSON"), malformed.getMessage());
        assertTrue(malformed.getMessage().contains("line 1, column"), malformed.getMessage());

        final InputException dtype = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"float32\"", "\"complex128\"")));
        assertTrue(dtype.getMessage().contains("\"dtype\" must be one of"), dtype.getMessage());

        final InputException twoD = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("[0.0, 0.5, 0.0, 1.25]", "[[0.0, 0.5], [0.0, 1.25]]")));
        assertTrue(twoD.getMessage().contains("one-dimensional"), twoD.getMessage());
    }

    @Test
    void nonFiniteAndOutOfRangeNumbersAreRefused() throws IOException
    {
        for (final String bad : new String[] {"NaN", "Infinity", "-Infinity"})
        {
            final InputException ex = fails(InputException.class, tmp.resolve("s"),
                importer(SNAPSHOT.replace("[0.0, 0.5, 0.0, 1.25]", "[0.0, " + bad + ", 0.0, 1.25]")));
            assertTrue(ex.getMessage().contains("sparse_vector[1] is " + bad), ex.getMessage());
            assertTrue(ex.getMessage().contains("/entries/0/sparse_vector/1"), ex.getMessage());
        }
        final InputException big = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("[0.0, 0.5, 0.0, 1.25]", "[0.0, 1e39, 0.0, 1.25]")));
        assertTrue(big.getMessage().contains("beyond the range of a 32-bit float"), big.getMessage());
        final InputException importance = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"importance\": 0.75", "\"importance\": NaN")));
        assertTrue(importance.getMessage().contains("\"importance\" is NaN"), importance.getMessage());
        final InputException when = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("1700000000.123456", "1e300")));
        assertTrue(when.getMessage().contains("out of range"), when.getMessage());
        final InputException inConfig = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"decay\": 0.25", "\"decay\": NaN")));
        assertTrue(inConfig.getMessage().contains("not a JSON number"), inConfig.getMessage());
        final InputException digits = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"importance\": 0.75", "\"importance\": 0." + "7".repeat(200))));
        assertTrue(digits.getMessage().contains("Number value length"), digits.getMessage());
    }

    @Test
    void deepNestingIsRefusedByTheNestingLimit() throws IOException
    {
        final String deep = "[".repeat(200) + "]".repeat(200);
        final InputException ex = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"counts\": [1, 2.5e-3]", "\"counts\": " + deep)));
        assertTrue(ex.getMessage().contains("nesting depth"), ex.getMessage());
    }

    @Test
    void duplicateIdsAreRefusedNamingTheId() throws IOException
    {
        final InputException ex = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"context_id\": \"ctx-2\"", "\"context_id\": \"ctx-1\"")));
        assertTrue(ex.getMessage().contains("duplicate id 'ctx-1'"), ex.getMessage());
        assertTrue(ex.getMessage().contains("/entries/1"), ex.getMessage());
        final InputException key = fails(InputException.class, tmp.resolve("s"),
            importer("{" + METADATA + ", " + ENTRIES + ", " + ENTRIES + "}"));
        assertTrue(key.getMessage().contains("\"entries\" appears twice"), key.getMessage());
    }

    @Test
    void idsOverTheLimitAreRefused() throws IOException
    {
        final String longId = "x".repeat(2000);
        final InputException ex = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"ctx-2\"", "\"" + longId + "\"")));
        assertTrue(ex.getMessage().contains("longer than 1024 UTF-8 bytes"), ex.getMessage());
        final InputException surrogate = fails(InputException.class, tmp.resolve("s"),
            importer(SNAPSHOT.replace("\"ctx-2\"", "\"\\ud800x\"")));
        assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
    }

    @Test
    void aDamagedGzipStreamIsCorruption() throws IOException
    {
        final byte[] good = gzip(SNAPSHOT.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        final Path file = tmp.resolve("bad.json.gz");
        Files.write(file, Arrays.copyOf(good, good.length - 20));
        final DamagedInputException truncated = fails(DamagedInputException.class, tmp.resolve("s"),
            new MembrainImporter(file, null));
        assertTrue(truncated.getMessage().contains("gzip stream is damaged"), truncated.getMessage());
        final byte[] crc = good.clone();
        crc[crc.length - 6] ^= 1;
        Files.write(file, crc);
        fails(DamagedInputException.class, tmp.resolve("s"), new MembrainImporter(file, null));
    }

    @Test
    void theDimensionOptionMayWidenButNotNarrow() throws IOException
    {
        final Path file = gz(tmp.resolve("snap.json.gz"), SNAPSHOT);
        assertEquals(100, Importer.run(tmp.resolve("wide"), options(100), new MembrainImporter(file, null))
            .dimension());
        final InputException narrow = assertThrows(InputException.class,
            () -> Importer.run(tmp.resolve("narrow"), options(2), new MembrainImporter(file, null)));
        assertTrue(narrow.getMessage().contains("more than 2 elements"), narrow.getMessage());
        assertNoStoreLeft(tmp.resolve("narrow"));
    }
}
