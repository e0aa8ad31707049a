package io.memsnap.internal.migrate;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.snapshot.Manifest;

import java.io.IOException;

/**
 * 2.x to 3.0: commits the newest snapshot again, under the next generation, as a 3.0 manifest (the oldest reader's
 * version, no extensions); nothing else is written.
 *
 * <p>The new manifest holds exactly what the old one does (the same records, checkpoint, tail, counts, labels and
 * flushed ranges, which stay valid because no byte they cover changes), so it opens to the same content. Segments,
 * index pages and the watermark did not change in 3.0 and are left as they are. The commit is a file commit
 * ({@link io.memsnap.internal.snapshot.ManifestStore#commit}: a new pending file, fsync, atomic rename, directory
 * fsync), and no manifest is retired: until the rename is durable the old manifest is the newest and the
 * store is still 2.x, readable and writable by the release that wrote it; afterwards it is 3.0, which a 2.x build
 * refuses. A crash before the rename leaves a stale pending file, which the next migration overwrites and a
 * writer's open deletes. The older manifests
 * stay until retention retires them, readable by {@link io.memsnap.StoreOptions.Builder#generation} as before.
 *
 * <p>Thread safe: stateless.
 */
final class MigrateV2ToV3 implements MigrationStep
{
    @Override
    public int fromMajor()
    {
        return FormatVersion.MAJOR_2;
    }

    @Override
    public int toMajor()
    {
        return FormatVersion.MAJOR_3;
    }

    @Override
    public String description()
    {
        return "manifests name their oldest reader and carry extensions: the newest snapshot committed again as a " +
            "3.0 manifest under the next generation";
    }

    @Override
    public Manifest apply(final MigrationContext store, final Manifest newest) throws IOException
    {
        final Manifest upgraded = newest.inVersion(FormatVersion.MAJOR_3, FormatVersion.MINOR_0,
            LibraryVersion.FIRST_READER_OF_3_0, store.nextGeneration()); // a 2.x manifest has no extensions
        store.manifests().commit(upgraded);
        return upgraded;
    }
}
