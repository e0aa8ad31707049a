package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.GoldenStores;
import io.memsnap.Manifests;
import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.cli.ExportImportCliTest.Run;
import io.memsnap.cli.json.JsonEntries;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap migrate}, and the write commands on a store of an older format version: they exit 4 naming the
 * command that upgrades it and change nothing, while the read commands read it as it is. Runs on copies of the
 * golden stores of core's tests.
 */
class MigrateCliTest
{
    @TempDir
    Path tmp;

    private int stores;

    /** @return a new copy of the golden store of {@code version}. */
    private Path store(final String version)
    {
        final Path dir = tmp.resolve(version + "-" + stores++);
        GoldenStores.unpack(version, dir);
        return dir;
    }

    @Test
    void writeCommandsExit4OnAnOlderStoreAndChangeNothingWhileReadCommandsRead() throws IOException
    {
        final Path dir = store("v2.0");
        final Path input = tmp.resolve("in.jsonl");
        Files.writeString(input, "{\"id\":\"x\",\"indices\":[1],\"values\":[0.5]}\n", StandardCharsets.UTF_8);
        final Map<String, byte[]> before = GoldenStores.files(dir);
        final List<String[]> writes = List.of(
            new String[] {"delete", dir.toString(), "golden-0"},
            new String[] {"snapshot", dir.toString(), "--label", "k=v"},
            new String[] {"load", dir.toString(), "--input", input.toString()});
        for (final String[] write : writes)
        {
            final Run r = run(write);
            assertEquals(4, r.code, write[0] + ": " + r);
            final String first = r.err.lines().findFirst().orElse("");
            assertTrue(first.startsWith("memsnap: ") && first.contains("format 2.0") &&
                first.contains("'memsnap migrate " + dir + "'") &&
                first.contains("StoreOptions.Builder.upgradeFormat(true)"), write[0] + ": " + r);
            GoldenStores.assertUnchanged(before, dir, write[0]);
        }
        final Run get = run("get", dir.toString(), "golden-0");
        assertEquals(0, get.code, get.toString());
        assertTrue(get.out.contains("\"golden-0\""), get.toString());
        assertEquals(0, run("dump", dir.toString()).code);
        assertEquals(0, run("list", dir.toString()).code);
        assertEquals(0, run("verify", dir.toString()).code);
        assertEquals(0, run("export", dir.toString(), "-o", tmp.resolve("old.msa").toString()).code);
        final Run inspect = run("inspect", dir.toString());
        assertEquals(0, inspect.code, inspect.toString());
        assertTrue(inspect.out.contains("format       2.0"), inspect.toString());
        GoldenStores.assertUnchanged(before, dir, "the read commands");

        assertEquals(0, run("migrate", dir.toString()).code);
        final Run delete = run("delete", dir.toString(), "golden-0");
        assertEquals(0, delete.code, "a migrated store takes writes: " + delete);
        assertEquals(1, run("get", dir.toString(), "golden-0").code);
    }

    @Test
    void migrateUpgradesOnceAndADryRunChangesNothing()
    {
        for (final String version : List.of("v1.0", "v2.0"))
        {
            final Path dir = store(version);
            final Map<String, byte[]> before = GoldenStores.files(dir);
            final Run dry = run("migrate", dir.toString(), "--dry-run");
            assertEquals(0, dry.code, dry.toString());
            assertTrue(dry.out.contains(version.substring(1) + " -> " + FormatVersion.CURRENT_MAJOR + ".0 (dry run"),
                dry.toString());
            final long generation = GoldenStores.migratedGeneration(version);
            assertTrue(dry.out.contains("would commit generation " + generation), dry.toString());
            assertEquals("", dry.err, "no progress lines without a terminal");
            GoldenStores.assertUnchanged(before, dir, "a dry run");

            final Run migrated = run("migrate", dir.toString());
            assertEquals(0, migrated.code, migrated.toString());
            assertTrue(migrated.out.contains("committed    generation " + generation), migrated.toString());
            assertEquals(FormatVersion.CURRENT_MAJOR - GoldenStores.major(version),
                migrated.out.lines().filter(l -> l.startsWith("step ")).count(), migrated.toString());
            assertTrue(Files.exists(dir.resolve(ManifestDescriptor.fileName(generation))));

            final Map<String, byte[]> after = GoldenStores.files(dir);
            final Run again = run("migrate", dir.toString());
            assertEquals(0, again.code, again.toString());
            assertTrue(again.out.contains("the current version: nothing to do"), again.toString());
            GoldenStores.assertUnchanged(after, dir, "a second migration");
            final Run inspect = run("inspect", dir.toString());
            assertTrue(inspect.out.contains("format       " + FormatVersion.CURRENT_MAJOR + ".0"), inspect.toString());
        }
    }

    @Test
    void migrateJson() throws IOException
    {
        final Path dir = store("v1.0");
        final Run r = run("migrate", dir.toString(), "--json");
        assertEquals(0, r.code, r.toString());
        final Map<String, String> fields = new HashMap<>();
        final List<String> stepsFrom = new ArrayList<>();
        try (JsonParser p = new JsonEntries(1 << 20).factory().createParser(r.out))
        {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY)
                {
                    while (p.nextToken() == JsonToken.START_OBJECT)
                    {
                        while (p.nextToken() == JsonToken.FIELD_NAME)
                        {
                            final String field = p.currentName();
                            p.nextToken();
                            if (field.equals("from"))
                            {
                                stepsFrom.add(p.getText());
                            }
                        }
                    }
                }
                else
                {
                    fields.put(name, p.getText());
                }
            }
        }
        assertEquals("1.0", fields.get("from"));
        assertEquals(FormatVersion.CURRENT_MAJOR + ".0", fields.get("to"));
        assertEquals("true", fields.get("upgraded"));
        assertEquals("false", fields.get("dryRun"));
        assertEquals(Long.toString(GoldenStores.migratedGeneration("v1.0")), fields.get("generation"));
        assertEquals(List.of("1.x", "2.x", "3.x"), stepsFrom);
    }

    @Test
    void migrateRefusesWhatItCannotUpgrade() throws IOException
    {
        assertEquals(1, run("migrate", tmp.resolve("missing").toString()).code);
        final Path empty = Files.createDirectories(tmp.resolve("empty"));
        final Run none = run("migrate", empty.toString());
        assertEquals(2, none.code, none.toString());
        assertTrue(none.err.contains("no memsnap store"), none.toString());

        final Path newer = store("v" + FormatVersion.CURRENT_MAJOR + ".0");
        final ByteBuffer b = ByteBuffer.wrap(Manifests.bytes(newer, GoldenStores.NEWEST_GENERATION))
            .order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)(FormatVersion.CURRENT_MAJOR + 1));
        b.putInt(b.capacity() - 4, new Checksum().compute(b.array(), 0, b.capacity() - 4));
        Manifests.rewrite(newer, GoldenStores.NEWEST_GENERATION, b.array());
        final Map<String, byte[]> before = GoldenStores.files(newer);
        final Run refused = run("migrate", newer.toString());
        assertEquals(4, refused.code, refused.toString());
        assertTrue(refused.err.contains("unsupported memsnap format version " + (FormatVersion.CURRENT_MAJOR + 1)),
            refused.toString());
        GoldenStores.assertUnchanged(before, newer, "a refused migration");

        final Path locked = store("v2.0");
        final Path current = store("v" + FormatVersion.CURRENT_MAJOR + ".0");
        try (MemoryStore writer = MemoryStore.open(current, StoreOptions.builder().build()))
        {
            final Run busy = run("migrate", current.toString());
            assertEquals(4, busy.code, busy.toString());
            assertTrue(busy.err.contains("locked"), busy.toString());
        }
        assertEquals(0, run("migrate", locked.toString()).code);
    }

    @Test
    void migrateHasHelp()
    {
        final Run help = run("migrate", "--help");
        assertEquals(0, help.code, help.toString());
        assertTrue(help.out.contains("Usage: memsnap migrate") && help.out.contains("--dry-run"), help.toString());
    }
}
