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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of a process in the middle of a compaction (on demand, with background compaction running too), several
 * times over the same store: each reopen holds every entry at exactly the version of the last round acknowledged
 * durable, or a prefix of them at the next round's (begun before the kill landed), verifies deep, and counts the
 * same live bytes as a recount from scratch;
 * the next child then goes on from there, compacting what the killed one left.
 */
class CompactionCrashTest
{
    private static final int ENTRIES = 600;
    private static final int KILLS = 4;

    @TempDir
    Path dir;

    @Test
    void killedWhileCompactingLosesNothingAcknowledged() throws Exception
    {
        for (int kill = 0; kill < KILLS; kill++)
        {
            final int durable = runAndKill(2 + kill % 2);
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
    }

    /**
     * Runs a child and kills it once it has compacted a segment of round {@code round} or later.
     *
     * @return the last round it acknowledged durable.
     */
    private int runAndKill(final int round) throws Exception
    {
        final Process child = new ProcessBuilder(ChildJvm.command(List.of(), CompactionChild.class,
            List.of(dir.toString(), Integer.toString(ENTRIES)))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int durable = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                if (line.startsWith("durable "))
                {
                    durable = Integer.parseInt(line.substring("durable ".length()));
                }
                else if (line.startsWith("compacting ") && durable >= round)
                {
                    child.destroyForcibly(); // SIGKILL, in the middle of the compaction of that round
                    break;
                }
            }
            assertNotNull(line, "the child ended before it compacted");
        }
        finally
        {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        return durable;
    }
}
