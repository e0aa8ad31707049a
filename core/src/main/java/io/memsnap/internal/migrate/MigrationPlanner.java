package io.memsnap.internal.migrate;

import io.memsnap.internal.format.FormatVersion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Orders the {@link MigrationStep}s that take a store from its major format version to this build's: one step per
 * major version, each from one to the next, run oldest first (the idea of Aeron's {@code ArchiveMigrationPlanner}).
 * A new major version adds its step to {@link #STEPS}; a gap in the chain is a bug of the build, found by
 * {@link #plan} before anything runs.
 *
 * <p>Thread safe: stateless.
 */
public final class MigrationPlanner
{
    /** Every step this build knows, in no particular order. */
    static final List<MigrationStep> STEPS = List.of(new MigrateV3ToV4(), new MigrateV2ToV3(), new MigrateV1ToV2());

    private MigrationPlanner()
    {
    }

    /**
     * @return the steps from {@code fromMajor} to {@link FormatVersion#CURRENT_MAJOR}, in the order to run them;
     * empty for the current major.
     * @throws IllegalArgumentException if this build does not read {@code fromMajor}.
     */
    public static List<MigrationStep> plan(final int fromMajor)
    {
        return plan(STEPS, fromMajor, FormatVersion.CURRENT_MAJOR);
    }

    /**
     * @return the steps of {@code known} from {@code fromMajor} to {@code toMajor}, ordered, each starting where the
     * one before ends.
     * @throws IllegalArgumentException if {@code fromMajor} is not in [{@link FormatVersion#OLDEST_MAJOR},
     *                                  {@code toMajor}].
     * @throws IllegalStateException    if {@code known} misses a step of the way, or holds two for one version.
     */
    static List<MigrationStep> plan(final List<MigrationStep> known, final int fromMajor, final int toMajor)
    {
        if (fromMajor < FormatVersion.OLDEST_MAJOR || fromMajor > toMajor)
        {
            throw new IllegalArgumentException("no upgrade from format " + fromMajor + ".x to " + toMajor + ".x: " +
                "this build reads majors " + FormatVersion.OLDEST_MAJOR + " to " + toMajor);
        }
        final Map<Integer, MigrationStep> byFromMajor = new HashMap<>();
        for (final MigrationStep step : known)
        {
            if (step.toMajor() != step.fromMajor() + 1)
            {
                throw new IllegalStateException("migration step " + step.getClass().getSimpleName() + " goes from " +
                    step.fromMajor() + ".x to " + step.toMajor() + ".x: a step goes to the next major version");
            }
            if (byFromMajor.put(step.fromMajor(), step) != null)
            {
                throw new IllegalStateException("two migration steps from format " + step.fromMajor() + ".x");
            }
        }
        final List<MigrationStep> plan = new ArrayList<>();
        for (int major = fromMajor; major < toMajor; major++)
        {
            final MigrationStep step = byFromMajor.get(major);
            if (step == null)
            {
                throw new IllegalStateException("no migration step from format " + major + ".x to " + (major + 1) +
                    ".x");
            }
            plan.add(step);
        }
        return List.copyOf(plan);
    }
}
