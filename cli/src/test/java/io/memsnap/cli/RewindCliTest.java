package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.RewindResult;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap rewind} and what {@code list}, {@code inspect} and {@code dump --generation} show after it: the
 * rewound content, the timeline of each snapshot with the current one marked, the pinned safety snapshot holding the
 * state before; a generation that is not retained exits 1 and changes nothing; the writer lock is taken.
 */
class RewindCliTest
{
    private static final int DIMENSION = 1000;

    @TempDir
    Path dir;

    /** Snapshot 1 holds a and b; then b changes and c comes; snapshot 2 holds that; then d, synced. */
    private void store()
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION)
            .segmentSize(TestStores.SEGMENT).preallocate(false).retainedSnapshots(5).build()))
        {
            store.put("a", SparseVector.of(new int[] {1}, new float[] {1.0f}));
            store.put("b", SparseVector.of(new int[] {2}, new float[] {2.0f}));
            store.snapshot();
            store.put("b", SparseVector.of(new int[] {3}, new float[] {3.0f}));
            store.put("c", SparseVector.of(new int[] {4}, new float[] {4.0f}));
            store.snapshot();
            store.put("d", SparseVector.of(new int[] {5}, new float[] {5.0f}));
            store.sync();
        }
    }

    /** @return the line of {@code list}'s text output for {@code generation}. */
    private static String line(final String out, final long generation)
    {
        return out.lines().filter(l -> l.startsWith(generation + " ")).findFirst().orElse("");
    }

    private static String ids(final String dump)
    {
        final StringBuilder ids = new StringBuilder();
        dump.lines().forEach(l -> ids.append(l, l.indexOf("\"id\":\"") + 6, l.indexOf('"', l.indexOf("\"id\":\"") +
            6)).append(' '));
        return ids.toString().trim();
    }

    @Test
    void rewindThenListShowsTheTimelinesAndTheSafetySnapshot()
    {
        store();
        final ExportImportCliTest.Run rewound = run("rewind", dir.toString(), "1", "--safety-for", "2d");
        assertEquals(Main.OK, rewound.code, rewound.toString());
        assertTrue(rewound.out.startsWith("rewound to generation=1 snapshot=4 sequence=2 entries=2 timeline=1 " +
            "safety=3 pinned-until="), rewound.toString());
        final Instant until = Instant.parse(rewound.out.trim().substring(rewound.out.indexOf("pinned-until=") + 13));
        assertTrue(Math.abs(Duration.between(Instant.now().plus(Duration.ofDays(2)), until).toMinutes()) < 5,
            until.toString());

        assertEquals("a b", ids(run("dump", dir.toString()).out), "the rewound content");
        assertEquals("a b c d", ids(run("dump", dir.toString(), "--generation", "3").out), "the safety snapshot");
        final Path archive = dir.resolveSibling(dir.getFileName() + "-safety.msa");
        assertEquals(Main.OK, run("export", dir.toString(), "-o", archive.toString(), "--generation", "3").code);
        final ExportImportCliTest.Run verified = run("verify", archive.toString());
        assertEquals(Main.OK, verified.code, verified.toString());
        assertTrue(verified.out.contains("4 entries"), verified.toString());

        final ExportImportCliTest.Run listed = run("list", dir.toString());
        assertEquals(Main.OK, listed.code, listed.toString());
        assertTrue(listed.out.lines().findFirst().orElse("").contains("timeline"), listed.toString());
        assertTrue(line(listed.out, 4).matches("4 +1 \\* .*" + RewindResult.REWIND_LABEL + "=1.*"), listed.toString());
        assertTrue(line(listed.out, 3).matches("3 +0 +[^*]*pinned: " + RewindResult.SAFETY_LABEL + "=1 \\(until " +
            ".*"), listed.toString());
        assertTrue(line(listed.out, 2).matches("2 +0 +[^*]*"), listed.toString());

        final String json = run("list", dir.toString(), "--json").out;
        assertTrue(json.startsWith("{\"timeline\":1,\"snapshots\":[{\"generation\":4,\"timeline\":1," +
            "\"currentTimeline\":true,"), json);
        assertTrue(json.contains("{\"generation\":3,\"timeline\":0,\"currentTimeline\":false,"), json);
        assertTrue(run("inspect", dir.toString()).out.contains("timeline 1)"));

        // Undo, as JSON: back to the safety snapshot, a third timeline.
        final String undo = run("rewind", dir.toString(), "3", "--json").out;
        assertTrue(undo.startsWith("{\"target\":3,\"timeline\":2,\"snapshot\":{\"generation\":6,\"timeline\":2," +
            "\"currentTimeline\":true,\"createdAt\":"), undo);
        assertTrue(undo.contains("\"lastSequence\":5,"), undo);
        assertTrue(undo.contains("\"safety\":{\"generation\":5,\"timeline\":1,\"currentTimeline\":false,"), undo);
        assertEquals("a b c d", ids(run("dump", dir.toString()).out), "undone");
    }

    @Test
    void aGenerationThatIsNotRetainedExitsOneAndALockedStoreFour()
    {
        store();
        final ExportImportCliTest.Run missing = run("rewind", dir.toString(), "99");
        assertEquals(Main.NOT_FOUND, missing.code, missing.toString());
        assertTrue(missing.err.contains("memsnap list"), missing.toString());
        assertEquals("a b c", ids(run("dump", dir.toString()).out), "nothing changed (d is in no snapshot)");
        try (MemoryStore writer = MemoryStore.open(dir, StoreOptions.builder().build()))
        {
            final ExportImportCliTest.Run locked = run("rewind", dir.toString(), "1");
            assertEquals(Main.UNAVAILABLE, locked.code, locked.toString());
            assertEquals(4, writer.size());
        }
        assertEquals(Main.USAGE, run("rewind", dir.toString()).code);
    }
}
