package io.memsnap;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Upgrades on request only: a writer refuses a store of an older major version and changes nothing, a migration
 * (or a writer asked to upgrade) commits the newest snapshot again, in each version from 3.0 up to this build's, and
 * writes nothing else,
 * and a store of a newer major, a damaged one or a locked one is refused by the migration with nothing changed. Each
 * case runs on copies of the golden stores ({@link GoldenStores}).
 */
class MigrationTest
{
    @TempDir
    Path dir;

    /** The golden stores of majors older than this build's. */
    static List<String> older()
    {
        return GoldenStores.VERSIONS.stream().filter(v -> GoldenStores.major(v) < FormatVersion.CURRENT_MAJOR)
            .collect(Collectors.toList());
    }

    static List<String> versions()
    {
        return GoldenStores.VERSIONS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void aWriterRefusesAnOlderMajorAndChangesNothing(final String version)
    {
        GoldenStores.unpack(version, dir);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        for (final StoreOptions options : List.of(GoldenStores.options(),
            GoldenStores.options().toBuilder().recoveryMode(RecoveryMode.STRICT).build(),
            StoreOptions.builder().build()))
        {
            final FormatUpgradeRequiredException ex = assertThrows(FormatUpgradeRequiredException.class,
                () -> MemoryStore.open(dir, options).close());
            assertInstanceOf(IncompatibleFormatException.class, ex);
            assertEquals(GoldenStores.major(version), ex.foundMajor());
            assertEquals(0, ex.foundMinor());
            assertTrue(ex.getMessage().contains("'memsnap migrate " + dir + "'"), ex.getMessage());
            assertTrue(ex.getMessage().contains("StoreOptions.Builder.upgradeFormat(true)"), ex.getMessage());
            assertTrue(ex.getMessage().contains("Nothing was changed on disk"), ex.getMessage());
            GoldenStores.assertUnchanged(before, dir, "a refused writer's open");
        }
        try (MemoryStore s = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            GoldenStores.newestSnapshot().assertHeldBy(s, version + " read-only after the refusals");
        }
        GoldenStores.assertUnchanged(before, dir, "a read-only open");
    }

    /**
     * A migration writes a manifest file for each step from 2.x on, under the next generations, the last of which holds
     * the newest snapshot as a manifest of this build's version; the store then opens to a writer, takes writes and a
     * snapshot, and opens again.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void migratesThenAWriterAppendsAndReopens(final String version) throws IOException
    {
        GoldenStores.unpack(version, dir);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        final List<String> progress = new ArrayList<>();
        final MigrationReport report = Migration.migrate(dir, progress::add);

        final int major = GoldenStores.major(version);
        assertTrue(report.upgraded(), report.toString());
        assertEquals(major + ".0", report.fromVersion());
        assertEquals(FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR, report.toVersion());
        assertEquals(FormatVersion.CURRENT_MAJOR - major, report.steps().size(), report.toString());
        for (int i = 0; i < report.steps().size(); i++)
        {
            assertEquals(major + i, report.steps().get(i).fromMajor());
            assertEquals(major + i + 1, report.steps().get(i).toMajor());
        }
        assertEquals(GoldenStores.migratedGeneration(version), report.generation(), "a manifest per step from 2.x on");
        assertFalse(report.dryRun());
        assertTrue(progress.size() >= report.steps().size() + 1, progress.toString());

        final List<String> committed = new ArrayList<>();
        for (long g = GoldenStores.NEWEST_GENERATION + 1; g <= report.generation(); g++)
        {
            committed.add(ManifestDescriptor.fileName(g));
        }
        final Map<String, byte[]> after = GoldenStores.files(dir);
        assertEquals(committed, added(after, before), "a migration writes the new manifests and nothing else");
        final Path file = dir.resolve(committed.get(committed.size() - 1));
        final Manifest upgraded = ManifestCodec.decode(Files.readAllBytes(file), file);
        final Path oldFile = dir.resolve(ManifestDescriptor.fileName(GoldenStores.NEWEST_GENERATION));
        final Manifest old = ManifestCodec.decode(Files.readAllBytes(oldFile), oldFile);
        assertEquals(FormatVersion.CURRENT_MAJOR, upgraded.majorVersion);
        assertEquals(old.lastSequence, upgraded.lastSequence);
        assertEquals(old.checkpoint.rootPage, upgraded.checkpoint.rootPage);
        assertEquals(old.tailOffset, upgraded.tailOffset);
        assertEquals(old.labels, upgraded.labels);
        assertEquals(old.seed, upgraded.seed);

        final SparseVector v = SparseVector.of(new int[] {4, 8}, new float[] {0.5f, -0.5f});
        try (MemoryStore s = MemoryStore.open(dir, GoldenStores.options()))
        {
            GoldenStores.everything().assertHeldBy(s, version + " migrated");
            s.put("after-migration", v, 0.25f, 77L, new byte[] {1});
            assertEquals(report.generation() + 1, s.snapshot(Map.of("after", "migration")).generation());
            s.put("after-snapshot", v, 0.5f, 78L, null);
            s.sync();
        }
        try (MemoryStore s = MemoryStore.open(dir, GoldenStores.options()))
        {
            assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
            assertEquals(GoldenStores.everything().size() + 2, s.size());
            assertEquals(77L, s.get("after-migration").orElseThrow().storedAtMillis());
            assertEquals(v, s.get("after-snapshot").orElseThrow().vector());
            assertTrue(s.verify(true).ok(), s.verify(true).toString());
        }
    }

    /** @return the names {@code after} holds that {@code before} does not, sorted, the rest equal byte for byte. */
    private static List<String> added(final Map<String, byte[]> after, final Map<String, byte[]> before)
    {
        final List<String> added = new ArrayList<>(after.keySet());
        added.removeAll(before.keySet());
        assertTrue(after.keySet().containsAll(before.keySet()), "files removed");
        for (final Map.Entry<String, byte[]> e : before.entrySet())
        {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " changed");
        }
        java.util.Collections.sort(added);
        return added;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void migratingAgainChangesNothing(final String version)
    {
        GoldenStores.unpack(version, dir);
        final MigrationReport first = Migration.migrate(dir);
        assertEquals(GoldenStores.major(version) < FormatVersion.CURRENT_MAJOR, first.upgraded());
        final Map<String, byte[]> before = GoldenStores.files(dir);
        final MigrationReport again = Migration.migrate(dir);
        assertFalse(again.upgraded(), again.toString());
        assertTrue(again.steps().isEmpty());
        assertEquals(-1, again.generation());
        assertEquals(again.toVersion(), again.fromVersion());
        assertEquals(FormatVersion.CURRENT_MAJOR, again.fromMajor());
        GoldenStores.assertUnchanged(before, dir, "a migration of a current store");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void aDryRunSaysWhatItWouldDoAndChangesNothing(final String version)
    {
        GoldenStores.unpack(version, dir);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        final MigrationReport plan = Migration.plan(dir, line -> { });
        assertTrue(plan.dryRun());
        assertFalse(plan.upgraded());
        assertEquals(FormatVersion.CURRENT_MAJOR - GoldenStores.major(version), plan.steps().size());
        assertEquals(GoldenStores.migratedGeneration(version), plan.generation());
        GoldenStores.assertUnchanged(before, dir, "a dry run");
        assertEquals(plan.steps().size(), Migration.migrate(dir).steps().size());
    }

    /** Both ways to upgrade run the same steps: the manifest a writer's upgrade commits is the migration's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void aWriterAskedToUpgradeCommitsWhatAMigrationCommits(final String version) throws IOException
    {
        final Path migrated = dir.resolve("migrated");
        final Path opened = dir.resolve("opened");
        GoldenStores.unpack(version, migrated);
        GoldenStores.unpack(version, opened);
        final long generation = Migration.migrate(migrated).generation();
        try (MemoryStore s = MemoryStore.open(opened, GoldenStores.options().toBuilder().upgradeFormat(true).build()))
        {
            assertEquals(generation, s.recoveryReport().restoredGeneration());
            GoldenStores.everything().assertHeldBy(s, version + " upgraded at open");
        }
        final String name = ManifestDescriptor.fileName(generation);
        assertArrayEquals(Files.readAllBytes(migrated.resolve(name)), Files.readAllBytes(opened.resolve(name)));
        try (MemoryStore s = MemoryStore.open(opened, GoldenStores.options().toBuilder().upgradeFormat(true).build()))
        {
            assertEquals(generation, s.recoveryReport().restoredGeneration(), "a current store is not upgraded again");
        }
    }

    @Test
    void aNewerMajorIsRefusedByTheMigrationWithNothingChanged() throws IOException
    {
        GoldenStores.unpack("v" + FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR, dir);
        final byte[] bytes = Manifests.bytes(dir, GoldenStores.NEWEST_GENERATION);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)(FormatVersion.CURRENT_MAJOR + 1));
        b.putInt(bytes.length - 4, new Checksum().compute(bytes, 0, bytes.length - 4));
        Manifests.rewrite(dir, GoldenStores.NEWEST_GENERATION, bytes);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        for (final boolean dryRun : new boolean[] {true, false})
        {
            final IncompatibleFormatException ex = assertThrows(IncompatibleFormatException.class,
                () -> migrateOrPlan(dryRun));
            assertFalse(ex instanceof FormatUpgradeRequiredException);
            assertEquals(FormatVersion.CURRENT_MAJOR + 1, ex.foundMajor());
            GoldenStores.assertUnchanged(before, dir, "a refused migration");
        }
    }

    private MigrationReport migrateOrPlan(final boolean dryRun)
    {
        return dryRun ? Migration.plan(dir, line -> { }) : Migration.migrate(dir);
    }

    /**
     * An upgrade commits past the newest snapshot only: if the newest manifest is damaged, both ways to upgrade
     * refuse (committing past it would keep recovery from taking the care a fallback takes), and so does a writer
     * not asked to upgrade, and nothing changes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void aDamagedNewestManifestIsRefusedWithNothingChanged(final String version)
    {
        GoldenStores.unpack(version, dir);
        StoreFiles.flip(dir.resolve(ManifestDescriptor.fileName(GoldenStores.NEWEST_GENERATION)), 40, 0x10);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        final CorruptStoreException migrating = assertThrows(CorruptStoreException.class,
            () -> Migration.migrate(dir));
        assertTrue(migrating.getMessage().contains("memsnap verify"), migrating.getMessage());
        GoldenStores.assertUnchanged(before, dir, "a refused migration");
        for (final boolean upgrade : new boolean[] {true, false})
        {
            final CorruptStoreException opening = assertThrows(CorruptStoreException.class, () -> MemoryStore.open(
                dir, GoldenStores.options().toBuilder().upgradeFormat(upgrade).build()).close());
            assertTrue(opening.getMessage().contains("memsnap salvage"), opening.getMessage());
            GoldenStores.assertUnchanged(before, dir, "a refused writer, upgrade " + upgrade);
        }
    }

    /**
     * A segment the snapshot needs damaged (its header, which the choice of the snapshot does not read): the check
     * before the steps, a read-only open of the snapshot, refuses it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("older")
    void aDamagedSnapshotIsRefusedWithNothingChanged(final String version)
    {
        GoldenStores.unpack(version, dir);
        StoreFiles.flip(dir.resolve(SegmentDescriptor.fileName(1)), SegmentDescriptor.FIRST_SEQUENCE_OFFSET, 0x01);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        assertThrows(CorruptStoreException.class, () -> Migration.migrate(dir));
        assertThrows(CorruptStoreException.class, () -> Migration.plan(dir, line -> { }));
        GoldenStores.assertUnchanged(before, dir, "a refused migration");
    }

    @Test
    void aLockedStoreIsRefused()
    {
        GoldenStores.unpack("v" + FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR, dir);
        try (MemoryStore writer = MemoryStore.open(dir, GoldenStores.options()))
        {
            assertThrows(StoreLockedException.class, () -> Migration.migrate(dir));
            assertTrue(writer.contains("tail-0"));
        }
    }

    @Test
    void aReadOnlyOpenCannotBeAskedToUpgrade()
    {
        assertThrows(IllegalArgumentException.class,
            () -> StoreOptions.builder().readOnly(true).upgradeFormat(true).build());
    }
}
