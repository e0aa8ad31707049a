package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of a process in the middle of a compaction (on demand, with background compaction running too), several
 * times over the same store: each reopen holds every entry at exactly the version of the last round acknowledged
 * durable, or a prefix of them at the next round's (begun before the kill landed), verifies deep, and counts the
 * same live bytes as a recount from scratch;
 * the next child then goes on from there, compacting what the killed one left. The child's last lines tell where
 * each kill landed; the test fails unless some kill landed while an on-demand compaction was in flight (begun and
 * not returned).
 */
class CompactionCrashTest
{
    private static final int ENTRIES = 600;
    private static final int KILLS = 4;
    private static final int SIGKILL_STATUS = 128 + 9;

    @TempDir
    Path dir;

    @Test
    void killedWhileCompactingLosesNothingAcknowledged() throws Exception
    {
        int inFlight = 0;
        for (int kill = 0; kill < KILLS; kill++)
        {
            final Killed killed = runAndKill(2 + kill % 2);
            final int durable = killed.durable;
            inFlight += killed.compacting ? 1 : 0;
            try (MemoryStore store = MemoryStore.open(dir, CompactionChild.options().toBuilder()
                .backgroundCompaction(false).build()))
            {
                assertEquals(ENTRIES, store.size());
                // The kill lands after the line that triggered it: the child may have begun the next round, whose
                // writes a SIGKILL keeps (they are in the page cache), in order: a prefix of the entries.
                boolean next = true;
                for (int n = 0; n < ENTRIES; n++)
                {
                    final MemoryEntry e = store.get(TestEntries.id(n)).orElseThrow();
                    next = next && TestEntries.matches(e, n, durable + 1);
                    assertTrue(next || TestEntries.matches(e, n, durable), "entry " + n + " after kill " + kill +
                        " is neither version " + durable + " nor, after a prefix of them, " + (durable + 1) + ": " + e);
                }
                assertTrue(store.verify(true).problems().isEmpty(), store.verify(true).toString());
                CompactionTest.assertAccountingMatchesRecount(store);
            }
        }
        System.out.println("CompactionCrashTest: " + KILLS + " kills, " + inFlight + " while a compaction was in " +
            "flight");
        assertTrue(inFlight > 0, "no kill landed while a compaction was in flight");
    }

    /** Where a kill landed, as the child's lines up to its death tell. */
    private static final class Killed
    {
        /** The last round the child acknowledged durable. */
        int durable;
        /** Whether a compaction had begun and not returned. */
        boolean compacting;
    }

    /**
     * Runs a child and kills it once it has compacted a segment of round {@code round} or later, then reads what it
     * printed up to its death.
     */
    private Killed runAndKill(final int round) throws Exception
    {
        final Process child = new ProcessBuilder(ChildJvm.command(List.of(), CompactionChild.class,
            List.of(dir.toString(), Integer.toString(ENTRIES)))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final Killed killed = new Killed();
        boolean sent = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                final String[] words = line.split(" ");
                switch (words[0])
                {
                    case "durable" -> killed.durable = Integer.parseInt(words[1]);
                    case "compaction" -> killed.compacting = true;
                    case "compacted" -> killed.compacting = false;
                    case "compacting" ->
                    {
                        if (!sent && killed.durable >= round)
                        {
                            // SIGKILL through the handle: destroyForcibly() would close this end of the child's
                            // stdout, and lose the lines that say where the kill landed.
                            child.toHandle().destroyForcibly();
                            sent = true;
                        }
                    }
                    default -> throw new IllegalStateException("unexpected line from the child: " + line);
                }
            }
            assertTrue(sent, "the child ended before it compacted");
        }
        finally
        {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(SIGKILL_STATUS, child.exitValue(), "the child did not die of the SIGKILL");
        return killed;
    }
}
