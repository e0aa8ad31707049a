package io.memsnap.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A store the packaged tool wrote (and acknowledged: {@code load} ends with a snapshot), then damaged or cut as a
 * disk would: every command refuses it with exit 3 and changes nothing, and {@code salvage} copies everything else.
 */
class DamageIT
{
    private static final int ENTRIES = 3000;

    @TempDir
    Path tmp;

    private Path loaded() throws Exception
    {
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < ENTRIES; i++)
        {
            lines.append("{\"id\":\"m").append(i).append("\",\"indices\":[").append(i % 97).append(',')
                .append(1000 + i).append("],\"values\":[0.25,").append(i).append(".5],\"metadata\":\"")
                .append("QUJDREVGR0g=").append("\"}\n");
        }
        final Path input = tmp.resolve("in.jsonl");
        Files.writeString(input, lines.toString(), StandardCharsets.UTF_8);
        final Path store = tmp.resolve("store");
        final Tool.Result load = Tool.run(null, "load", store.toString(), "--input", input.toString(),
            "--snapshot-every", "1000");
        assertEquals(0, load.exitCode, load.toString());
        return store;
    }

    private static Map<String, Long> fingerprint(final Path dir) throws IOException
    {
        final Map<String, Long> result = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                if (!p.getFileName().toString().equals("memsnap.lock"))
                {
                    result.put(p.getFileName().toString(), (long)java.util.Arrays.hashCode(Files.readAllBytes(p)));
                }
            }
        }
        return result;
    }

    private static List<String> lines(final String out)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : out.split("\n"))
        {
            if (!line.isEmpty())
            {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void aFlippedByteInAcknowledgedRecordsIsRefusedAndSalvaged() throws Exception
    {
        final Path store = loaded();
        final List<String> before = lines(Tool.run(null, "dump", store.toString()).out);
        assertEquals(ENTRIES, before.size());
        try (RandomAccessFile f = new RandomAccessFile(store.resolve("segment-0000000001.seg").toFile(), "rw"))
        {
            final long at = 64 + 41; // the first record's vector (a segment header is 64 bytes, a record's 40)
            f.seek(at);
            final int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        final Map<String, Long> damaged = fingerprint(store);

        final Tool.Result write = Tool.run(null, "delete", store.toString(), "m1");
        assertEquals(3, write.exitCode, write.toString());
        assertTrue(write.err.contains("salvage"), write.toString());
        assertEquals(damaged, fingerprint(store), "a refused open changed the store");

        final Path out = tmp.resolve("salvaged");
        final Tool.Result salvage = Tool.run(null, "salvage", store.toString(), out.toString());
        assertEquals(3, salvage.exitCode, salvage.toString());
        assertEquals(damaged, fingerprint(store), "salvage changed the store");
        final List<String> after = lines(Tool.run(null, "dump", out.toString()).out);
        assertEquals(ENTRIES - 1, after.size(), "one record was damaged, every other one salvaged");
        assertTrue(before.containsAll(after), "salvaged entries are exactly the originals");
    }

    @Test
    void aCutSegmentIsRefusedAndTheRestSalvaged() throws Exception
    {
        final Path store = loaded();
        final Path last;
        try (Stream<Path> files = Files.list(store))
        {
            last = files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted()
                .reduce((a, b) -> b).orElseThrow();
        }
        final List<String> before = lines(Tool.run(null, "dump", store.toString()).out);
        final byte[] bytes = Files.readAllBytes(last);
        int written = bytes.length;
        while (written > 0 && bytes[written - 1] == 0)
        {
            written--; // the segment ends in a hole: its records end before its length
        }
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE))
        {
            ch.truncate(64 + (written - 64) / 2); // inside the records (a segment header is 64 bytes)
        }
        final Map<String, Long> cut = fingerprint(store);
        final Tool.Result snapshot = Tool.run(null, "snapshot", store.toString());
        assertEquals(3, snapshot.exitCode, snapshot.toString());
        assertEquals(cut, fingerprint(store), "a refused open changed the store");

        final Path out = tmp.resolve("salvaged");
        final Tool.Result salvage = Tool.run(null, "salvage", store.toString(), out.toString());
        assertEquals(3, salvage.exitCode, salvage.toString());
        final Tool.Result dump = Tool.run(null, "dump", out.toString());
        assertEquals(0, dump.exitCode, dump.toString());
        final List<String> after = lines(dump.out);
        assertTrue(after.size() > 100 && after.size() < ENTRIES, "the records before the cut: " + after.size());
        assertTrue(before.containsAll(after), "salvaged entries are exactly the originals");
    }

    @Test
    void inspectReportsWhatRecoveryMovedAside() throws Exception
    {
        final Path store = loaded();
        final Path quarantine = Files.createDirectories(store.resolve("quarantine"));
        Files.write(quarantine.resolve("segment-0000000002.seg.1733500000000"), new byte[64]);
        final Tool.Result inspect = Tool.run(null, "inspect", store.toString());
        assertEquals(0, inspect.exitCode, inspect.toString());
        assertTrue(inspect.out.contains("quarantine   1 file(s)") &&
            inspect.out.contains("segment-0000000002.seg.1733500000000"), inspect.toString());
        final Tool.Result json = Tool.run(null, "inspect", store.toString(), "--json");
        assertTrue(json.out.contains("\"quarantined\":[\"segment-0000000002.seg.1733500000000\"]"), json.toString());
        assertEquals(0, Tool.run(null, "delete", store.toString(), "m1").exitCode, "the folder is the store's own");
    }
}
