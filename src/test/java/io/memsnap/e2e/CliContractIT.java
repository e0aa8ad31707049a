package io.memsnap.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The tool's contract with scripts: exit codes, --help and --version, errors on stderr with one clear first line,
 * and no warnings from the JVM on whatever JDK runs the tests (17 or 25) without extra flags.
 */
class CliContractIT
{
    @TempDir
    Path tmp;

    @Test
    void versionAndHelpWorkWithoutWarnings() throws Exception
    {
        final Tool.Result version = Tool.run(null, "--version");
        assertEquals(0, version.exitCode, version.toString());
        assertTrue(version.out.startsWith("memsnap "), version.toString());
        assertEquals("", version.err, "no JVM warnings: " + version);
        for (final String command : List.of("demo", "load", "get", "dump", "delete", "snapshot", "compact", "pin",
            "unpin", "rewind", "list", "inspect", "stats", "verify", "export", "import", "salvage", "migrate", "push",
            "restore", "follow", "prune"))
        {
            final Tool.Result help = Tool.run(null, command, "--help");
            assertEquals(0, help.exitCode, command + ": " + help);
            assertTrue(help.out.contains("Usage: memsnap " + command), command + ": " + help);
        }
    }

    @Test
    void exitCodes() throws Exception
    {
        final Path store = tmp.resolve("store");
        final Path input = tmp.resolve("in.jsonl");
        Files.writeString(input, "{\"id\":\"a\",\"indices\":[1],\"values\":[0.5]}\n", StandardCharsets.UTF_8);
        assertEquals(0, Tool.run(null, "load", store.toString(), "--input", input.toString()).exitCode);
        assertEquals(0, Tool.run(null, "get", store.toString(), "a").exitCode);
        final Tool.Result missing = Tool.run(null, "get", store.toString(), "nope");
        assertEquals(1, missing.exitCode, missing.toString());
        assertTrue(missing.err.startsWith("memsnap: "), missing.toString());
        assertEquals(1, Tool.run(null, "get", store.toString(), "a", "--generation", "999").exitCode,
            "a generation that is not retained is not found");
        assertEquals(2, Tool.run(null, "no-such-command").exitCode);
        assertEquals(2, Tool.run(null, "load", store.toString()).exitCode, "missing --input");

        final Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"id\":\"b\",\"indices\":[1],\"values\":[0.5]}\n{\"id\":\"c\",\"indices\":[1]",
            StandardCharsets.UTF_8);
        final Tool.Result malformed = Tool.run(null, "load", store.toString(), "--input", bad.toString());
        assertEquals(2, malformed.exitCode, malformed.toString());
        assertTrue(malformed.err.contains("line 2"), malformed.toString());
        assertEquals(0, Tool.run(null, "get", store.toString(), "b").exitCode, "lines before the bad one stay");

        // Damage a record that no read touches: only verify --deep sees it, and exits 3 naming file and offset.
        final Path segment = store.resolve("segment-0000000001.seg");
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw"))
        {
            f.seek(64 + 41);
            final int b = f.read();
            f.seek(64 + 41);
            f.write(b ^ 1);
        }
        final Tool.Result verify = Tool.run(null, "verify", store.toString(), "--deep");
        assertEquals(3, verify.exitCode, verify.toString());
        assertTrue(verify.err.contains("segment-0000000001.seg") && verify.err.contains("offset 64"),
            verify.toString());
    }

    @Test
    void secondWriterIsRefusedWithExitCode4() throws Exception
    {
        final Path store = tmp.resolve("store");
        final Path input = tmp.resolve("big.jsonl");
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600_000; i++)
        {
            sb.append("{\"id\":\"k").append(i).append("\",\"indices\":[").append(i % 1000).append("],\"values\":[1]}\n");
        }
        Files.writeString(input, sb.toString(), StandardCharsets.UTF_8);
        final Process first = Tool.start(input, "load", store.toString(), "--input", "-", "--snapshot-every", "1000");
        try
        {
            // wait for the first snapshot line: the store exists and is locked
            final java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                first.getInputStream(), StandardCharsets.UTF_8));
            assertNotNull(out.readLine());
            final Tool.Result second = Tool.run(null, "delete", store.toString(), "k1");
            assertEquals(4, second.exitCode, second.toString());
            assertTrue(second.err.contains("locked"), second.toString());
            // Each reader is a new JVM, slow beside a writer that snapshots every 1,000 writes and recycles the
            // oldest manifest each time: the manifests a reader lists are often retired before it reads them, and
            // the one it reads may be renamed and overwritten under it. Every open must still succeed.
            for (int i = 0; i < 6 && first.isAlive(); i++)
            {
                final Tool.Result reader = Tool.run(null, "inspect", store.toString());
                assertEquals(0, reader.exitCode, "a reader opens a snapshot beside the writer: " + reader);
            }
        }
        finally
        {
            first.destroyForcibly();
            first.waitFor();
        }
    }
}
