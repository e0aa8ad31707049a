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
 * The judge of a golden store whose migration was interrupted (a power cut, a SIGKILL): it must be the old version,
 * the new one, or the version one of the steps between ended at, never anything else. Read-only, it shows exactly the
 * golden store's newest snapshot, restored from the old manifest or from the newest one the migration committed; a
 * writer refuses the versions before this build's with nothing changed (and opens them once migrated again), and
 * opens the new one with exactly the golden content. Thread safe: stateless.
 */
final class MigrationOutcome
{
    private MigrationOutcome()
    {
    }

    /**
     * Judges {@code store}, and leaves it migrated.
     *
     * @param major    the major version of the golden store migrated.
     * @param returned whether the migration had returned: the store must then be the new version.
     * @return whether it was the new version.
     */
    static boolean judge(final Path store, final int major, final boolean returned, final String where)
        throws IOException
    {
        // Each step from 2.x on commits the newest snapshot again under the next generation: the last is this build's.
        final long last = GoldenStores.migratedGeneration("v" + major + ".0");
        long newest = GoldenStores.NEWEST_GENERATION;
        for (long g = GoldenStores.NEWEST_GENERATION + 1; g <= last; g++)
        {
            final Path file = store.resolve(ManifestDescriptor.fileName(g));
            if (Files.exists(file))
            {
                // Under its final name a manifest is whole: the commit syncs it before the rename.
                final Manifest m = ManifestCodec.decode(Files.readAllBytes(file), file);
                assertEquals(FormatVersion.CURRENT_MAJOR - (last - g), m.majorVersion, where);
                assertEquals(g - 1, newest, "a step's manifest without the one before it: " + where);
                newest = g;
            }
        }
        final boolean upgraded = newest == last;
        assertTrue(upgraded || !returned, "the migration returned but the store is not upgraded: " + where);
        try (MemoryStore s = MemoryStore.open(store, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(newest, s.recoveryReport().restoredGeneration(), where);
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
            assertEquals(last, s.recoveryReport().restoredGeneration(), where);
            GoldenStores.everything().assertHeldBy(s, "writer, " + where);
        }
        return upgraded;
    }
}
