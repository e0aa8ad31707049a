package io.memsnap.cli.importer;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.cli.TestStores;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Inputs and checks shared by the importer tests. */
final class Fixture
{
    static final long NOW = 1_234_567_890_123L;

    private Fixture()
    {
    }

    static ImportOptions options(final Integer dimension)
    {
        return new ImportOptions(TestStores.smallBase(), dimension, NOW);
    }

    static ImportResult run(final Path dir, final FormatImporter importer) throws IOException
    {
        return Importer.run(dir, options(null), importer);
    }

    static Path text(final Path file, final String text) throws IOException
    {
        return Files.write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path gz(final Path file, final String json) throws IOException
    {
        return Files.write(file, gzip(json.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] gzip(final byte[] bytes)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out))
        {
            z.write(bytes);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        return out.toByteArray();
    }

    /** Asserts that neither {@code dir} nor a temporary directory of an import into it exists. */
    static void assertNoStoreLeft(final Path dir) throws IOException
    {
        assertFalse(Files.exists(dir), dir + " must not exist");
        try (Stream<Path> s = Files.list(dir.getParent()))
        {
            final String prefix = dir.getFileName() + Importer.TEMP_INFIX;
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith(prefix)).count(),
                "no temporary directory may be left");
        }
    }

    /** @return the exception {@code importer} fails with, after checking that nothing was left behind. */
    static <T extends Throwable> T fails(final Class<T> type, final Path dir, final FormatImporter importer)
        throws IOException
    {
        final T ex = assertThrows(type, () -> run(dir, importer));
        assertNoStoreLeft(dir);
        return ex;
    }

    static MemoryStore open(final Path dir)
    {
        return MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build());
    }

    static MemoryEntry entry(final MemoryStore store, final String id)
    {
        return store.get(id).orElseThrow(() -> new AssertionError("no entry " + id));
    }

    static String state(final MemoryStore store, final String name)
    {
        return new String(store.getState(name).orElseThrow(() -> new AssertionError("no state " + name)),
            StandardCharsets.UTF_8);
    }
}
