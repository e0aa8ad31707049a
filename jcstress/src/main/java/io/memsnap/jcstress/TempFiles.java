package io.memsnap.jcstress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests' index files live: under /dev/shm when it exists (no disk I/O per state), else java.io.tmpdir. */
final class TempFiles
{
    private static final Path BASE = base();

    private TempFiles()
    {
    }

    /** @return a new empty directory, to be removed with {@link #delete}. */
    static Path newDirectory()
    {
        try
        {
            return Files.createTempDirectory(BASE, "memsnap-jcstress-");
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a directory made by {@link #newDirectory} and the files in it. */
    static void delete(final Path dir)
    {
        try (var files = Files.list(dir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.delete(file);
            }
            Files.delete(dir);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static Path base()
    {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
