package io.memsnap.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Through the packaged tool, as separate processes: export then import gives a store whose dump equals the
 * source's; each of today's formats (membrain gzip JSON, penin JSON, JSON Lines) imports from a small file made
 * here; hostile archives and files are refused with exit 2 or 3 and leave no store behind.
 */
class ArchiveRoundTripIT
{
    @TempDir
    Path tmp;

    private Path loadedStore() throws Exception
    {
        final Path input = tmp.resolve("in.jsonl");
        final SplittableRandom r = new SplittableRandom(7);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3_000; i++)
        {
            sb.append("{\"id\":\"doc-").append(i).append("\",\"indices\":[");
            int index = r.nextInt(100);
            final int nnz = 1 + r.nextInt(20);
            for (int k = 0; k < nnz; k++)
            {
                sb.append(k == 0 ? "" : ",").append(index);
                index += 1 + r.nextInt(1000);
            }
            sb.append("],\"values\":[");
            for (int k = 0; k < nnz; k++)
            {
                sb.append(k == 0 ? "" : ",").append(Float.toString((float)r.nextGaussian()));
            }
            sb.append("],\"importance\":0.25,\"storedAt\":").append(1_700_000_000_000L + i)
                .append(i % 3 == 0 ? ",\"metadata\":\"aGVsbG8=\"" : "").append("}\n");
        }
        Files.writeString(input, sb.toString(), StandardCharsets.UTF_8);
        final Path store = tmp.resolve("source");
        final Tool.Result load = Tool.run(null, "load", store.toString(), "--input", input.toString());
        assertEquals(0, load.exitCode, load.toString());
        return store;
    }

    @Test
    void exportImportDumpEqualsTheSource() throws Exception
    {
        final Path source = loadedStore();
        final Path archive = tmp.resolve("memory.msnp");
        final Tool.Result export = Tool.run(null, "export", source.toString(), "-o", archive.toString());
        assertEquals(0, export.exitCode, export.toString());
        final Tool.Result verify = Tool.run(null, "verify", archive.toString());
        assertEquals(0, verify.exitCode, verify.toString());
        final Path copy = tmp.resolve("copy");
        final Tool.Result imported = Tool.run(null, "import", archive.toString(), copy.toString());
        assertEquals(0, imported.exitCode, imported.toString());
        final Tool.Result a = Tool.run(null, "dump", source.toString());
        final Tool.Result b = Tool.run(null, "dump", copy.toString());
        assertEquals(0, b.exitCode, b.toString());
        assertEquals(3_000, a.out.split("\n").length);
        assertEquals(a.out, b.out, "the imported store dumps exactly as the source");

        final Path jsonl = tmp.resolve("memory.jsonl");
        assertEquals(0, Tool.run(null, "export", source.toString(), "-o", jsonl.toString(), "--format", "jsonl")
            .exitCode);
        final Path fromJsonl = tmp.resolve("from-jsonl");
        assertEquals(0, Tool.run(null, "import", jsonl.toString(), fromJsonl.toString(), "--format", "jsonl")
            .exitCode);
        assertEquals(a.out, Tool.run(null, "dump", fromJsonl.toString()).out);
    }

    @Test
    void damagedArchivesAreRefusedAndLeaveNoStore() throws Exception
    {
        final Path source = loadedStore();
        final Path archive = tmp.resolve("memory.msnp");
        assertEquals(0, Tool.run(null, "export", source.toString(), "-o", archive.toString()).exitCode);
        final long length = Files.size(archive);

        final Path flipped = tmp.resolve("flipped.msnp");
        Files.copy(archive, flipped);
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw"))
        {
            f.seek(length / 2);
            final int b = f.read();
            f.seek(length / 2);
            f.write(b ^ 0x10);
        }
        final Path truncated = tmp.resolve("truncated.msnp");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(archive), (int)(length * 2 / 3)));

        for (final Path bad : new Path[] {flipped, truncated})
        {
            final Tool.Result verify = Tool.run(null, "verify", bad.toString());
            assertTrue(verify.exitCode == 3 || verify.exitCode == 2, bad + ": " + verify);
            final Path target = tmp.resolve("restored-" + bad.getFileName());
            final Tool.Result imported = Tool.run(null, "import", bad.toString(), target.toString());
            assertTrue(imported.exitCode == 3 || imported.exitCode == 2, bad + ": " + imported);
            assertTrue(imported.err.startsWith("memsnap: "), imported.toString());
            assertFalse(Files.exists(target) && Files.list(target).findAny().isPresent(),
                bad + ": no half-made store");
            try (var siblings = Files.list(tmp))
            {
                assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".importing")),
                    "no temporary directory left behind");
            }
        }
    }

    @Test
    void seedFormatsImport() throws Exception
    {
        final Path membrain = tmp.resolve("memory.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(membrain)))
        {
            out.write(("{\"metadata\": {\"version\": \"1.0.0\", \"created_at\": 1700000000.5, \"n_memories\": 2, " +
                "\"encoder_config\": {\"dim\": 8}, \"memory_config\": {\"capacity\": 100}}, " +
                "\"entries\": [" +
                "{\"context_id\": \"ctx-1\", \"sparse_vector\": [0.0, 0.5, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0], " +
                "\"importance\": 0.9, \"stored_at\": 1700000001.25}, " +
                "{\"context_id\": \"ctx-2\", \"sparse_vector\": {\"__numpy__\": true, \"data\": " +
                "[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0], \"dtype\": \"float32\"}, \"importance\": 0.1, " +
                "\"stored_at\": 1700000002.0}], " +
                "\"transitions\": {\"ctx-1\": {\"ctx-2\": 3}}}").getBytes(StandardCharsets.UTF_8));
        }
        final Path m = tmp.resolve("membrain-store");
        final Tool.Result mi = Tool.run(null, "import", membrain.toString(), m.toString());
        assertEquals(0, mi.exitCode, mi.toString());
        final Tool.Result ctx1 = Tool.run(null, "get", m.toString(), "ctx-1");
        assertEquals(0, ctx1.exitCode, ctx1.toString());
        assertTrue(ctx1.out.contains("\"indices\":[1,4]") && ctx1.out.contains("\"values\":[0.5,0.25]"),
            ctx1.out);
        assertTrue(ctx1.out.contains("\"storedAt\":1700000001250"), ctx1.out);
        final Tool.Result inspect = Tool.run(null, "inspect", m.toString());
        assertTrue(inspect.out.contains("transitions"), inspect.toString());
        assertTrue(inspect.out.contains("format       4.0 (the newest snapshot's manifest"), inspect.toString());

        final Path penin = tmp.resolve("penin.json");
        Files.writeString(penin, "{\"knowledge_base\": {\"art-1\": {\"__type__\": \"NumericVectorArtifact\", " +
            "\"vector\": [0.0, 3.0, 0.0, 4.0], \"metadata\": {\"source\": \"unit\"}}}, " +
            "\"task_history\": {\"__type__\": \"deque\", \"items\": [\"t1\", \"t2\"], \"maxlen\": 10}, " +
            "\"score_history\": {\"__type__\": \"deque\", \"items\": [0.5], \"maxlen\": 5}}",
            StandardCharsets.UTF_8);
        final Path p = tmp.resolve("penin-store");
        final Tool.Result pi = Tool.run(null, "import", penin.toString(), p.toString(), "--format", "penin");
        assertEquals(0, pi.exitCode, pi.toString());
        final Tool.Result art = Tool.run(null, "get", p.toString(), "art-1");
        assertTrue(art.out.contains("\"indices\":[1,3]"), art.toString());
        final Tool.Result pInspect = Tool.run(null, "inspect", p.toString());
        assertTrue(pInspect.out.contains("task_history") && pInspect.out.contains("score_history"),
            pInspect.toString());

        // The seed's version governance: another major version is refused before anything is written.
        final Path v2 = tmp.resolve("v2.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(v2)))
        {
            out.write("{\"metadata\": {\"version\": \"2.0.0\", \"created_at\": 1, \"n_memories\": 0, \"encoder_config\": {}, \"memory_config\": {}}, \"entries\": [], \"transitions\": {}}"
                .getBytes(StandardCharsets.UTF_8));
        }
        final Path refused = tmp.resolve("v2-store");
        final Tool.Result vr = Tool.run(null, "import", v2.toString(), refused.toString());
        assertNotEquals(0, vr.exitCode, vr.toString());
        assertFalse(Files.exists(refused), "nothing written for a refused version");
    }

    @Test
    void hostileJsonIsRefusedWithBoundedMemory() throws IOException, InterruptedException
    {
        final Path deep = tmp.resolve("deep.json");
        Files.writeString(deep, "{\"knowledge_base\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}",
            StandardCharsets.UTF_8);
        final Tool.Result r = Tool.run(null, "import", deep.toString(), tmp.resolve("deep-store").toString(),
            "--format", "penin");
        assertEquals(2, r.exitCode, r.toString());
        assertFalse(Files.exists(tmp.resolve("deep-store")));

        final Path nan = tmp.resolve("nan.jsonl");
        Files.writeString(nan, "{\"id\":\"x\",\"indices\":[1],\"values\":[NaN]}\n", StandardCharsets.UTF_8);
        final Tool.Result n = Tool.run(null, "import", nan.toString(), tmp.resolve("nan-store").toString(),
            "--format", "jsonl");
        assertEquals(2, n.exitCode, n.toString());
        assertFalse(Files.exists(tmp.resolve("nan-store")));
    }
}
