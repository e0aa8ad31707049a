package io.memsnap.cli.archive;

import io.memsnap.IncompatibleFormatException;
import io.memsnap.cli.Mutator;
import io.memsnap.cli.TestStores;
import io.memsnap.cli.fs.Directories;
import io.memsnap.cli.importer.ArchiveImporter;
import io.memsnap.cli.importer.ImportOptions;
import io.memsnap.cli.importer.Importer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded random mutations of an archive: of its bytes as stored (every one must be caught), of its record stream
 * re-framed with valid checksums (caught by the record checks, or imported exactly as read), and of its LZ4
 * payloads with valid checksums (the safe decompressor's failures are caught). The only outcomes allowed are
 * success with the data the reader saw, {@link CorruptArchiveException} and {@link IncompatibleFormatException};
 * a failed import must leave no store. The seed of a failing iteration is in the failure message
 * ({@code -Dfuzz.seed=N} replays a run).
 */
class ArchiveFuzzTest
{
    static final int RAW_ITERATIONS = 300;
    static final int RESEALED_ITERATIONS = 200;
    static final int PAYLOAD_ITERATIONS = 150;

    @TempDir(factory = io.memsnap.cli.MemoryTempDirFactory.class)
    Path tmp;
    private byte[] good;
    private Forge.Parts parts;

    @BeforeEach
    void setUp() throws IOException
    {
        final Path src = tmp.resolve("src");
        TestStores.create(src, 500, 80, 99);
        final Path file = tmp.resolve("good.msa");
        ArchiveRoundTripTest.export(src, file, null, 1024);
        good = Files.readAllBytes(file);
        parts = Forge.split(good);
        assertTrue(parts.stream.length > 3 * 1024, "several frames");
    }

    /** What the reader saw, in the same shape as {@link TestStores#contents}. */
    private static final class Collector implements ArchiveVisitor
    {
        final List<String> seen = new ArrayList<>();
        String labels;

        @Override
        public void header(final ArchiveHeader header)
        {
            seen.add("dimension " + header.dimension());
            labels = "labels " + header.labels();
        }

        @Override
        public void entry(final String id, final int[] indices, final float[] values, final float importance,
            final long storedAtMillis, final byte[] metadata)
        {
            final StringBuilder sb = new StringBuilder("entry ").append(id).append(' ');
            for (int i = 0; i < indices.length; i++)
            {
                sb.append(indices[i]).append('=').append(Integer.toHexString(Float.floatToRawIntBits(values[i])))
                    .append(',');
            }
            sb.append(" imp=").append(Integer.toHexString(Float.floatToRawIntBits(importance)))
                .append(" at=").append(storedAtMillis).append(" meta=").append(HexFormat.of().formatHex(metadata));
            seen.add(sb.toString());
        }

        @Override
        public void state(final String name, final byte[] value)
        {
            seen.add("state " + name + "=" + HexFormat.of().formatHex(value));
        }

        List<String> all()
        {
            final List<String> all = new ArrayList<>(seen);
            all.add(labels);
            Collections.sort(all);
            return all;
        }
    }

    /**
     * Reads {@code bytes} as an archive and, when {@code alsoImport}, imports it; checks the outcome is allowed and
     * the same both ways.
     *
     * @return whether the archive was read successfully.
     */
    private boolean check(final byte[] bytes, final boolean alsoImport, final String what) throws IOException
    {
        final Path file = tmp.resolve("fuzz.msa");
        Files.write(file, bytes);
        final Collector collector = new Collector();
        Throwable readFailure = null;
        try
        {
            new ArchiveReader(file, null).read(collector);
        }
        catch (final CorruptArchiveException ex)
        {
            assertTrue(ex.offset() >= 0 && ex.offset() <= bytes.length, what + ": offset " + ex.offset() +
                " outside the file: " + ex.getMessage());
            readFailure = ex;
        }
        catch (final IncompatibleFormatException ex)
        {
            readFailure = ex;
        }
        outcomes.merge(readFailure == null ? "read" : readFailure.getClass().getSimpleName(), 1, Integer::sum);
        if (!alsoImport)
        {
            return readFailure == null;
        }
        outcomes.merge("imports checked", 1, Integer::sum);
        final Path dst = tmp.resolve("dst");
        try
        {
            Importer.run(dst, new ImportOptions(TestStores.smallBase(), null, 0), new ArchiveImporter(file, null));
            assertNull(readFailure, what + ": import succeeded where reading failed with " + readFailure);
            final List<String> imported = new ArrayList<>(TestStores.contents(dst));
            Collections.sort(imported);
            assertEquals(collector.all(), imported, what + ": the import holds what the reader saw");
            Directories.deleteRecursively(dst);
        }
        catch (final CorruptArchiveException | IncompatibleFormatException ex)
        {
            assertNotNull(readFailure, what + ": import failed where reading succeeded: " + ex);
            assertEquals(readFailure.getClass(), ex.getClass(), what);
            io.memsnap.cli.importer.ImporterTestAccess.assertNoStoreLeft(dst);
        }
        return readFailure == null;
    }

    private final java.util.Map<String, Integer> outcomes = new java.util.TreeMap<>();

    private void iterate(final String name, final int iterations, final Iteration body)
    {
        outcomes.clear();
        for (int i = 0; i < iterations; i++)
        {
            final long seed = Mutator.BASE_SEED + 7919L * i + name.hashCode();
            final Mutator m = new Mutator(seed);
            try
            {
                body.run(m, i);
            }
            catch (final Throwable ex)
            {
                throw new AssertionError(name + " iteration " + i + " seed " + seed + " (" + m.describe() + "): " +
                    ex, ex);
            }
        }
        System.out.println("archive " + name + ": " + iterations + " mutations (base seed " + Mutator.BASE_SEED +
            "): " + outcomes);
    }

    @FunctionalInterface
    private interface Iteration
    {
        void run(Mutator m, int i) throws Exception;
    }

    @Test
    void everyMutationOfTheStoredBytesIsCaught()
    {
        iterate("raw", RAW_ITERATIONS, (m, i) ->
        {
            final byte[] bad = m.mutate(good);
            assertFalse(check(bad, i % 3 == 0, m.describe()), m.describe() + " went unnoticed");
        });
    }

    @Test
    void mutatedRecordStreamsWithValidChecksumsAreCaughtOrImportedAsRead()
    {
        final int[] succeeded = {0};
        iterate("resealed", RESEALED_ITERATIONS, (m, i) ->
        {
            final Forge.Parts p = new Forge.Parts();
            p.blockSize = parts.blockSize;
            p.entries = parts.entries;
            p.states = parts.states;
            p.header = parts.header;
            p.stream = parts.stream;
            if (i % 4 == 0)
            {
                final byte[] h = m.mutate(parts.header);
                p.header = h.length >= HEADER_PREFIX_LENGTH + 4 ? Forge.recrc(fixLength(h)) : h;
            }
            else
            {
                p.stream = m.mutate(parts.stream);
            }
            if (check(Forge.join(p), i % 3 == 0, m.describe()))
            {
                succeeded[0]++;
            }
        });
        assertTrue(succeeded[0] > 0, "some mutations keep the archive valid (values, timestamps, labels)");
    }

    /** Keeps the header-length field consistent with an inserted or deleted byte, so the CRC is reached. */
    private static byte[] fixLength(final byte[] h)
    {
        final byte[] out = h.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(HEADER_LENGTH_OFFSET, out.length);
        return out;
    }

    @Test
    void mutatedLz4PayloadsWithValidChecksumsAreCaughtOrImportedAsRead()
    {
        final int headerLength = parts.header.length;
        final List<int[]> frames = new ArrayList<>();
        final ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = headerLength; b.getInt(at) != 0; at += FRAME_HEADER_LENGTH + b.getInt(at))
        {
            frames.add(new int[] {at, b.getInt(at), b.getInt(at + 4)});
        }
        iterate("payload", PAYLOAD_ITERATIONS, (m, i) ->
        {
            final int[] frame = frames.get(m.random().nextInt(frames.size()));
            final int start = frame[0] + FRAME_HEADER_LENGTH;
            final byte[] payload = java.util.Arrays.copyOfRange(good, start, start + frame[1]);
            final byte[] mutated = m.mutate(payload);
            final ByteBuffer f = ByteBuffer.allocate(FRAME_HEADER_LENGTH + mutated.length)
                .order(ByteOrder.LITTLE_ENDIAN);
            f.putInt(mutated.length).putInt(frame[2]);
            final CRC32C crc = new CRC32C();
            crc.update(f.array(), 0, FRAME_CRC_OFFSET);
            crc.update(mutated);
            f.putInt((int)crc.getValue()).put(mutated);
            final byte[] bytes = ArchiveHostileTest.concat(ArchiveHostileTest.concat(
                java.util.Arrays.copyOf(good, frame[0]), f.array()),
                java.util.Arrays.copyOfRange(good, start + frame[1], good.length));
            check(Forge.reseal(bytes), i % 3 == 0, m.describe());
        });
    }
}
