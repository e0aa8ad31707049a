package io.memsnap.cli.importer;

import io.memsnap.cli.archive.ArchiveDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

class ImportFormatTest
{
    @TempDir
    Path tmp;

    private ImportFormat detect(final String text) throws IOException
    {
        return ImportFormat.detect(text(tmp.resolve("f"), text));
    }

    @Test
    void detectsByMagicThenByTheFirstObjectsKeys() throws IOException
    {
        final byte[] archive = java.util.Arrays.copyOf(ArchiveDescriptor.MAGIC, 100);
        assertEquals(ImportFormat.ARCHIVE, ImportFormat.detect(Files.write(tmp.resolve("a"), archive)));
        assertEquals(ImportFormat.MEMBRAIN, ImportFormat.detect(gz(tmp.resolve("g"), "{}")));
        assertEquals(ImportFormat.PENIN, detect(PeninImporterTest.STATE));
        assertEquals(ImportFormat.PENIN, detect("{\"task_history\": {}, \"knowledge_base\": {}}"));
        assertEquals(ImportFormat.PENIN, detect("{\"other\": [1, 2, {\"x\": 3}], \"knowledge_base\": {}}"));
        assertEquals(ImportFormat.MEMBRAIN, detect(MembrainImporterTest.SNAPSHOT));
        assertEquals(ImportFormat.JSONL, detect(JsonlImporterTest.LINES));
        assertEquals(ImportFormat.JSONL, detect("{\"metadata\": \"AQI=\", \"id\": \"x\"}\n"));
        assertEquals(ImportFormat.JSONL, detect(""));
        assertEquals(ImportFormat.JSONL, detect("not json at all"));
    }

    @Test
    void namesParseCaseInsensitively()
    {
        assertEquals(ImportFormat.PENIN, ImportFormat.parse("Penin"));
        assertEquals("membrain", ImportFormat.MEMBRAIN.cliName());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ImportFormat.parse("csv"));
        assertTrue(ex.getMessage().contains("expected archive, membrain, penin or jsonl"));
    }
}
