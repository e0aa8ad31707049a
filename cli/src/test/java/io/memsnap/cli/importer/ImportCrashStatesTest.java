package io.memsnap.cli.importer;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.crash.CrashMode;
import io.memsnap.crash.CrashModel;
import io.memsnap.crash.CrashState;
import io.memsnap.crash.JournalEntry;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.cli.fs.Directories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.memsnap.cli.importer.Fixture.options;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An import is all or nothing under a power cut too: its run (the temporary store, its snapshot, the rename into
 * place, the parent's sync) is recorded through the file-system seam, and at every persistence point several states
 * a power cut could leave (see {@code CrashStateExplorerTest} in core) are written out and looked at. The target is
 * absent or an empty directory, or it opens holding every entry imported, exactly; once the import returned, it must
 * be the latter. A {@code DIR.importing-*} directory may be left behind, never a half-made {@code DIR}.
 */
class ImportCrashStatesTest
{
    private static final int ENTRIES = 300;
    private static final long SEED = Long.getLong("memsnap.crash.seed", 20261206L);
    private static final int STATES_PER_POINT = Integer.getInteger("memsnap.crash.states", 6);

    @TempDir
    Path tmp;

    @Test
    void anImportIsAllOrNothingInEveryCrashState() throws IOException
    {
        final StringBuilder lines = new StringBuilder();
        final Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < ENTRIES; i++)
        {
            final String id = "e" + i;
            lines.append("{\"id\":\"").append(id).append("\",\"indices\":[").append(i % 50).append(',')
                .append(100 + i).append("],\"values\":[").append(i).append(".5,-1.0],\"importance\":0.5}\n");
            expected.put(id, (i % 50) + "," + (100 + i) + "=" + i + ".5,-1.0");
        }
        final Path input = Fixture.text(tmp.resolve("in.jsonl"), lines.toString());
        final Path root = tmp.resolve("root");
        Files.createDirectories(root);
        final RecordingFileSystem fs = new RecordingFileSystem(root);
        final ImportResult result = Importer.run(root.resolve("mem"), options(1000), new JsonlImporter(input, null),
            fs);
        assertEquals(ENTRIES, result.entries());
        fs.acknowledge(ENTRIES);

        final Path states = tmp.resolve("states");
        final CrashModel model = new CrashModel(fs.journal());
        final Random random = new Random(SEED);
        int points = 0;
        int explored = 0;
        int complete = 0;
        while (model.hasNext())
        {
            final JournalEntry e = model.advance();
            if (!isPersistencePoint(e.kind))
            {
                continue;
            }
            points++;
            for (int k = 0; k < STATES_PER_POINT; k++)
            {
                final CrashMode mode = CrashMode.values()[k % CrashMode.values().length];
                final CrashState state = model.crashState(mode, random);
                final Path dir = states.resolve(points + "-" + k);
                state.writeTo(dir);
                final String where = "entry " + model.position() + " (" + e + "), " + mode + ", seed " + SEED;
                if (check(dir.resolve("mem"), expected, model.acknowledged() > 0, where))
                {
                    complete++;
                }
                explored++;
                Directories.deleteRecursively(dir);
            }
        }
        System.out.println("import: explored " + explored + " crash states at " + points + " persistence points, " +
            complete + " with the import complete, the rest with nothing");
        assertTrue(complete > 0 && complete < explored, "both outcomes were reached");
    }

    private static boolean isPersistencePoint(final JournalEntry.Kind kind)
    {
        return kind == JournalEntry.Kind.FORCE || kind == JournalEntry.Kind.SYNC_DIRECTORY ||
            kind == JournalEntry.Kind.RENAME || kind == JournalEntry.Kind.DELETE ||
            kind == JournalEntry.Kind.CREATE || kind == JournalEntry.Kind.CREATE_DIRECTORIES ||
            kind == JournalEntry.Kind.TRUNCATE || kind == JournalEntry.Kind.EXTEND;
    }

    /** @return whether the import is there, complete; fails if it is there incomplete, or absent once returned. */
    private static boolean check(final Path target, final Map<String, String> expected, final boolean returned,
        final String where) throws IOException
    {
        if (!Files.exists(target) || Directories.isEmptyDirectory(target))
        {
            assertFalse(returned, "the import returned but its store is gone: " + where);
            return false;
        }
        try (MemoryStore store = MemoryStore.open(target, StoreOptions.builder().build()))
        {
            assertEquals(expected.size(), store.size(), "a half-made import under the target name: " + where);
            for (final Map.Entry<String, String> x : expected.entrySet())
            {
                final MemoryEntry entry = store.get(x.getKey()).orElseThrow(
                    () -> new AssertionError(x.getKey() + " missing: " + where));
                final StringBuilder got = new StringBuilder();
                final int[] indices = entry.vector().indices();
                final float[] values = entry.vector().values();
                got.append(indices[0]).append(',').append(indices[1]).append('=')
                    .append(values[0]).append(',').append(values[1]);
                assertEquals(x.getValue(), got.toString(), x.getKey() + ": " + where);
            }
        }
        return true;
    }
}
