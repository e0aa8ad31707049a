package io.memsnap.internal.migrate;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.NextSlotExtension;

import java.io.IOException;

/**
 * 3.x to 4.0: commits the newest snapshot again, under the next generation, as a 4.0 manifest file naming slot 0 of
 * {@code manifests.mss} as the one the next commit writes; nothing else is written.
 *
 * <p>Format 4.0 commits snapshots into the slots of {@code manifests.mss} rewritten in place. A 3.x build that read
 * the store would know nothing of the slots and open the newest manifest file, an older snapshot than the store's; so
 * the store's newest manifest must be one a 3.x build refuses. This step writes it: the same records, checkpoint,
 * tail, counts, labels, flushed ranges and extensions as the 3.x one (no byte they cover changes, so it opens to the
 * same content), version 4.0 (which a 3.x build refuses, naming the release that reads it), and the next-slot
 * extension. The commit is the file commit ({@link io.memsnap.internal.snapshot.ManifestStore#commit}: a new pending
 * file, fsync, atomic rename, directory fsync), and no manifest is retired: until the rename is durable
 * the 3.x manifest is the newest and the store is still 3.x, readable and writable by the release that wrote it;
 * afterwards it is 4.0. A crash before the rename leaves a stale pending file, which the next migration overwrites and
 * a writer's open deletes. The first writer's open creates {@code manifests.mss} (every slot free) and commits into it
 * from then on; a 3.x build refuses a store holding it as a foreign file. The older manifest files stay until retention
 * retires them, readable by {@link io.memsnap.StoreOptions.Builder#generation} as before.
 *
 * <p>Thread safe: stateless.
 */
final class MigrateV3ToV4 implements MigrationStep
{
    /** The slot the first commit after the migration writes: the first of a new {@code manifests.mss}. */
    private static final int FIRST_SLOT = 0;

    @Override
    public int fromMajor()
    {
        return FormatVersion.MAJOR_3;
    }

    @Override
    public int toMajor()
    {
        return FormatVersion.MAJOR_4;
    }

    @Override
    public String description()
    {
        return "snapshots are committed into manifest slots rewritten in place: the newest snapshot committed again " +
            "as a 4.0 manifest under the next generation";
    }

    @Override
    public Manifest apply(final MigrationContext store, final Manifest newest) throws IOException
    {
        final Manifest upgraded = newest.inVersion(FormatVersion.MAJOR_4, FormatVersion.MINOR_0,
            LibraryVersion.FIRST_READER_OF_4_0, store.nextGeneration()).withExtension(NextSlotExtension.of(FIRST_SLOT));
        store.manifests().commit(upgraded);
        return upgraded;
    }
}
