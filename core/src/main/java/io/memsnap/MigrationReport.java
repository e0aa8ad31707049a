package io.memsnap;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Migration#migrate} did to a store (or, for {@link Migration#plan}, would do): the format version of
 * its newest snapshot before and after, the steps from one major version to the next that ran, and the generation
 * of the manifest committed. A store of the current major version needs no step: the report of it lists none and
 * nothing was changed.
 *
 * <p>Thread safe: immutable.
 */
public final class MigrationReport
{
    /** One step, from a major version to the next. Immutable. */
    public static final class Step
    {
        private final int fromMajor;
        private final int toMajor;
        private final String description;

        /**
         * Made by the migration.
         *
         * @param fromMajor see {@link #fromMajor()}.
         * @param toMajor see {@link #toMajor()}.
         * @param description see {@link #description()}.
         */
        public Step(final int fromMajor, final int toMajor, final String description)
        {
            this.fromMajor = fromMajor;
            this.toMajor = toMajor;
            this.description = description;
        }

        /** {@return the major version the step upgrades from (any minor version of it).} */
        public int fromMajor()
        {
            return fromMajor;
        }

        /** {@return the major version the step upgrades to.} */
        public int toMajor()
        {
            return toMajor;
        }

        /** {@return what the step changes on disk.} */
        public String description()
        {
            return description;
        }

        /** {@return "1.x -> 2.0: what it does".} */
        @Override
        public String toString()
        {
            return fromMajor + ".x -> " + toMajor + ".0: " + description;
        }
    }

    private final Path directory;
    private final int fromMajor;
    private final int fromMinor;
    private final int toMajor;
    private final int toMinor;
    private final List<Step> steps;
    private final long generation;
    private final boolean dryRun;

    /**
     * Made by the migration.
     *
     * @param generation the generation of the manifest committed (for a dry run, the one that would be), or -1 if
     *                   none.
     * @param directory the store's directory.
     * @param fromMajor the major format version of its newest snapshot before.
     * @param fromMinor the minor format version of it.
     * @param toMajor the major format version after.
     * @param toMinor the minor format version after.
     * @param steps the steps, oldest version first.
     * @param dryRun whether nothing was changed.
     */
    public MigrationReport(final Path directory, final int fromMajor, final int fromMinor, final int toMajor,
        final int toMinor, final List<Step> steps, final long generation, final boolean dryRun)
    {
        this.directory = directory;
        this.fromMajor = fromMajor;
        this.fromMinor = fromMinor;
        this.toMajor = toMajor;
        this.toMinor = toMinor;
        this.steps = List.copyOf(steps);
        this.generation = generation;
        this.dryRun = dryRun;
    }

    /** {@return the store's directory.} */
    public Path directory()
    {
        return directory;
    }

    /** {@return the format version of the store's newest snapshot before, "major.minor".} */
    public String fromVersion()
    {
        return fromMajor + "." + fromMinor;
    }

    /** {@return the format version of its newest snapshot after (for a dry run, the one it would be in).} */
    public String toVersion()
    {
        return toMajor + "." + toMinor;
    }

    /** {@return the major format version of the store's newest snapshot before.} */
    public int fromMajor()
    {
        return fromMajor;
    }

    /** {@return the major format version of its newest snapshot after.} */
    public int toMajor()
    {
        return toMajor;
    }

    /**
     * {@return the steps run (for a dry run, those that would run), oldest version first; empty if none was needed.}
     */
    public List<Step> steps()
    {
        return steps;
    }

    /**
     * {@return the generation of the manifest the migration committed (for a dry run, the one it would commit), or -1
     * if it committed none.}
     */
    public long generation()
    {
        return generation;
    }

    /** {@return whether this is the report of {@link Migration#plan}: nothing was changed.} */
    public boolean dryRun()
    {
        return dryRun;
    }

    /** {@return whether the store was upgraded: steps ran, and not as a dry run.} */
    public boolean upgraded()
    {
        return !dryRun && !steps.isEmpty();
    }

    @Override
    public String toString()
    {
        return "MigrationReport{" + directory + ": " + fromVersion() + " -> " + toVersion() + ", steps=" + steps +
            ", generation=" + generation + (dryRun ? ", dry run" : "") + '}';
    }
}
