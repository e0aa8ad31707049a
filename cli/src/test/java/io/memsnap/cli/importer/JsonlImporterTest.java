package io.memsnap.cli.importer;

import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.cli.TestStores;
import io.memsnap.cli.fs.AtomicFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

class JsonlImporterTest
{
    static final String LINES = "{\"id\":\"a\",\"indices\":[1,5],\"values\":[0.5,-1.0],\"importance\":0.25," +
        "\"storedAt\":17,\"metadata\":\"AQI=\"}\n" +
        "\n" +
        "{\"id\":\"b\",\"indices\":[],\"values\":[]}\n" +
        "{\"id\":\"c\",\"indices\":[9],\"values\":[3.5],\"storedAt\":19}\n";

    @TempDir
    Path tmp;

    private JsonlImporter importer(final String text) throws IOException
    {
        return new JsonlImporter(text(tmp.resolve("in.jsonl"), text), null);
    }

    private static ImportResult run10(final Path dir, final FormatImporter importer) throws IOException
    {
        return Importer.run(dir, options(10), importer);
    }

    @Test
    void dumpThenImportIsExact() throws IOException
    {
        final Path src = tmp.resolve("src");
        TestStores.create(src, 3000, 200, 7);
        final Path file = tmp.resolve("dump.jsonl");
        try (MemoryStore s = MemoryStore.open(src, StoreOptions.builder().readOnly(true).build()))
        {
            AtomicFile.write(file, false, out ->
            {
                io.memsnap.cli.DumpCommandAccess.dump(s, out);
                return null;
            });
        }
        final Path dst = tmp.resolve("dst");
        final ImportResult r = Importer.run(dst, options(3000), new JsonlImporter(file, null));
        assertEquals(200, r.entries());
        assertEquals(entriesOf(src), entriesOf(dst));
    }

    private static List<String> entriesOf(final Path dir)
    {
        return TestStores.contents(dir).stream().filter(s -> s.startsWith("entry ") || s.startsWith("dimension"))
            .collect(Collectors.toList());
    }

    @Test
    void linesImportWithDefaults() throws IOException
    {
        final Path dir = tmp.resolve("s");
        assertEquals(3, run10(dir, importer(LINES)).entries());
        try (MemoryStore s = open(dir))
        {
            assertEquals(17, entry(s, "a").storedAtMillis());
            assertArrayEquals(new byte[] {1, 2}, entry(s, "a").metadata());
            assertEquals(NOW, entry(s, "b").storedAtMillis(), "storedAt defaults to the import's time");
            assertEquals(1.0f, entry(s, "c").importance());
        }
        assertEquals(ImportOptions.DEFAULT_DIMENSION, run(tmp.resolve("d"), importer(LINES)).dimension());
    }

    @Test
    void errorsNameTheLine() throws IOException
    {
        final InputException malformed = fails10(LINES + "{\"id\": \"d\", \"indices\": [1,}\n");
        assertTrue(malformed.getMessage().contains("line 5"), malformed.getMessage());
        final InputException field = fails10(LINES + "{\"id\":\"d\",\"indices\":[],\"values\":[],\"x\":1}\n");
        assertTrue(field.getMessage().contains("line 5: unknown field \"x\""), field.getMessage());
        final InputException dup = fails10(LINES + "{\"id\":\"b\",\"indices\":[],\"values\":[]}\n");
        assertTrue(dup.getMessage().contains("line 5: duplicate id 'b'"), dup.getMessage());
        final InputException sameLine = fails10("{\"id\":\"x\",\"indices\":[],\"values\":[]} " +
            "{\"id\":\"y\",\"indices\":[],\"values\":[]}\n");
        assertTrue(sameLine.getMessage().contains("line 1: a second object on one line"), sameLine.getMessage());
        final InputException dimension = fails10("{\"id\":\"x\",\"indices\":[10],\"values\":[1]}\n");
        assertTrue(dimension.getMessage().contains("not below the store's dimension 10"), dimension.getMessage());
        final InputException nan = fails10("{\"id\":\"x\",\"indices\":[1],\"values\":[NaN]}\n");
        assertTrue(nan.getMessage().contains("NaN and Infinity are not JSON numbers"), nan.getMessage());
        final InputException array = fails10("[1, 2]\n");
        assertTrue(array.getMessage().contains("line 1: expected a JSON object"), array.getMessage());
    }

    @Test
    void hugeStringsAreRefusedByTheStringLimit() throws IOException
    {
        final String huge = "A".repeat(5 * 1024 * 1024);
        final InputException ex = fails10("{\"id\":\"x\",\"indices\":[],\"values\":[],\"metadata\":\"" + huge +
            "\"}\n");
        assertTrue(ex.getMessage().contains("String value length"), ex.getMessage());
    }

    private InputException fails10(final String text) throws IOException
    {
        final Path dir = tmp.resolve("bad");
        final InputException ex = assertThrows(InputException.class, () -> run10(dir, importer(text)));
        assertNoStoreLeft(dir);
        return ex;
    }
}
