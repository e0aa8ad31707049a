package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The judge of a golden store whose migration was interrupted (a power cut, a SIGKILL): it must be the old version
 * or the new one, never anything else. Read-only, it shows exactly the golden store's newest snapshot, restored from
 * the old manifest or from the one the migration committed; a writer refuses the old version with nothing changed
 * (and opens it once migrated again), and opens the new one with exactly the golden content. Thread safe: stateless.
 */
final class MigrationOutcome
{
    private MigrationOutcome()
    {
    }

    /**
     * Judges {@code store}, and leaves it migrated.
     *
     * @param returned whether the migration had returned: the store must then be the new version.
     * @return whether it was the new version.
     */
    static boolean judge(final Path store, final boolean returned, final String where) throws IOException
    {
        final Path upgradedManifest = store.resolve(ManifestDescriptor.fileName(GoldenStores.NEWEST_GENERATION + 1));
        final boolean upgraded = Files.exists(upgradedManifest);
        if (upgraded)
        {
            // Under its final name a manifest is whole: the commit syncs it before the rename.
            final Manifest m = ManifestCodec.decode(Files.readAllBytes(upgradedManifest), upgradedManifest);
            assertEquals(FormatVersion.CURRENT_MAJOR, m.majorVersion, where);
        }
        assertTrue(upgraded || !returned, "the migration returned but the store is not upgraded: " + where);
        try (MemoryStore s = MemoryStore.open(store, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(GoldenStores.NEWEST_GENERATION + (upgraded ? 1 : 0), s.recoveryReport().restoredGeneration(),
                where);
            GoldenStores.newestSnapshot().assertHeldBy(s, "read-only, " + where);
        }
        if (!upgraded)
        {
            final Map<String, byte[]> before = GoldenStores.files(store);
            assertThrows(FormatUpgradeRequiredException.class, () -> MemoryStore.open(store, GoldenStores.options()),
                where);
            GoldenStores.assertUnchanged(before, store, "a refused writer, " + where);
            assertTrue(Migration.migrate(store).upgraded(), where);
        }
        try (MemoryStore s = MemoryStore.open(store, GoldenStores.options()))
        {
            assertEquals(GoldenStores.NEWEST_GENERATION + 1, s.recoveryReport().restoredGeneration(), where);
            GoldenStores.everything().assertHeldBy(s, "writer, " + where);
        }
        return upgraded;
    }
}
