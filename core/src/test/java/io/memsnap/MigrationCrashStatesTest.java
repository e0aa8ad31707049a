package io.memsnap;

import io.memsnap.crash.CrashMode;
import io.memsnap.crash.CrashModel;
import io.memsnap.crash.CrashState;
import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.RecordingFileSystem;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A migration under a power cut: the migration of a copy of the golden store of each older major version is
 * recorded through the file-system seam, and at every entry of its journal several states a power cut there could
 * leave (see {@code CrashStateExplorerTest}) are written out and opened: each must be the old version or the new
 * one, never something else ({@link MigrationOutcome}), and once the migration returned, the new one.
 */
class MigrationCrashStatesTest
{
    private static final long SEED = Long.getLong("memsnap.crash.seed", 20261206L);
    /** Random states per mode and journal entry, besides the two modes that draw nothing. */
    private static final int DRAWS = Integer.getInteger("memsnap.crash.states", 3);
    private static final String STORE = "store";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.memsnap.MigrationTest#older")
    void everyCrashStateOfAMigrationIsTheOldVersionOrTheNew(final String version) throws IOException
    {
        final Path root = tmp.resolve("root");
        GoldenStores.unpack(version, root.resolve(STORE));
        final RecordingFileSystem fs = new RecordingFileSystem(root);
        final MigrationReport report = Migration.migrate(root.resolve(STORE), line -> { }, fs);
        assertTrue(report.upgraded(), report.toString());
        fs.acknowledgeSnapshot(report.generation());

        final CrashModel model = new CrashModel(fs.journal());
        final Random random = new Random(SEED);
        final Set<Long> seen = new HashSet<>();
        int explored = 0;
        int upgraded = 0;
        int points = 0;
        while (true)
        {
            points++;
            for (final CrashMode mode : CrashMode.values())
            {
                for (int k = 0; k < (mode.isRandom() ? DRAWS : 1); k++)
                {
                    final CrashState state = model.crashState(mode, random);
                    if (!seen.add(state.digest()))
                    {
                        continue;
                    }
                    final Path dir = tmp.resolve("state-" + explored);
                    state.writeTo(dir);
                    final String where = "after journal entry " + model.position() + " of " + model.size() + ", " +
                        mode + " (" + version + ", seed " + SEED + "): " + state;
                    if (MigrationOutcome.judge(dir.resolve(STORE), GoldenStores.major(version),
                        model.acknowledgedSnapshot() > 0, where))
                    {
                        upgraded++;
                    }
                    explored++;
                }
            }
            if (!model.hasNext())
            {
                break;
            }
            final JournalEntry e = model.advance();
            assertNotEquals(JournalEntry.Kind.DELETE, e.kind, "a migration deletes nothing: " + e);
        }
        System.out.println("migration of " + version + ": explored " + explored + " distinct crash states at " +
            points + " points, " + upgraded + " upgraded, the rest the old version");
        assertTrue(upgraded > 0 && upgraded < explored, "both outcomes were reached");
    }
}
