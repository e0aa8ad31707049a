package io.memsnap;

import java.nio.file.Path;

/**
 * A writer was asked to open a store whose newest snapshot an older major format version wrote. This build reads
 * such a store as it is (open it read-only), but it writes only the current version, and once a store holds a
 * manifest of the current version the release that wrote the older one can no longer open it: so a store is upgraded
 * only on request, by {@link Migration#migrate} ({@code memsnap migrate DIR}) or by an open with
 * {@link StoreOptions.Builder#upgradeFormat(boolean)}. Nothing was changed on disk.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class FormatUpgradeRequiredException extends IncompatibleFormatException
{
    private static final long serialVersionUID = 1L;

    /** The directory of the store that needs the upgrade. */
    private final Path directory;

    /**
     * A store whose newest snapshot is in an older major format version than this build writes.
     *
     * @param manifest the newest snapshot's manifest, whose version is {@code foundMajor.foundMinor}.
     * @param directory the store's directory.
     * @param foundMajor the major format version of the newest snapshot.
     * @param foundMinor its minor format version.
     * @param currentMajor the major format version this build writes.
     * @param currentMinor the minor format version this build writes.
     */
    public FormatUpgradeRequiredException(final Path directory, final Path manifest, final int foundMajor,
        final int foundMinor, final int currentMajor, final int currentMinor)
    {
        super("the store in " + directory + " is in memsnap format " + foundMajor + "." + foundMinor + " (" +
            manifest.getFileName() + ") and this build writes format " + currentMajor + "." + currentMinor +
            ". A writer upgrades a store only on request: the release that wrote it cannot open it afterwards. " +
            "Upgrade it with 'memsnap migrate " + directory + "' (Migration.migrate), or open it with " +
            "StoreOptions.Builder.upgradeFormat(true); open it read-only (StoreOptions.Builder.readOnly) to read it " +
            "as it is. Nothing was changed on disk.", foundMajor, foundMinor);
        this.directory = directory;
    }

    /** {@return the store's directory.} */
    public Path directory()
    {
        return directory;
    }
}
