package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A migration killed by SIGKILL: a {@link MigrationChild} migrates copies of the 2.0 golden store one after the
 * other and is killed a moment after it starts one of them. Then every copy is judged ({@link MigrationOutcome}):
 * those whose migration returned must be the new version, the one killed in flight the old version or the new, those
 * never started must be byte for byte what they were, and each must open, read-only and to a writer, with exactly
 * the golden content, and take writes after. The test fails unless some kill landed inside a migration.
 *
 * <p>A killed process leaves its writes in the page cache: this tests that no point of a migration leaves a store
 * that is neither version, and that a later migration or writer copes with what it left (a pending manifest); the
 * power cut is {@link MigrationCrashStatesTest}'s. System property {@code memsnap.crash.seed} repeats a run.
 */
class MigrationKillTest
{
    private static final int ROUNDS = 4;
    private static final int STORES = 40;
    private static final long TIMEOUT_SECONDS = 60;
    private static final int SIGKILL_STATUS = 128 + 9;

    @TempDir
    Path tmp;

    static String storeName(final int i)
    {
        return "store-" + i;
    }

    @Test
    void aMigrationKilledAnywhereLeavesTheOldVersionOrTheNew() throws Exception
    {
        final long seed = Long.getLong("memsnap.crash.seed", new Random().nextLong());
        final Random random = new Random(seed);
        int inFlight = 0;
        int inFlightUpgraded = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path root = tmp.resolve("round-" + round);
            for (int i = 0; i < STORES; i++)
            {
                GoldenStores.unpack("v2.0", root.resolve(storeName(i)));
            }
            final Map<String, byte[]> pristine = GoldenStores.files(root.resolve(storeName(STORES - 1)));
            final int target = STORES / 4 + random.nextInt(STORES / 2);
            final String context = "seed " + seed + " (-Dmemsnap.crash.seed=" + seed + "), round " + round;
            // Most of a migration is its commit, which ends with the rename: aim at its second half too.
            final int[] last = runAndKill(root, target, 0.3 + 0.9 * random.nextDouble(), context);
            final int started = last[0];
            final int done = last[1];
            for (int i = 0; i < STORES; i++)
            {
                final Path store = root.resolve(storeName(i));
                final String where = context + ", store " + i + " (started up to " + started + ", done up to " +
                    done + ")";
                if (i > started)
                {
                    GoldenStores.assertUnchanged(pristine, store, "a migration never started, " + where);
                }
                final boolean upgraded = MigrationOutcome.judge(store, FormatVersion.MAJOR_2, i <= done, where);
                if (i == started && started > done)
                {
                    inFlight++;
                    inFlightUpgraded += upgraded ? 1 : 0;
                }
                appendAndReopen(store, where);
            }
        }
        System.out.println("MigrationKillTest: seed " + seed + ", " + ROUNDS + " rounds, " + inFlight +
            " killed inside a migration, " + inFlightUpgraded + " of those upgraded");
        assertTrue(inFlight > 0, "no kill landed inside a migration; seed " + seed);
    }

    /**
     * Starts the child, kills it after it announced the migration of store {@code target}, {@code fraction} of the
     * time its migrations took so far later, and reads what it printed up to its death.
     *
     * @return the last store it started and the last it finished (-1 if none).
     */
    private int[] runAndKill(final Path root, final int target, final double fraction, final String context)
        throws IOException, InterruptedException
    {
        final Path stderr = Files.createTempFile(tmp, "child", ".err");
        final Process process = new ProcessBuilder(ChildJvm.command(List.of("-Xmx128m", "-XX:+UseSerialGC"),
            MigrationChild.class, List.of(root.toString(), String.valueOf(STORES))))
            .redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        int started = -1;
        int done = -1;
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            boolean killed = false;
            long startedAt = 0;
            long migrating = 0;
            while ((line = out.readLine()) != null)
            {
                final int n = Integer.parseInt(line.substring(line.indexOf(' ') + 1));
                if (line.startsWith("start "))
                {
                    started = n;
                    startedAt = System.nanoTime();
                }
                else
                {
                    done = n;
                    migrating += n > 0 ? System.nanoTime() - startedAt : 0; // the first runs cold
                }
                if (!killed && started == target)
                {
                    LockSupport.parkNanos((long)(fraction * migrating / Math.max(1, done)));
                    process.toHandle().destroyForcibly();
                    killed = true;
                }
            }
            assertTrue(killed, context + ": the child finished before the kill: " + Files.readString(stderr));
        }
        assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), context + ": child did not die");
        assertEquals(SIGKILL_STATUS, process.exitValue(), context + ": not killed by SIGKILL: " +
            Files.readString(stderr));
        return new int[] {started, done};
    }

    /** A writer takes writes and a snapshot on the judged store, which then opens again with them. */
    private static void appendAndReopen(final Path store, final String where)
    {
        try (MemoryStore s = MemoryStore.open(store, GoldenStores.options()))
        {
            s.put("after-kill", SparseVector.of(new int[] {9}, new float[] {9f}), 0.9f, 9L, null);
            s.snapshot();
        }
        try (MemoryStore s = MemoryStore.open(store, GoldenStores.options()))
        {
            assertEquals(GoldenStores.everything().size() + 1, s.size(), where);
            assertTrue(s.contains("after-kill"), where);
        }
    }
}
