package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.Manifests;
import io.memsnap.cli.ExportImportCliTest.Run;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memsnap salvage} through {@link Main#run}: its exit codes, its report, and that {@code dump} reads what it
 * salvaged from a store that {@code dump} itself refuses.
 */
class SalvageCommandTest
{
    private static final int ENTRIES = 120;

    @TempDir(factory = MemoryTempDirFactory.class)
    Path tmp;

    private Path src;
    private String pristineDump;

    @BeforeEach
    void createStore()
    {
        src = tmp.resolve("src");
        TestStores.create(src, 2000, ENTRIES, 21);
        final Run dump = run("dump", p("src"));
        assertEquals(0, dump.code, dump.toString());
        pristineDump = dump.out;
    }

    private String p(final String name)
    {
        return tmp.resolve(name).toString();
    }

    @Test
    void helpNamesTheCommandAndItsExitCodes()
    {
        final Run help = run("salvage", "--help");
        assertEquals(0, help.code, help.toString());
        assertTrue(help.out.startsWith("Usage: memsnap salvage"), help.out);
        assertTrue(help.out.contains("--dimension") && help.out.contains("--json"), help.out);
        assertTrue(help.out.replaceAll("\\s+", " ").contains("3 something lost and the rest salvaged"), help.out);
        assertTrue(run("--help").out.contains("salvage"));
    }

    @Test
    void anUndamagedStoreExitsZeroAndDumpsTheSame()
    {
        final Run salvage = run("salvage", p("src"), p("out"));
        assertEquals(0, salvage.code, salvage.toString());
        assertTrue(salvage.out.contains(ENTRIES + " entries and 2 named states"), salvage.out);
        assertTrue(salvage.out.contains("lost: nothing"), salvage.out);
        assertTrue(salvage.out.contains("dimension 2000 (from a manifest)"), salvage.out);
        final Run dump = run("dump", p("out"));
        assertEquals(0, dump.code, dump.toString());
        assertEquals(pristineDump, dump.out);
        assertEquals(TestStores.contents(src).subList(0, ENTRIES + 3),
            TestStores.contents(tmp.resolve("out")).subList(0, ENTRIES + 3), "entries and states, bit for bit");
    }

    @Test
    void aDamagedRecordExitsThreeNamingItsRangeAndIdAndTheRestDumps() throws IOException
    {
        final Path segment = src.resolve(SegmentDescriptor.fileName(1));
        final int offset = recordOffset(segment, 41); // an ASCII id: the dump escapes others
        final String id = idAt(segment, offset);
        flip(segment, offset + RecordDescriptor.HEADER_LENGTH + 2);
        final Run refused = run("dump", p("src"));
        assertEquals(3, refused.code, "dump refuses the damaged store: " + refused);

        final Run salvage = run("salvage", p("src"), p("out"));
        assertEquals(3, salvage.code, salvage.toString());
        assertTrue(salvage.out.contains("lost: 1 damaged range(s), 1 write(s), 1 id(s)"), salvage.out);
        assertTrue(salvage.out.contains("range segment-0000000001.seg bytes " + offset + " to "), salvage.out);
        assertTrue(salvage.out.contains("entry '" + id + "' lost (segment-0000000001.seg at offset " + offset + ")"),
            salvage.out);
        assertTrue(salvage.out.contains((ENTRIES - 1) + " entries and 2 named states"), salvage.out);
        assertTrue(salvage.err.startsWith("memsnap: salvage lost data (1 damaged range(s)"), salvage.err);

        final Run dump = run("dump", p("out"));
        assertEquals(0, dump.code, dump.toString());
        final String expected = Arrays.stream(pristineDump.split("\n", -1))
            .filter(line -> !line.startsWith("{\"id\":\"" + id + "\""))
            .collect(Collectors.joining("\n"));
        assertEquals(expected, dump.out);
        assertEquals(ENTRIES - 1, dump.out.lines().count());
    }

    @Test
    void jsonIsOneObjectWithTheSameFacts() throws IOException
    {
        final Path segment = src.resolve(SegmentDescriptor.fileName(1));
        final int offset = recordOffset(segment, 7);
        flip(segment, offset + RecordDescriptor.HEADER_LENGTH + 2);
        final Run salvage = run("salvage", p("src"), p("out"), "--json");
        assertEquals(3, salvage.code, salvage.toString());
        assertEquals(1, salvage.out.lines().count(), salvage.out);
        try (JsonParser parser = new io.memsnap.cli.json.JsonEntries(1 << 20).factory().createParser(salvage.out))
        {
            assertEquals(JsonToken.START_OBJECT, parser.nextToken());
            parser.skipChildren();
            assertTrue(parser.nextToken() == null, "one object only");
        }
        final String json = salvage.out;
        assertTrue(json.contains("\"nothingLost\":false"), json);
        assertTrue(json.contains("\"entries\":" + (ENTRIES - 1)), json);
        assertTrue(json.contains("\"file\":\"segment-0000000001.seg\",\"from\":" + offset), json);
        assertTrue(json.contains("\"writesLost\":1,\"ids\":[\"" + idAt(segment, offset) + "\"]"), json);
        assertTrue(json.contains("\"status\":\"lost\""), json);
        assertTrue(json.contains("\"dimensionSource\":\"manifest\""), json);
    }

    @Test
    void withoutManifestsTheDimensionIsGivenOrInferred() throws IOException
    {
        try (Stream<Path> files = Files.list(src))
        {
            for (final Path f : files.collect(Collectors.toList()))
            {
                if (ManifestDescriptor.parseFileName(f.getFileName().toString()) >= 0 ||
                    f.getFileName().toString().equals(ManifestSlotsDescriptor.FILE_NAME))
                {
                    Files.delete(f);
                }
            }
        }
        final Run given = run("salvage", p("src"), p("given"), "--dimension", "2000");
        assertEquals(0, given.code, given.toString());
        assertTrue(given.out.contains("dimension 2000 (as given: no manifest validates)"), given.out);
        assertEquals(pristineDump, run("dump", p("given")).out);

        final Run inferred = run("salvage", p("src"), p("inferred"));
        assertEquals(0, inferred.code, inferred.toString());
        assertTrue(inferred.out.contains("dimension 2048 (inferred"), inferred.out);
        assertEquals(pristineDump, run("dump", p("inferred")).out);

        final Run tooSmall = run("salvage", p("src"), p("small"), "--dimension", "10");
        assertEquals(2, tooSmall.code, tooSmall.toString());
        assertTrue(tooSmall.err.startsWith("memsnap: dimension 10 is too small"), tooSmall.err);
        assertFalse(Files.exists(tmp.resolve("small")));
    }

    @Test
    void badUsageExitsTwoAMissingStoreOneAnUnknownVersionFour() throws IOException
    {
        Files.createDirectories(tmp.resolve("full"));
        Files.writeString(tmp.resolve("full").resolve("x"), "x");
        final Run full = run("salvage", p("src"), p("full"));
        assertEquals(2, full.code, full.toString());
        assertTrue(full.err.contains("not an empty directory"), full.err);
        assertEquals(2, run("salvage", p("src"), p("src")).code);
        assertEquals(2, run("salvage", p("src"), p("d"), "--dimension", "4096").code, "disagrees with the manifest");
        assertEquals(2, run("salvage", p("src")).code, "OUT is required");
        assertEquals(1, run("salvage", p("missing"), p("out")).code);

        final long newest = Manifests.onDisk(src).get(0);
        final ByteBuffer b = ByteBuffer.wrap(Manifests.bytes(src, newest)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(ManifestDescriptor.MAJOR_OFFSET, (short)(FormatVersion.CURRENT_MAJOR + 1));
        b.putInt(b.capacity() - 4, new Checksum().compute(b.array(), 0, b.capacity() - 4));
        Manifests.rewrite(src, newest, b.array());
        final Run incompatible = run("salvage", p("src"), p("out"));
        assertEquals(4, incompatible.code, incompatible.toString());
        assertTrue(incompatible.err.contains("unsupported memsnap format version " + (FormatVersion.CURRENT_MAJOR + 1) +
            ".0"), incompatible.err);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    // ---------------------------------------------------------------------------------------------- the file

    /** @return the offset of record {@code n} (0 is the first) of a segment, following the records' lengths. */
    private static int recordOffset(final Path segment, final int n) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
        int offset = SegmentDescriptor.HEADER_LENGTH;
        for (int i = 0; i < n; i++)
        {
            offset += RecordDescriptor.alignedLength(b.getInt(offset + RecordDescriptor.LENGTH_OFFSET));
        }
        assertEquals(RecordDescriptor.TYPE_PUT, b.get(offset + RecordDescriptor.TYPE_OFFSET), "record " + n);
        return offset;
    }

    private static String idAt(final Path segment, final int offset) throws IOException
    {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
        final int idOffset = RecordDescriptor.idOffset(offset, b.getInt(offset + RecordDescriptor.NNZ_OFFSET));
        final int idLength = b.getShort(offset + RecordDescriptor.ID_LENGTH_OFFSET) & 0xFFFF;
        return new String(b.array(), idOffset, idLength, StandardCharsets.UTF_8);
    }

    private static void flip(final Path file, final int offset) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x21;
        Files.write(file, bytes);
    }

}
