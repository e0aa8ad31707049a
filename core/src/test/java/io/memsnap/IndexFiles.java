package io.memsnap;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.AllocatedBytes;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.ReachablePages;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.IndexCheckpointer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * White-box views of a store's index files for tests: which generations are in the directory, the disk space they
 * take (allocated blocks, not lengths: later generations are sparse), and the pages the durable checkpoint reaches.
 */
final class IndexFiles
{
    private IndexFiles()
    {
    }

    /** @return the generations of the index files in {@code dir}, ascending. */
    static List<Long> generations(final Path dir)
    {
        final List<Long> generations = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(p ->
            {
                final long g = IndexPageDescriptor.parseFileName(p.getFileName().toString());
                if (g >= 0)
                {
                    generations.add(g);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        generations.sort(Long::compare);
        return generations;
    }

    static Path path(final Path dir, final long generation)
    {
        return dir.resolve(IndexPageDescriptor.fileName(generation));
    }

    /** @return the bytes allocated to all index files of {@code dir}. */
    static long allocatedBytes(final Path dir)
    {
        final List<Long> generations = generations(dir);
        final Path[] files = new Path[generations.size()];
        for (int i = 0; i < files.length; i++)
        {
            files[i] = path(dir, generations.get(i));
        }
        long total = 0;
        for (final long bytes : AllocatedBytes.of(files))
        {
            if (bytes == AllocatedBytes.UNKNOWN)
            {
                throw new AssertionError("stat could not tell the allocated size of the index files of " + dir);
            }
            total += bytes;
        }
        return total;
    }

    /** @return the length of all index files of {@code dir}. */
    static long apparentBytes(final Path dir)
    {
        long total = 0;
        for (final long generation : generations(dir))
        {
            total += StoreFiles.size(path(dir, generation));
        }
        return total;
    }

    /** @return the pages the durable checkpoint of a writable store reaches, root included (header not). */
    static int reachablePages(final MemoryStore store)
    {
        final IndexFile file = field(store, "index", HashIndex.class).file();
        final Checkpoint durable = field(store, "checkpointer", IndexCheckpointer.class).durable();
        return ReachablePages.of(file, durable.rootPage, durable.indexPages, Integer.MAX_VALUE).length;
    }

    /** @return the index file of a store. */
    static IndexFile indexFile(final MemoryStore store)
    {
        return field(store, "index", HashIndex.class).file();
    }

    /** @return the durable checkpoint of a store. */
    static Checkpoint durable(final MemoryStore store)
    {
        return field(store, "checkpointer", IndexCheckpointer.class).durable();
    }

    private static <T> T field(final MemoryStore store, final String name, final Class<T> type)
    {
        try
        {
            final Field field = MemoryStore.class.getDeclaredField(name);
            field.setAccessible(true);
            return type.cast(field.get(store));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
