package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.StoreStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap stats DIR [--json]} beside the writer of a store of overwritten entries: the JSON's fields against
 * {@link MemoryStore#stats()} of a read-only open of the same snapshot and against the directory, the text's numbers
 * aligned, the exit code of a missing store, and nothing on stderr without a terminal.
 */
class StatsCommandTest
{
    private static final int DIMENSION = 1000;

    @TempDir
    Path dir;

    @Test
    void jsonAndTextBesideTheWriter() throws Exception
    {
        try (MemoryStore writer = MemoryStore.open(dir, TestStores.small(DIMENSION).toBuilder()
            .backgroundCompaction(false).build()))
        {
            for (int version = 0; version < 10; version++)
            {
                for (int n = 0; n < 300; n++)
                {
                    writer.put("id-" + n, SparseVector.of(new int[] {n % DIMENSION}, new float[] {version}), 1f,
                        1_700_000_000_000L, new byte[100]);
                }
            }
            writer.putState("table", new byte[300]);
            writer.snapshot();
            writer.put("after-the-snapshot", SparseVector.of(new int[] {1}, new float[] {1f}));

            final StoreStats expected;
            try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
            {
                expected = reader.stats();
            }
            final ExportImportCliTest.Run json = run("stats", "--json", dir.toString());
            assertEquals(Main.OK, json.code, json.toString());
            assertEquals("", json.err, "no progress or warning without a terminal");
            assertWellFormed(json.out);
            final String out = json.out;
            assertEquals(300, field(out, "entries"), "the snapshot's entries, not the writer's now");
            assertEquals(1, field(out, "states"));
            assertEquals(expected.lastSnapshotGeneration(), field(out, "lastGeneration"));
            assertEquals(expected.retainedSnapshotCount(), field(out, "retained"));
            assertEquals(expected.liveBytes(), field(out, "liveBytes"));
            assertEquals(expected.segmentBytes(), field(out, "segmentBytes"));
            assertEquals(expected.segmentBytes() - expected.liveBytes(), field(out, "deadBytes"));
            assertEquals(expected.storeBytes(), field(out, "storeBytes"));
            assertTrue(field(out, "deadBytes") > field(out, "liveBytes"), out);
            assertEquals(manifests(), field(out, "manifests"));
            assertTrue(out.contains("\"segmentAmplification\":" + expected.segmentAmplification() + ","), out);
            assertTrue(out.contains("\"amplification\":" + expected.spaceAmplification() + ","), out);
            final Matcher files = Pattern.compile("\\{\"name\":\"(segment-\\d+\\.seg)\",\"bytes\":(\\d+)," +
                "\"liveBytes\":(\\d+),\"deadBytes\":(\\d+)}").matcher(out);
            final List<String> names = new ArrayList<>();
            long live = 0;
            while (files.find())
            {
                names.add(files.group(1));
                assertEquals(Long.parseLong(files.group(2)) - Long.parseLong(files.group(3)),
                    Long.parseLong(files.group(4)), files.group());
                live += Long.parseLong(files.group(3));
            }
            assertEquals(expected.segmentFiles().stream().map(StoreStats.SegmentFile::name).toList(), names);
            assertEquals(expected.liveBytes(), live);
            final Matcher index = Pattern.compile("\"indexFiles\":\\[\\{\"name\":\"([^\"]+)\",\"bytes\":(\\d+)," +
                "\"allocatedBytes\":(-?\\d+)}").matcher(out);
            assertTrue(index.find(), out);
            assertEquals(Files.size(dir.resolve(index.group(1))), Long.parseLong(index.group(2)));
            if (Files.isExecutable(Path.of("/usr/bin/stat")))
            {
                assertTrue(Long.parseLong(index.group(3)) > 0, out);
            }
            assertTrue(out.contains("\"compaction\":{\"running\":false,\"segmentsCompacted\":0,"), out);
            assertTrue(field(out, "segmentMappedBytes") >= expected.segmentBytes(), out);

            final ExportImportCliTest.Run text = run("stats", dir.toString());
            assertEquals(Main.OK, text.code, text.toString());
            assertEquals("", text.err);
            final String liveLine = line(text.out, "live bytes ");
            final String liveBytes = String.format("%,d", expected.liveBytes());
            assertTrue(liveLine.contains(" " + liveBytes + "  "), text.out);
            final int end = liveLine.indexOf(liveBytes) + liveBytes.length();
            for (final String label : List.of("entries ", "store bytes ", "segment bytes ", "dead bytes ",
                "amplification ", "segment amplification "))
            {
                assertEquals(end, numberEnd(line(text.out, label)), "numbers end in one column:\n" + text.out);
            }
            for (final StoreStats.SegmentFile f : expected.segmentFiles())
            {
                final String row = line(text.out, "  " + f.name());
                assertTrue(row.endsWith(String.format("%,18d %,18d %,18d", f.bytes(), f.liveBytes(), f.deadBytes())),
                    row);
            }
        }
    }

    @Test
    void aMissingStoreIsNotFound()
    {
        final ExportImportCliTest.Run missing = run("stats", dir.resolve("nope").toString());
        assertEquals(Main.NOT_FOUND, missing.code, missing.toString());
        assertTrue(missing.err.startsWith("memsnap: "), missing.toString());
    }

    private int manifests()
    {
        return io.memsnap.Manifests.onDisk(dir).size();
    }

    /** @return where the number after a row's label ends: the first word from the label's column on. */
    private static int numberEnd(final String row)
    {
        int i = 23;
        while (row.charAt(i) == ' ')
        {
            i++;
        }
        while (i < row.length() && row.charAt(i) != ' ')
        {
            i++;
        }
        return i;
    }

    private static void assertWellFormed(final String json) throws Exception
    {
        try (JsonParser parser = new JsonFactory().createParser(json))
        {
            while (parser.nextToken() != null)
            {
                // reads to the end: a syntax error throws
            }
        }
    }

    /** @return the first number named {@code name} in {@code json}. */
    private static long field(final String json, final String name)
    {
        final Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** @return the first line of {@code out} that starts with {@code start}. */
    private static String line(final String out, final String start)
    {
        for (final String l : out.split("\n"))
        {
            if (l.startsWith(start))
            {
                return l;
            }
        }
        return fail("no line starting with '" + start + "' in\n" + out);
    }
}
