package io.memsnap;

import io.memsnap.internal.salvage.Salvager;

import java.nio.file.Path;

/**
 * Copies what still validates in a damaged store into a new one, and reports what it could not copy.
 *
 * <p>Salvage does not trust the index or the manifests: it reads every record of every segment file, keeps those
 * whose CRC32C holds, and for each id and state name takes the newest valid record (the highest sequence number): a
 * put gives the value, a delete its absence. After a damaged record it resynchronises on the next valid record and
 * reports the bytes in between. The manifests are read only for the dimension, the labels and the sequence number
 * the newest snapshot reached. The new store is created through {@link MemoryStore#open} and ends with a durable
 * snapshot labelled {@value #SALVAGED_FROM_LABEL} (plus the labels of the newest manifest that validated).
 *
 * <p>The damaged directory is only read: no lock file, no write, no rename, no delete. Run salvage when no process
 * writes to it. (Format and limits: docs/salvage.md.)
 *
 * <p>Thread safe: stateless; each call works on its own directories.
 */
public final class Salvage
{
    /** The label of the salvaged store's snapshot that names the damaged store's directory. */
    public static final String SALVAGED_FROM_LABEL = "salvaged-from";

    private Salvage()
    {
    }

    /**
     * Salvages {@code dir} into a new store at {@code out}, with the dimension of a manifest that validates, or, if
     * none does, the smallest power of two above the largest index found (the report says which).
     *
     * @param dir the damaged store's directory; only read.
     * @param out a new or empty directory for the salvaged store.
     * @return what was copied and what was lost.
     * @see #salvage(Path, Path, int)
     */
    public static SalvageReport salvage(final Path dir, final Path out)
    {
        return Salvager.salvage(dir, out, 0);
    }

    /**
     * Salvages {@code dir} into a new store at {@code out}.
     *
     * @param dimension the dimension of the store, used when no manifest validates; a manifest that validates must
     *                  agree with it.
     * @param dir the damaged store's directory; only read.
     * @param out a new or empty directory for the salvaged store.
     * @return what was copied and what was lost; {@link SalvageReport#nothingLost()} says whether anything was.
     * @throws IllegalArgumentException    if {@code out} exists and is not an empty directory, lies inside
     *                                     {@code dir}, or {@code dimension} disagrees with a manifest or is not
     *                                     above an index the records hold. Nothing was created then.
     * @throws IncompatibleFormatException if a manifest or segment header that validates has a format version
     *                                     this build does not read. Nothing was created then.
     * @throws StoreIoException            if reading {@code dir} or writing {@code out} fails; what salvage
     *                                     wrote to {@code out} is removed.
     */
    public static SalvageReport salvage(final Path dir, final Path out, final int dimension)
    {
        if (dimension < 1)
        {
            throw new IllegalArgumentException("dimension must be at least 1, was " + dimension);
        }
        return Salvager.salvage(dir, out, dimension);
    }
}
