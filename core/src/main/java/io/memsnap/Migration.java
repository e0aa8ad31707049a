package io.memsnap;

import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.recovery.FormatUpgrade;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Upgrades a store written by an older major format version to this build's, on request. A writer's open never
 * does it unasked ({@link FormatUpgradeRequiredException}): the release that wrote the store cannot open it once it
 * holds a manifest of a newer version, so rolling back to that release would strand it.
 *
 * <p>A migration takes the writer lock (so no process writes to the store meanwhile), finds the newest snapshot the
 * way a writer's open does, checks that it opens (its records after the index checkpoint are replayed, as a
 * read-only open does), and then runs one step per major version, from the store's to this build's, each crash safe:
 * a crash leaves the store in the version before the step or after it (docs/format.md, "Versions"). It refuses,
 * before anything changes, a store of a newer major version ({@link IncompatibleFormatException}), a store whose
 * newest manifest or whose snapshot does not validate ({@link CorruptStoreException}), and a locked store
 * ({@link StoreLockedException}). A store of the current major version is left as it is.
 *
 * <p>Thread safe: stateless; the writer lock keeps two migrations of one store apart.
 */
public final class Migration
{
    private static final Consumer<String> SILENT = line ->
    {
    };

    private Migration()
    {
    }

    /**
     * As {@link #migrate(Path, Consumer)}, quietly.
     *
     * @param dir the store's directory.
     * @return what was done.
     */
    public static MigrationReport migrate(final Path dir)
    {
        return migrate(dir, SILENT);
    }

    /**
     * Upgrades the store in {@code dir} to this build's format version.
     *
     * @param progress told, on the calling thread, one line for each stage as it starts (the check of the snapshot,
     *                 which may replay many records, and each step).
     * @param dir the store's directory.
     * @return what was done; {@link MigrationReport#upgraded()} is false for a store of the current version.
     * @throws IncompatibleFormatException if the store is of a newer major version; nothing was changed.
     * @throws CorruptStoreException       if its newest manifest or snapshot does not validate; nothing was changed.
     * @throws StoreLockedException        if another writer has it open.
     * @throws IllegalArgumentException    if {@code dir} holds no store.
     * @throws StoreIoException            if the file system fails; the store is in the version before the step
     *                                     that failed, or after it.
     */
    public static MigrationReport migrate(final Path dir, final Consumer<String> progress)
    {
        return run(dir, false, progress, StoreFileSystem.real());
    }

    /**
     * As {@link #migrate(Path, Consumer)}, with every change going through {@code fs}. Internal: the seam for
     * crash-state tests, not part of the supported API.
     *
     * @param dir the store's directory.
     * @param progress told one line a stage, as {@link #migrate(Path, Consumer)} says.
     * @param fs the file system every change goes through.
     * @return what was done.
     */
    public static MigrationReport migrate(final Path dir, final Consumer<String> progress, final StoreFileSystem fs)
    {
        return run(dir, false, progress, fs);
    }

    /**
     * What {@link #migrate} would do, checked the same way (under the writer lock, the snapshot replayed), with
     * nothing changed: a dry run.
     *
     * @param dir the store's directory.
     * @param progress told one line a stage.
     * @return what {@link #migrate} would do.
     */
    public static MigrationReport plan(final Path dir, final Consumer<String> progress)
    {
        return run(dir, true, progress, StoreFileSystem.real());
    }

    private static MigrationReport run(final Path dir, final boolean dryRun, final Consumer<String> progress,
        final StoreFileSystem fs)
    {
        try
        {
            return FormatUpgrade.migrate(fs, dir, dryRun, progress);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not migrate store " + dir, ex);
        }
    }
}
