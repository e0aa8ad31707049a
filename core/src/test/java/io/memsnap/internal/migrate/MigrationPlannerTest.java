package io.memsnap.internal.migrate;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.snapshot.Manifest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The planner orders one step per major version, from a store's to this build's, and finds gaps and doubles. */
class MigrationPlannerTest
{
    @Test
    void everyMajorThisBuildReadsHasItsStepsInOrder()
    {
        for (int from = FormatVersion.OLDEST_MAJOR; from <= FormatVersion.CURRENT_MAJOR; from++)
        {
            final List<MigrationStep> plan = MigrationPlanner.plan(from);
            assertEquals(FormatVersion.CURRENT_MAJOR - from, plan.size(), "from " + from);
            int major = from;
            for (final MigrationStep step : plan)
            {
                assertEquals(major, step.fromMajor());
                assertEquals(major + 1, step.toMajor());
                assertFalse(step.description().isBlank());
                major = step.toMajor();
            }
        }
        assertTrue(MigrationPlanner.plan(FormatVersion.CURRENT_MAJOR).isEmpty());
        assertInstanceOf(MigrateV1ToV2.class, MigrationPlanner.plan(FormatVersion.MAJOR_1).get(0));
        assertInstanceOf(MigrateV2ToV3.class, MigrationPlanner.plan(FormatVersion.MAJOR_1).get(1));
    }

    @Test
    void aVersionThisBuildDoesNotReadHasNoPlan()
    {
        assertThrows(IllegalArgumentException.class, () -> MigrationPlanner.plan(FormatVersion.CURRENT_MAJOR + 1));
        assertThrows(IllegalArgumentException.class, () -> MigrationPlanner.plan(FormatVersion.OLDEST_MAJOR - 1));
    }

    @Test
    void aMissingOrDoubledStepIsABugFoundBeforeAnythingRuns()
    {
        final MigrationStep oneToTwo = new MigrateV1ToV2();
        final MigrationStep twoToThree = new MigrateV2ToV3();
        assertEquals(List.of(oneToTwo, twoToThree), MigrationPlanner.plan(List.of(twoToThree, oneToTwo), 1, 3));
        assertThrows(IllegalStateException.class, () -> MigrationPlanner.plan(List.of(oneToTwo), 1, 3));
        assertThrows(IllegalStateException.class, () -> MigrationPlanner.plan(List.of(twoToThree), 1, 3));
        assertThrows(IllegalStateException.class,
            () -> MigrationPlanner.plan(List.of(oneToTwo, twoToThree, new MigrateV1ToV2()), 2, 3));
        assertThrows(IllegalStateException.class, () -> MigrationPlanner.plan(List.of(new MigrationStep()
        {
            @Override
            public int fromMajor()
            {
                return 1;
            }

            @Override
            public int toMajor()
            {
                return 3;
            }

            @Override
            public String description()
            {
                return "skips a version";
            }

            @Override
            public Manifest apply(final MigrationContext store, final Manifest newest)
            {
                return newest;
            }
        }), 1, 3));
    }
}
