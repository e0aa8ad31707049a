package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memsnap compact DIR [--json]} on a store of overwritten entries: it copies, snapshots, and a later run (once
 * the snapshots before the first retired) deletes files; the content stays; {@code inspect} reports the live and dead
 * bytes per segment before and after; scripts (no terminal) get no progress on stderr.
 */
class CompactCliTest
{
    private static final int DIMENSION = 1000;
    private static final int ENTRIES = 400;

    @TempDir
    Path dir;

    @Test
    void compactCopiesFreesAndKeepsTheContent() throws Exception
    {
        try (MemoryStore store = MemoryStore.open(dir, TestStores.small(DIMENSION).toBuilder()
            .backgroundCompaction(false).build()))
        {
            for (int version = 0; version < 20; version++)
            {
                for (int n = 0; n < ENTRIES; n++)
                {
                    if (version == 0 || n % 4 != 0)
                    {
                        store.put("id-" + n, SparseVector.of(new int[] {n % DIMENSION, 999},
                            new float[] {version, 1f}), 1f, 1_700_000_000_000L, new byte[100]);
                    }
                }
            }
            store.snapshot();
        }
        final String dumpBefore = run("dump", dir.toString()).out;
        final String inspectBefore = json(run("inspect", "--json", dir.toString()));
        final long deadBefore = field(inspectBefore, "deadBytes");
        assertTrue(deadBefore > field(inspectBefore, "liveBytes"), inspectBefore);

        final ExportImportCliTest.Run first = run("compact", "--json", dir.toString());
        assertEquals(Main.OK, first.code, first.toString());
        assertEquals("", first.err, "no progress without a terminal");
        final String result = json(first);
        assertTrue(field(result, "segmentsCompacted") > 0, result);
        assertTrue(field(result, "recordsCopied") >= ENTRIES / 4, result);
        assertEquals(dumpBefore, run("dump", dir.toString()).out);

        long freed = field(result, "bytesFreed");
        for (int i = 0; i < 3; i++)
        {
            final ExportImportCliTest.Run again = run("compact", dir.toString());
            assertEquals(Main.OK, again.code, again.toString());
            assertTrue(again.out.startsWith("compacted "), again.toString());
            freed += field(json(run("compact", "--json", dir.toString())), "bytesFreed");
        }
        assertTrue(freed > 0, "nothing freed");
        assertEquals(dumpBefore, run("dump", dir.toString()).out);
        final String inspectAfter = json(run("inspect", "--json", dir.toString()));
        assertTrue(field(inspectAfter, "deadBytes") < deadBefore / 2, inspectAfter);
        final ExportImportCliTest.Run text = run("inspect", dir.toString());
        assertTrue(text.out.contains("amplification") && text.out.contains("segment-0"), text.toString());
        assertEquals(Main.OK, run("verify", "--deep", dir.toString()).code);
    }

    private static String json(final ExportImportCliTest.Run run)
    {
        assertEquals(Main.OK, run.code, run.toString());
        return run.out;
    }

    /** @return the first number named {@code name} in {@code json} (the totals come before the files). */
    private static long field(final String json, final String name)
    {
        final Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Long.parseLong(m.group(1));
    }
}
