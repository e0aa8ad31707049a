package io.memsnap.internal.migrate;

import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The store a {@link MigrationStep} works on: its directory, the file-system seam every change goes through, and its
 * manifests. Not thread safe: used by one migration, under the writer lock.
 */
public final class MigrationContext
{
    private final StoreFileSystem fs;
    private final Path dir;
    private final ManifestStore manifests;

    public MigrationContext(final StoreFileSystem fs, final Path dir, final ManifestStore manifests)
    {
        this.fs = fs;
        this.dir = dir;
        this.manifests = manifests;
    }

    public StoreFileSystem fs()
    {
        return fs;
    }

    public Path dir()
    {
        return dir;
    }

    public ManifestStore manifests()
    {
        return manifests;
    }

    /** @return the generation a manifest committed now takes: one past the newest manifest file on disk. */
    public long nextGeneration() throws IOException
    {
        final List<Long> generations = manifests.generations();
        return generations.isEmpty() ? 0 : generations.get(0) + 1;
    }
}
