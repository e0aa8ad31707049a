package io.memsnap.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the benchmarks keep their stores, the corpus cache and the disk-floor probe file: one directory on the file
 * system under test, {@code $MEMSNAP_BENCH_DIR} or the system property {@code memsnap.bench.dir}, by default
 * {@code bench/target/bench-data} under the working directory (or {@code target/bench-data} when run from bench/).
 * Not {@code /tmp}: it may be a tmpfs, and the floor must be measured where the stores live.
 */
public final class BenchDirs
{
    private BenchDirs()
    {
    }

    /** @return the data directory, created if missing. */
    public static Path dataDir()
    {
        String configured = System.getProperty("memsnap.bench.dir");
        if (configured == null || configured.isEmpty())
        {
            configured = System.getenv("MEMSNAP_BENCH_DIR");
        }
        final Path dir;
        if (configured != null && !configured.isEmpty())
        {
            dir = Path.of(configured);
        }
        else if (Files.isDirectory(Path.of("bench", "src")))
        {
            dir = Path.of("bench", "target", "bench-data");
        }
        else
        {
            dir = Path.of("target", "bench-data");
        }
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not create the benchmark data directory " + dir, ex);
        }
        return dir.toAbsolutePath();
    }

    /** @return {@code name} under the data directory, its parent created. */
    public static Path resolve(final String name)
    {
        final Path path = dataDir().resolve(name);
        try
        {
            Files.createDirectories(path.getParent());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return path;
    }

    /** Deletes a file or a directory tree; absent is fine. */
    public static void deleteTree(final Path path)
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (var walk = Files.walk(path))
        {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(
                (p) ->
                {
                    try
                    {
                        Files.deleteIfExists(p);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not delete " + path, ex);
        }
    }

    /** @return the apparent size of the files under {@code path}. */
    public static long sizeOf(final Path path)
    {
        if (!Files.exists(path))
        {
            return 0;
        }
        try (var walk = Files.walk(path))
        {
            return walk.filter(Files::isRegularFile).mapToLong(
                (p) ->
                {
                    try
                    {
                        return Files.size(p);
                    }
                    catch (final IOException ex)
                    {
                        return 0;
                    }
                }).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
