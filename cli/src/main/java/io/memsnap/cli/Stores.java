package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** How commands open stores: read commands read-only (safe beside a writer), write commands as the writer. */
final class Stores
{
    private Stores()
    {
    }

    /** Opens the newest snapshot, or {@code generation}, read-only. Shows what the snapshot holds. */
    static MemoryStore readOnly(final Path dir, final Long generation) throws NoSuchFileException
    {
        requireStore(dir);
        final StoreOptions.Builder b = StoreOptions.builder().readOnly(true);
        if (generation != null)
        {
            b.generation(generation);
        }
        return MemoryStore.open(dir, b.build());
    }

    /**
     * Opens (or, with a dimension, creates) the store as its writer, with the retention rules the store records (those
     * of the service that writes it), so that a command never deletes a snapshot that service keeps.
     */
    static MemoryStore writer(final Path dir, final Integer dimension)
    {
        final StoreOptions.Builder b = StoreOptions.builder();
        if (dimension != null)
        {
            b.dimension(dimension);
        }
        return writerWith(dir, b);
    }

    /** As {@link #writer(Path, Integer)}, with the options {@code b} sets besides. */
    static MemoryStore writerWith(final Path dir, final StoreOptions.Builder b)
    {
        return MemoryStore.open(dir, b.retentionFromStore(true).build());
    }

    static void requireStore(final Path dir) throws NoSuchFileException
    {
        if (!Files.isDirectory(dir))
        {
            throw new NoSuchFileException(dir.toString(), null, "no memsnap store there");
        }
    }
}
