package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder and the model on their own: what each kind of crash state keeps of writes, flushes and names. */
class CrashModelTest
{
    @TempDir
    Path root;

    private Path dir;
    private RecordingFileSystem fs;

    @BeforeEach
    void startRecording() throws IOException
    {
        dir = Files.createDirectory(root.resolve("store"));
        fs = new RecordingFileSystem(root);
    }

    @Test
    void aFileNeitherFlushedNorNamedDurablyIsOnlyInTheSigkillState() throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(100, 1)), 0);
        }
        final CrashModel model = replayed();
        assertNull(file(model, CrashMode.NOTHING, "a"));
        assertArrayEquals(bytes(100, 1), file(model, CrashMode.EVERYTHING, "a"));
    }

    @Test
    void aFlushedFileWhoseDirectoryWasSyncedSurvivesEveryState() throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(5000, 2)), 0);
            f.force(false);
        }
        fs.syncDirectory(dir);
        final CrashModel model = replayed();
        assertFalse(model.hasPending());
        for (final CrashMode mode : CrashMode.values())
        {
            assertArrayEquals(bytes(5000, 2), file(model, mode, "a"), mode.name());
        }
    }

    @Test
    void aFlushCoversOnlyTheWritesBeforeIt() throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(10, 3)), 0);
            f.force(false);
            f.writeFully(ByteBuffer.wrap(bytes(10, 4)), 10);
        }
        fs.syncDirectory(dir);
        final CrashModel model = replayed();
        assertArrayEquals(bytes(10, 3), file(model, CrashMode.NOTHING, "a"));
        assertArrayEquals(concat(bytes(10, 3), bytes(10, 4)), file(model, CrashMode.EVERYTHING, "a"));
    }

    @Test
    void renamesAndDeletesAreLostWithoutADirectorySync() throws IOException
    {
        durableFile("old", 1);
        durableFile("gone", 2);
        fs.rename(dir.resolve("old"), dir.resolve("new"));
        fs.deleteIfExists(dir.resolve("gone"));
        final CrashModel model = replayed();
        assertTrue(model.hasPending());
        assertArrayEquals(bytes(64, 1), file(model, CrashMode.NOTHING, "old"));
        assertNull(file(model, CrashMode.NOTHING, "new"));
        assertArrayEquals(bytes(64, 2), file(model, CrashMode.NOTHING, "gone"));
        assertNull(file(model, CrashMode.EVERYTHING, "old"));
        assertArrayEquals(bytes(64, 1), file(model, CrashMode.EVERYTHING, "new"));
        assertNull(file(model, CrashMode.EVERYTHING, "gone"));
    }

    @Test
    void aRenameWhoseCreateWasLostIsSkipped() throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve("pending")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(64, 5)), 0);
            f.force(false);
        }
        fs.rename(dir.resolve("pending"), dir.resolve("target"));
        final Set<String> seen = new HashSet<>();
        final CrashModel model = replayed();
        for (int seed = 0; seed < 200; seed++)
        {
            final CrashState state = model.crashState(CrashMode.BLOCKS, new Random(seed));
            seen.add(state.files().keySet().toString());
        }
        // Never both names, never the target without the create: at most one of the two, and the target only
        // when both the create and the rename were kept.
        assertEquals(Set.of("[]", "[store/pending]", "[store/target]"), seen);
    }

    @Test
    void aPendingTruncateMayBeLost() throws IOException
    {
        durableFile("a", 6);
        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.truncate(10);
        }
        final CrashModel model = replayed();
        assertArrayEquals(bytes(64, 6), file(model, CrashMode.NOTHING, "a"));
        assertArrayEquals(Arrays.copyOf(bytes(64, 6), 10), file(model, CrashMode.EVERYTHING, "a"));
    }

    @Test
    void anExtensionIsAHoleOfZerosThatAFlushMakesDurable() throws IOException
    {
        durableFile("a", 19);
        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.extend(3 * 4096);
            assertEquals(3 * 4096, Files.size(dir.resolve("a")), "the real file grew");
            f.writeFully(ByteBuffer.wrap(bytes(100, 20)), 4096);
        }
        CrashModel model = replayed();
        assertArrayEquals(bytes(64, 19), file(model, CrashMode.NOTHING, "a"), "the extension was not flushed");
        final byte[] expected = concat(bytes(64, 19), new byte[3 * 4096 - 64]);
        System.arraycopy(bytes(100, 20), 0, expected, 4096, 100);
        assertArrayEquals(expected, file(model, CrashMode.EVERYTHING, "a"));
        final Set<String> seen = new HashSet<>();
        for (int seed = 0; seed < 100; seed++)
        {
            // Any length from the durable one to the extended one, never a byte but zeros or what was written.
            final byte[] b = model.crashState(CrashMode.BLOCKS, new Random(seed)).files().get("store/a");
            assertTrue(b.length == 64 || b.length == 2 * 4096 || b.length == 3 * 4096, "length " + b.length);
            assertArrayEquals(Arrays.copyOf(bytes(64, 19), 64), Arrays.copyOf(b, 64));
            for (int i = 64; i < b.length; i++)
            {
                assertTrue(b[i] == 0 || b[i] == 20 && i >= 4096 && i < 4196, "byte " + i + " is " + b[i]);
            }
            seen.add(b.length + (b.length > 4096 && b[4096] == 20 ? " written" : ""));
        }
        assertTrue(seen.contains("64") && seen.contains("12288") && seen.contains("12288 written"),
            "states seen: " + seen);

        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.force(false);
        }
        model = replayed();
        assertFalse(model.hasPending());
        assertArrayEquals(expected, file(model, CrashMode.NOTHING, "a"));
    }

    @Test
    void filesPresentWhenRecordingStartsAreDurable() throws IOException
    {
        Files.write(dir.resolve("before"), bytes(300, 7));
        fs = new RecordingFileSystem(root);
        try (StoreFile f = fs.open(dir.resolve("before")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(10, 8)), 0);
        }
        final CrashModel model = replayed();
        assertArrayEquals(bytes(300, 7), file(model, CrashMode.NOTHING, "before"));
        final byte[] expected = bytes(300, 7);
        System.arraycopy(bytes(10, 8), 0, expected, 0, 10);
        assertArrayEquals(expected, file(model, CrashMode.EVERYTHING, "before"));
    }

    @Test
    void sectorsTearAPageAndBlocksDoNot() throws IOException
    {
        durableFile("a", 9);
        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(4096, 10)), 0);
        }
        final CrashModel model = replayed();
        final Set<Integer> sectorMixes = new HashSet<>();
        for (int seed = 0; seed < 100; seed++)
        {
            final byte[] page = model.crashState(CrashMode.SECTORS, new Random(seed)).files().get("store/a");
            sectorMixes.add(newSectors(page));
            final byte[] block = model.crashState(CrashMode.BLOCKS, new Random(seed)).files().get("store/a");
            final int n = newSectors(block);
            assertTrue(n == 0 || n == 8, "a 4 KiB block survives whole or not at all, had " + n + " new sectors");
        }
        assertTrue(sectorMixes.stream().anyMatch(n -> n > 0 && n < 8), "no torn page in 100 states: " + sectorMixes);
    }

    @Test
    void aPrefixNeverKeepsALaterWriteWithoutAnEarlierOne() throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve("a")))
        {
            f.force(true);
            fs.syncDirectory(dir);
            f.writeFully(ByteBuffer.wrap(bytes(4096 * 3, 12)), 0);
            f.writeFully(ByteBuffer.wrap(bytes(4096, 13)), 4096 * 3);
        }
        final CrashModel model = replayed();
        final Set<Long> lengths = new HashSet<>();
        for (int seed = 0; seed < 100; seed++)
        {
            final byte[] b = model.crashState(CrashMode.PREFIX, new Random(seed)).files().get("store/a");
            lengths.add((long)b.length);
            final byte[] live = model.crashState(CrashMode.EVERYTHING, new Random(0)).files().get("store/a");
            assertArrayEquals(Arrays.copyOf(live, b.length), b, "a prefix of what was written, seed " + seed);
        }
        assertTrue(lengths.size() >= 3, "prefixes of several lengths: " + lengths);
    }

    @Test
    void aLengthGrownByUnflushedWritesCanSurviveWithZeros() throws IOException
    {
        durableFile("a", 14);
        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(1000, 15)), 64);
        }
        final byte[] zeroed = file(replayed(), CrashMode.ZEROED_TAIL, "a");
        assertEquals(1064, zeroed.length);
        assertArrayEquals(bytes(64, 14), Arrays.copyOf(zeroed, 64));
        assertArrayEquals(new byte[1000], Arrays.copyOfRange(zeroed, 64, 1064));
    }

    @Test
    void aNewDirectoryNeedsItsParentSynced() throws IOException
    {
        final Path created = root.resolve("fresh");
        fs.createDirectories(created);
        fs.syncDirectory(created);
        CrashModel model = replayed();
        assertFalse(model.crashState(CrashMode.NOTHING, new Random(0)).directories().contains("fresh"));
        fs.syncDirectory(root);
        model = replayed();
        assertTrue(model.crashState(CrashMode.NOTHING, new Random(0)).directories().contains("fresh"));
    }

    @Test
    void aForkKeepsWhatTheKilledProcessNeverFlushedPending() throws IOException
    {
        durableFile("a", 17);
        try (StoreFile f = fs.open(dir.resolve("a")))
        {
            f.writeFully(ByteBuffer.wrap(bytes(64, 18)), 64);
        }
        final CrashModel killed = replayed().frozen();
        final Path copy = root.resolve("copy");
        killed.crashState(CrashMode.EVERYTHING, new Random(0)).writeTo(copy);
        final RecordingFileSystem after = new RecordingFileSystem(copy);
        final CrashModel before = killed.fork(after.journal());
        assertArrayEquals(bytes(64, 17), before.crashState(CrashMode.NOTHING, new Random(0)).files().get("store/a"));
        try (StoreFile f = after.open(copy.resolve("store/a")))
        {
            f.force(false);
        }
        final CrashModel forced = killed.fork(after.journal());
        while (forced.hasNext())
        {
            forced.advance();
        }
        assertArrayEquals(concat(bytes(64, 17), bytes(64, 18)),
            forced.crashState(CrashMode.NOTHING, new Random(0)).files().get("store/a"));
    }

    @Test
    void markersAreTracked() throws IOException
    {
        fs.issue(3);
        fs.acknowledge(2);
        fs.acknowledgeSnapshot(1);
        fs.label("phase");
        final CrashModel model = replayed();
        assertEquals(3, model.issued());
        assertEquals(2, model.acknowledged());
        assertEquals(1, model.acknowledgedSnapshot());
        assertEquals("phase", model.label());
    }

    @Test
    void aFileChangedOutsideTheSeamIsReported() throws IOException
    {
        Files.write(dir.resolve("behind"), bytes(1, 1));
        fs.deleteIfExists(dir.resolve("behind"));
        final CrashModel model = new CrashModel(fs.journal());
        assertThrows(IllegalStateException.class, model::advance);
    }

    @Test
    void aStateWrittenOutReadsBackTheSame() throws IOException
    {
        durableFile("a", 16);
        final CrashState state = replayed().crashState(CrashMode.NOTHING, new Random(0));
        final Path out = root.resolve("out");
        state.writeTo(out);
        assertArrayEquals(bytes(64, 16), Files.readAllBytes(out.resolve("store/a")));
        assertEquals(state.digest(), replayed().crashState(CrashMode.NOTHING, new Random(1)).digest());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void durableFile(final String name, final int fill) throws IOException
    {
        try (StoreFile f = fs.create(dir.resolve(name)))
        {
            f.writeFully(ByteBuffer.wrap(bytes(64, fill)), 0);
            f.force(true);
        }
        fs.syncDirectory(dir);
    }

    private CrashModel replayed()
    {
        final CrashModel model = new CrashModel(fs.journal());
        while (model.hasNext())
        {
            model.advance();
        }
        return model;
    }

    private static byte[] file(final CrashModel model, final CrashMode mode, final String name)
    {
        return model.crashState(mode, new Random(42)).files().get("store/" + name);
    }

    private static byte[] bytes(final int length, final int fill)
    {
        final byte[] b = new byte[length];
        Arrays.fill(b, (byte)fill);
        return b;
    }

    private static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** @return how many of the 8 sectors of the first page hold the new fill (10). */
    private static int newSectors(final byte[] page)
    {
        int n = 0;
        for (int s = 0; s < 8; s++)
        {
            n += page.length > s * 512 + 511 && page[s * 512 + 511] == 10 ? 1 : 0;
        }
        return n;
    }
}
