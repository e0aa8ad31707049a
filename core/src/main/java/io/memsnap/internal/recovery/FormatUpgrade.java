package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.FormatUpgradeRequiredException;
import io.memsnap.MigrationReport;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.migrate.MigrationContext;
import io.memsnap.internal.migrate.MigrationPlanner;
import io.memsnap.internal.migrate.MigrationStep;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a writer does with a store whose newest snapshot an older major format version wrote: refuses it with
 * {@link FormatUpgradeRequiredException} unless the upgrade was asked for, and then runs the
 * {@link MigrationPlanner}'s steps from that version to this build's (see {@link #atOpen}); and the same on its
 * own, for {@link io.memsnap.Migration} ({@link #migrate}).
 *
 * <p>Everything that can refuse an upgrade is decided before the first step, and changes nothing: the snapshot must
 * be the newest manifest on disk (the upgrade commits past it, so a newer one that does not validate would no longer
 * make recovery fall back, with the care a fallback takes), and it must open as a read-only open opens it (its
 * records from the index checkpoint replayed and checked).
 *
 * <p>Not thread safe: runs once, in an open or a migration, under the writer lock.
 */
public final class FormatUpgrade
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap.recovery");
    /** How a migration chooses the snapshot: as a writer with default options does. */
    private static final StoreOptions CHOOSING = StoreOptions.builder().build();

    private FormatUpgrade()
    {
    }

    /** @return whether an older major version than this build's wrote the snapshot: a writer must upgrade first. */
    static boolean isOlder(final Manifest newest)
    {
        return newest.majorVersion < FormatVersion.CURRENT_MAJOR;
    }

    /**
     * A writer's open of a store whose chosen snapshot {@link #isOlder}: refused unless
     * {@link StoreOptions#upgradeFormat()}, else upgraded.
     *
     * @return the snapshot to recover, committed in this build's version.
     * @throws FormatUpgradeRequiredException if the upgrade was not asked for; nothing was changed.
     * @throws CorruptStoreException          if a newer manifest does not validate, or the snapshot does not open
     *                                        read-only; nothing was changed.
     */
    static SnapshotChooser.Chosen atOpen(final StoreFileSystem fs, final StoreDirectory directory,
        final ManifestStore manifests, final SnapshotChooser.Chosen chosen, final StoreOptions options)
        throws IOException
    {
        try
        {
            final Manifest newest = chosen.manifest;
            refusePastDamage(directory, chosen);
            if (!options.upgradeFormat())
            {
                throw new FormatUpgradeRequiredException(directory.path(), manifests.path(newest.generation),
                    newest.majorVersion, newest.minorVersion, FormatVersion.CURRENT_MAJOR, FormatVersion.CURRENT_MINOR);
            }
            final Manifest upgraded = upgrade(fs, directory, manifests, chosen,
                line -> LOG.log(System.Logger.Level.INFO, "upgrading {0}: {1}", directory.path(), line)).manifest;
            return new SnapshotChooser.Chosen(upgraded, chosen.indexFile, chosen.index, chosen.skipped,
                chosen.damaged, chosen.abandoned);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            chosen.indexFile.unmapAll();
            throw ex;
        }
    }

    /**
     * Upgrades the store in {@code dir} (a migration: no recovery, no writer afterwards), or with {@code dryRun} says
     * what it would do, changing nothing.
     *
     * @throws IllegalArgumentException if {@code dir} holds no store.
     */
    public static MigrationReport migrate(final StoreFileSystem fs, final Path dir, final boolean dryRun,
        final Consumer<String> progress) throws IOException
    {
        final StoreDirectory directory = StoreDirectory.open(fs, dir, false);
        try
        {
            directory.lock();
            directory.scan();
            final ManifestStore manifests = new ManifestStore(fs, dir);
            final List<Long> generations = manifests.generations();
            if (generations.isEmpty())
            {
                throw new IllegalArgumentException("there is no memsnap store in " + dir + ": it holds no manifest");
            }
            final SnapshotChooser.Chosen chosen = SnapshotChooser.choose(fs, dir, manifests, generations, CHOOSING);
            chosen.indexFile.unmapAll(); // its checks are done; the upgrade needs the manifest only
            final Manifest newest = chosen.manifest;
            if (!isOlder(newest))
            {
                progress.accept("format " + newest.majorVersion + "." + newest.minorVersion + " is current: " +
                    "nothing to do");
                return new MigrationReport(dir, newest.majorVersion, newest.minorVersion, newest.majorVersion,
                    newest.minorVersion, List.of(), -1, dryRun);
            }
            final Upgrade upgrade = dryRun ? plan(fs, directory, manifests, chosen, progress) :
                upgrade(fs, directory, manifests, chosen, progress);
            return new MigrationReport(dir, newest.majorVersion, newest.minorVersion, FormatVersion.CURRENT_MAJOR,
                FormatVersion.CURRENT_MINOR, upgrade.steps, upgrade.generation, dryRun);
        }
        finally
        {
            directory.close();
        }
    }

    /** The steps of an upgrade, and the newest snapshot after it (null for a dry run) and its generation. */
    private static final class Upgrade
    {
        final List<MigrationReport.Step> steps;
        final Manifest manifest;
        final long generation;

        Upgrade(final List<MigrationReport.Step> steps, final Manifest manifest, final long generation)
        {
            this.steps = steps;
            this.manifest = manifest;
            this.generation = generation;
        }
    }

    private static Upgrade upgrade(final StoreFileSystem fs, final StoreDirectory directory,
        final ManifestStore manifests, final SnapshotChooser.Chosen chosen, final Consumer<String> progress)
        throws IOException
    {
        final List<MigrationStep> plan = check(directory, chosen, progress);
        final MigrationContext store = new MigrationContext(fs, directory.path(), manifests);
        Manifest newest = chosen.manifest;
        for (int i = 0; i < plan.size(); i++)
        {
            final MigrationStep step = plan.get(i);
            progress.accept("step " + (i + 1) + " of " + plan.size() + ", " + step.fromMajor() + ".x -> " +
                step.toMajor() + ".0: " + step.description());
            newest = step.apply(store, newest);
        }
        progress.accept("upgraded to format " + FormatVersion.CURRENT_MAJOR + "." + FormatVersion.CURRENT_MINOR +
            ": generation " + newest.generation + " committed");
        return new Upgrade(steps(plan), newest, newest.generation);
    }

    private static Upgrade plan(final StoreFileSystem fs, final StoreDirectory directory,
        final ManifestStore manifests, final SnapshotChooser.Chosen chosen, final Consumer<String> progress)
        throws IOException
    {
        final List<MigrationStep> plan = check(directory, chosen, progress);
        for (final MigrationStep step : plan)
        {
            progress.accept("would run " + step.fromMajor() + ".x -> " + step.toMajor() + ".0: " + step.description());
        }
        long commits = 0;
        for (final MigrationStep step : plan)
        {
            commits += step.commitsManifest() ? 1 : 0;
        }
        // Each step that commits takes the next generation: the newest is the last one's.
        return new Upgrade(steps(plan), null,
            new MigrationContext(fs, directory.path(), manifests).nextGeneration() + Math.max(0, commits - 1));
    }

    /**
     * Everything that can refuse the upgrade, before anything changes.
     *
     * @return the steps to run.
     */
    private static List<MigrationStep> check(final StoreDirectory directory, final SnapshotChooser.Chosen chosen,
        final Consumer<String> progress) throws IOException
    {
        final Manifest newest = chosen.manifest;
        refusePastDamage(directory, chosen);
        final List<MigrationStep> plan = MigrationPlanner.plan(newest.majorVersion);
        progress.accept("checking snapshot " + newest.generation + " (format " + newest.majorVersion + "." +
            newest.minorVersion + "): replaying the " + (newest.lastSequence - newest.checkpoint.lastSequence) +
            " records after its index checkpoint");
        final Recovered opened = ReadOnlyOpener.open(directory, StoreOptions.builder().readOnly(true)
            .generation(newest.generation).build(), System.nanoTime());
        opened.log.unmapAll();
        opened.indexFile.unmapAll();
        return plan;
    }

    /**
     * An upgrade commits only over the newest manifest: past one that does not validate, the next recovery would no
     * longer fall back, and so no longer refuse a damaged record that the lost snapshot may have acknowledged.
     *
     * @throws CorruptStoreException if a newer manifest than the chosen snapshot's does not validate.
     */
    private static void refusePastDamage(final StoreDirectory directory, final SnapshotChooser.Chosen chosen)
    {
        if (!chosen.damaged.isEmpty())
        {
            throw new CorruptStoreException("the newest snapshot of the store does not validate (" +
                String.join("; ", chosen.skipped) + "), and the one before it is in format " +
                chosen.manifest.majorVersion + "." + chosen.manifest.minorVersion + ", which this build writes to " +
                "only once upgraded, and never upgrades past damage. Nothing was changed on disk. Run 'memsnap " +
                "verify " + directory.path() + "' to see the damage; read it read-only (StoreOptions.readOnly), open " +
                "it with the release that wrote it (its recovery falls back past the damage), or copy what " +
                "validates into a new store with 'memsnap salvage'",
                directory.path().resolve(ManifestDescriptor.fileName(chosen.damaged.get(0))), 0);
        }
    }

    private static List<MigrationReport.Step> steps(final List<MigrationStep> plan)
    {
        final List<MigrationReport.Step> steps = new ArrayList<>();
        for (final MigrationStep step : plan)
        {
            steps.add(new MigrationReport.Step(step.fromMajor(), step.toMajor(), step.description()));
        }
        return steps;
    }
}
