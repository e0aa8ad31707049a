package io.memsnap.cli.importer;

import io.memsnap.MemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static io.memsnap.cli.importer.Fixture.*;
import static org.junit.jupiter.api.Assertions.*;

class ImporterTest
{
    @TempDir
    Path tmp;

    /** Puts {@code n} entries, then fails with {@code failure} (or not, when null), remembering its directory. */
    private static FormatImporter putsThenFails(final int n, final RuntimeException failure,
        final AtomicReference<Path> seenTemp)
    {
        return new FormatImporter()
        {
            @Override
            public String format()
            {
                return "test";
            }

            @Override
            public void importInto(final ImportSink sink)
            {
                sink.open(8);
                for (int i = 0; i < n; i++)
                {
                    sink.put("e" + i, new int[] {i % 8}, new float[] {1f}, 1f, i, new byte[0]);
                }
                sink.putState("s", new byte[] {1});
                sink.label("k", "v");
                try (java.util.stream.Stream<Path> s = Files.list(tmpOf(sink)))
                {
                    assertTrue(s.findAny().isPresent(), "the store is being built in the temporary directory");
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
                seenTemp.set(tmpOf(sink));
                if (failure != null)
                {
                    throw failure;
                }
            }
        };
    }

    private static Path tmpOf(final ImportSink sink)
    {
        try
        {
            final java.lang.reflect.Field f = ImportSink.class.getDeclaredField("dir");
            f.setAccessible(true);
            return (Path)f.get(sink);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void successRenamesTheTemporaryStoreIntoPlace() throws IOException
    {
        final AtomicReference<Path> temp = new AtomicReference<>();
        final Path dir = tmp.resolve("a/b/store");
        final ImportResult r = run(dir, putsThenFails(100, null, temp));
        assertEquals(100, r.entries());
        assertEquals(dir.toAbsolutePath().normalize(), r.directory());
        assertTrue(temp.get().getFileName().toString().startsWith("store" + Importer.TEMP_INFIX));
        assertFalse(Files.exists(temp.get()));
        try (MemoryStore s = open(dir))
        {
            assertEquals(100, s.size());
            assertEquals("v", s.lastSnapshot().labels().get("k"));
            assertEquals(1, s.stateCount());
        }
    }

    @Test
    void anyFailureLeavesNothingBehind() throws IOException
    {
        for (final RuntimeException failure : new RuntimeException[] {new InputException("bad"),
            new IllegalStateException("bug"), new OutOfMemoryErrorLike()})
        {
            final AtomicReference<Path> temp = new AtomicReference<>();
            final Path dir = tmp.resolve("store");
            final RuntimeException thrown = assertThrows(RuntimeException.class,
                () -> run(dir, putsThenFails(50, failure, temp)));
            assertSame(failure, thrown);
            assertNotNull(temp.get());
            assertFalse(Files.exists(temp.get()), "the temporary store is deleted");
            assertNoStoreLeft(dir);
        }
    }

    /** A failure of an unexpected type. */
    private static final class OutOfMemoryErrorLike extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void anEmptyDirectoryIsReplacedAndAFullOneRefused() throws IOException
    {
        final Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(3, run(empty, putsThenFails(3, null, new AtomicReference<>())).entries());
        try (MemoryStore s = open(empty))
        {
            assertEquals(3, s.size());
        }

        final Path full = Files.createDirectory(tmp.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        final InputException ex = assertThrows(InputException.class,
            () -> run(full, putsThenFails(3, null, new AtomicReference<>())));
        assertTrue(ex.getMessage().contains("exists and is not an empty directory"), ex.getMessage());
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
        try (java.util.stream.Stream<Path> s = Files.list(tmp))
        {
            assertEquals(0, s.filter(p -> p.toString().contains(Importer.TEMP_INFIX)).count());
        }

        final Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(InputException.class, () -> run(file, putsThenFails(3, null, new AtomicReference<>())));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void anImportIntoADirectoryFilledMeanwhileFailsCleanly() throws IOException
    {
        final Path dir = tmp.resolve("raced");
        final FormatImporter racer = new FormatImporter()
        {
            @Override
            public String format()
            {
                return "test";
            }

            @Override
            public void importInto(final ImportSink sink) throws IOException
            {
                sink.open(4);
                Files.createDirectories(dir);
                Files.writeString(dir.resolve("other"), "someone else's");
            }
        };
        assertThrows(InputException.class, () -> run(dir, racer));
        assertEquals("someone else's", Files.readString(dir.resolve("other")));
        try (java.util.stream.Stream<Path> s = Files.list(tmp))
        {
            assertEquals(0, s.filter(p -> p.toString().contains(Importer.TEMP_INFIX)).count());
        }
    }
}
