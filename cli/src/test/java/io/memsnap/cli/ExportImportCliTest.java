package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The export, import and verify commands through {@link Main#run}, with their exit codes and messages. */
class ExportImportCliTest
{
    @TempDir
    Path tmp;

    /** What one run printed and returned. */
    static final class Run
    {
        final int code;
        final String out;
        final String err;

        Run(final int code, final String out, final String err)
        {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString()
        {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    static Run run(final String... args)
    {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        final ByteArrayOutputStream o = new ByteArrayOutputStream();
        final ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try
        {
            final int code = Main.run(args);
            System.out.flush();
            System.err.flush();
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private String p(final String name)
    {
        return tmp.resolve(name).toString();
    }

    @Test
    void everyNewCommandHasHelp()
    {
        for (final String command : new String[] {"export", "import", "verify"})
        {
            final Run r = run(command, "--help");
            assertEquals(0, r.code, r.toString());
            assertTrue(r.out.startsWith("Usage: memsnap " + command), r.out);
        }
        assertTrue(run("import", "--help").out.contains("--format"));
        assertTrue(run("export", "--help").out.contains("--generation"));
        assertTrue(run("--help").out.contains("import"));
    }

    @Test
    void exportVerifyImportRoundTripsAndRefusesToOverwrite() throws IOException
    {
        TestStores.create(tmp.resolve("src"), 2000, 120, 11);
        final Run export = run("export", p("src"), "-o", p("a.msa"));
        assertEquals(0, export.code, export.toString());
        assertTrue(export.out.contains("120 entries, 2 named states"), export.out);

        final Run verify = run("verify", p("a.msa"));
        assertEquals(0, verify.code, verify.toString());
        assertTrue(verify.out.startsWith("OK: archive 1.0"), verify.out);

        final Run again = run("export", p("src"), "-o", p("a.msa"));
        assertEquals(2, again.code, again.toString());
        assertTrue(again.err.contains("--force"), again.err);
        assertEquals(0, run("export", p("src"), "-o", p("a.msa"), "--force").code);

        final Run imported = run("import", p("a.msa"), p("dst"));
        assertEquals(0, imported.code, imported.toString());
        assertTrue(imported.out.contains("imported 120 entries and 2 named states from archive"), imported.out);
        assertEquals(TestStores.contents(tmp.resolve("src")), TestStores.contents(tmp.resolve("dst")));

        final Run full = run("import", p("a.msa"), p("dst"));
        assertEquals(2, full.code, full.toString());
        assertTrue(full.err.contains("not an empty directory"), full.err);
        assertEquals(1, run("import", p("missing.msa"), p("x")).code);
        assertEquals(2, run("import", p("a.msa"), p("y"), "--format", "csv").code);
    }

    @Test
    void damageExitsThreeNamingTheOffsetAndAnotherMajorFour() throws IOException
    {
        TestStores.create(tmp.resolve("src"), 100, 30, 12);
        assertEquals(0, run("export", p("src"), "-o", p("a.msa")).code);
        final byte[] good = Files.readAllBytes(tmp.resolve("a.msa"));

        final byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x20;
        Files.write(tmp.resolve("bad.msa"), flipped);
        final Run verify = run("verify", p("bad.msa"));
        assertEquals(3, verify.code, verify.toString());
        assertTrue(verify.err.matches("(?s)memsnap: corrupt archive .*bad\\.msa at offset \\d+: .*"), verify.err);
        final Run imported = run("import", p("bad.msa"), p("dst"));
        assertEquals(3, imported.code, imported.toString());
        assertFalse(Files.exists(tmp.resolve("dst")));

        final int headerLength = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        final byte[] header = java.util.Arrays.copyOf(good, headerLength);
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putShort(8, (short)3);
        final byte[] v3 = io.memsnap.cli.archive.Forge.reseal(concat(io.memsnap.cli.archive.Forge.recrc(header),
            java.util.Arrays.copyOfRange(good, headerLength, good.length)));
        Files.write(tmp.resolve("v3.msa"), v3);
        final Run incompatible = run("verify", p("v3.msa"));
        assertEquals(4, incompatible.code, incompatible.toString());
        assertTrue(incompatible.err.contains("unsupported memsnap format version 3.0"), incompatible.err);
        assertEquals(4, run("import", p("v3.msa"), p("dst")).code);
        assertFalse(Files.exists(tmp.resolve("dst")));
    }

    @Test
    void jsonLinesExportIsTheDumpAndImportsBack() throws IOException
    {
        TestStores.create(tmp.resolve("src"), 500, 40, 13);
        final Run export = run("export", p("src"), "-o", p("d.jsonl"), "--format", "jsonl");
        assertEquals(0, export.code, export.toString());
        assertTrue(export.out.contains("2 named states not included"), export.out);
        final Run dump = run("dump", p("src"));
        assertEquals(dump.out, Files.readString(tmp.resolve("d.jsonl")));
        final Run imported = run("import", p("d.jsonl"), p("dst"), "--dimension", "500");
        assertEquals(0, imported.code, imported.toString());
        assertTrue(imported.out.contains("from jsonl"), imported.out);
        assertEquals(entries(tmp.resolve("src")), entries(tmp.resolve("dst")));
    }

    private static List<String> entries(final Path dir)
    {
        return TestStores.contents(dir).stream().filter(s -> s.startsWith("entry ")).collect(Collectors.toList());
    }

    @Test
    void seedFormatsAreDetectedAndTheirErrorsMapToExitCodes() throws IOException
    {
        final String membrain = "{\"metadata\": {\"version\": \"1.0.0\", \"created_at\": 1.0, \"n_memories\": 1, " +
            "\"encoder_config\": {}, \"memory_config\": {}}, \"entries\": [{\"context_id\": \"a\", " +
            "\"sparse_vector\": [0, 1.5], \"importance\": 0.5, \"stored_at\": 2.5}], \"transitions\": {}}";
        Files.write(tmp.resolve("m.gz"), gzip(membrain));
        final Run ok = run("import", p("m.gz"), p("m"));
        assertEquals(0, ok.code, ok.toString());
        assertTrue(ok.out.contains("from membrain"), ok.out);
        try (MemoryStore s = MemoryStore.open(tmp.resolve("m"), StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(2500, s.get("a").orElseThrow().storedAtMillis());
        }

        Files.write(tmp.resolve("v2.gz"), gzip(membrain.replace("1.0.0", "2.0.0")));
        final Run v2 = run("import", p("v2.gz"), p("v2"));
        assertEquals(4, v2.code, v2.toString());
        assertTrue(v2.err.contains("version 2.0.0 is not supported"), v2.err);
        assertFalse(Files.exists(tmp.resolve("v2")));

        Files.write(tmp.resolve("nan.gz"), gzip(membrain.replace("1.5", "NaN")));
        final Run nan = run("import", p("nan.gz"), p("nan"));
        assertEquals(2, nan.code, nan.toString());
        assertTrue(nan.err.contains("/entries/0/sparse_vector/1"), nan.err);

        final byte[] gz = gzip(membrain);
        Files.write(tmp.resolve("cut.gz"), java.util.Arrays.copyOf(gz, gz.length - 10));
        assertEquals(3, run("import", p("cut.gz"), p("cut")).code);
        assertFalse(Files.exists(tmp.resolve("cut")));

        Files.writeString(tmp.resolve("p.json"), "{\"knowledge_base\": {\"k\": {\"__type__\": " +
            "\"NumericVectorArtifact\", \"vector\": [1, 0], \"metadata\": {\"a\": 1}}}}");
        final Run penin = run("import", p("p.json"), p("p"));
        assertEquals(0, penin.code, penin.toString());
        assertTrue(penin.out.contains("from penin"), penin.out);
    }

    private static byte[] gzip(final String s) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out))
        {
            z.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
