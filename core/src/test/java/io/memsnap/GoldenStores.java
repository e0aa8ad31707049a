package io.memsnap;

import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestSlotsDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The golden stores: one for every format version ever written, committed gzipped under
 * {@code src/test/resources/golden/vMAJOR.MINOR}, each written by {@link FormatGoldenTest#main} with the same writes
 * ({@link #write}), and so their exact content after those writes ({@link Content}). Shared with the tool's tests.
 * Thread safe: stateless.
 */
public final class GoldenStores
{
    /** Every golden store, oldest first. A new format version adds its own (see {@link #WRITE_COMMAND}). */
    public static final List<String> VERSIONS = List.of("v1.0", "v2.0", "v3.0", "v4.0");
    /** What writes the golden store of this build's format version, run from the repository's root. */
    public static final String WRITE_COMMAND = "mvn -B -o -q -pl core test-compile && java " +
        "-cp core/target/test-classes:core/target/classes:" +
        "$HOME/.m2/repository/org/agrona/agrona/2.6.0/agrona-2.6.0.jar io.memsnap.FormatGoldenTest";
    /** The files of every golden store; later versions may hold more (see {@link #OPTIONAL_FILES}). */
    private static final List<String> FILES = List.of("index.msi", "segment-0000000001.seg",
        "segment-0000000002.seg");
    /** The manifests of the golden stores before 4.0, a file each. */
    private static final List<String> MANIFEST_FILES = List.of("manifest-00000000000000000000.msm",
        "manifest-00000000000000000001.msm", "manifest-00000000000000000002.msm");
    /** Files that only the stores of some versions hold: the durable watermark came after 2.0. */
    static final List<String> OPTIONAL_FILES = List.of("durable.msw");
    /** The newest snapshot of every golden store. */
    public static final long NEWEST_GENERATION = 2;

    private GoldenStores()
    {
    }

    /** The writes of a golden store, made to a store or to the model of its content. */
    interface Writes
    {
        void put(String id, SparseVector vector, float importance, long storedAtMillis, byte[] metadata);

        void delete(String id);

        void putState(String name, byte[] value);

        void snapshot(Map<String, String> labels);

        /** Checkpoints the index (changes no content). */
        void checkpoint();

        /** Makes the writes so far durable (changes no content). */
        void sync();
    }

    /** Every write of a golden store: two snapshots, then two writes after the second, synced. */
    static void write(final Writes w)
    {
        w.put("golden-0", SparseVector.of(new int[] {0, 5, 1023}, new float[] {1.5f, -2.25f, 0.125f}), 0.5f,
            1_700_000_000_000L, "{\"source\":\"golden\"}".getBytes(StandardCharsets.UTF_8));
        w.put("gölden-ü-\uD83D\uDE00", SparseVector.of(new int[] {7}, new float[] {-0.0f}), 1.0f, 42L, null);
        w.put("golden-2", SparseVector.empty(), 0.0f, 0L, new byte[] {0, 1, 2, (byte)255});
        w.putState("transitions", new byte[] {9, 8, 7});
        w.snapshot(Map.of("encoder", "golden-encoder", "version", "1.0.0"));
        w.put("golden-0", SparseVector.of(new int[] {1, 2}, new float[] {3f, 4f}), 0.75f, 1_700_000_000_001L, null);
        w.delete("golden-2");
        w.putState("config", "{\"dim\":1024}".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 100; i++)
        {
            w.put("filler-" + i, SparseVector.of(new int[] {i, i + 100}, new float[] {i, -i}), 0.1f, i,
                new byte[700]);
        }
        w.checkpoint();
        w.snapshot(Map.of("encoder", "golden-encoder"));
        w.put("tail-0", SparseVector.of(new int[] {3}, new float[] {3f}), 0.3f, 3L, null);
        w.delete("filler-0");
        w.sync();
    }

    /** The options every golden store was written with. */
    public static StoreOptions options()
    {
        return StoreOptions.builder().dimension(1024).segmentSize(64 * 1024).build();
    }

    /** @return the files the golden store of {@code version} holds: its manifests in files, or (4.0) in slots. */
    public static List<String> files(final String version)
    {
        final List<String> files = new ArrayList<>(FILES);
        if (FormatVersion.hasManifestSlots(major(version)))
        {
            files.add(ManifestSlotsDescriptor.FILE_NAME);
        }
        else
        {
            files.addAll(MANIFEST_FILES);
        }
        return files;
    }

    /** @return whether a golden store of {@code version} ("vMAJOR.MINOR") is on the class path. */
    public static boolean exists(final String version)
    {
        final List<String> files = files(version);
        return GoldenStores.class.getResource(resource(version, files.get(files.size() - 1))) != null;
    }

    /**
     * Writes the golden store of {@code version} into {@code dir} (created), with the empty lock file every store a
     * writer made holds.
     */
    public static void unpack(final String version, final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
            final List<String> names = files(version);
            names.addAll(OPTIONAL_FILES);
            for (final String name : names)
            {
                try (InputStream gz = GoldenStores.class.getResourceAsStream(resource(version, name)))
                {
                    if (gz == null)
                    {
                        assertTrue(OPTIONAL_FILES.contains(name), "golden store " + version + " lacks " + name);
                        continue;
                    }
                    try (InputStream in = new GZIPInputStream(gz))
                    {
                        Files.copy(in, dir.resolve(name));
                    }
                }
            }
            Files.createFile(dir.resolve(StoreDirectory.LOCK_FILE));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String resource(final String version, final String name)
    {
        return "/golden/" + version + "/" + name + ".gz";
    }

    /**
     * @return the generation of the newest snapshot once the golden store of {@code version} is migrated to this
     * build's version: each step from 2.x on commits it again under the next generation.
     */
    public static long migratedGeneration(final String version)
    {
        return NEWEST_GENERATION + FormatVersion.CURRENT_MAJOR - Math.max(FormatVersion.MAJOR_2,
            Math.min(FormatVersion.CURRENT_MAJOR, major(version)));
    }

    /** @return the format major version of a golden store's name ("v2.0" is 2). */
    public static int major(final String version)
    {
        return Integer.parseInt(version.substring(1, version.indexOf('.')));
    }

    /** @return every file under {@code dir} (relative path to bytes), to tell that nothing changed, byte for byte. */
    public static Map<String, byte[]> files(final Path dir)
    {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)walk::iterator)
            {
                files.put(dir.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""),
                    Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    /** Fails unless {@code dir} holds exactly the files of {@code before}, byte for byte. */
    public static void assertUnchanged(final Map<String, byte[]> before, final Path dir, final String what)
    {
        final Map<String, byte[]> after = files(dir);
        assertEquals(before.keySet(), after.keySet(), what + " changed the files of " + dir);
        for (final Map.Entry<String, byte[]> e : before.entrySet())
        {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), what + " changed " + e.getKey());
        }
    }

    /** @return what the newest snapshot of every golden store holds (a read-only open shows it). */
    public static Content newestSnapshot()
    {
        final Content content = new Content();
        write(content);
        return content.atSnapshot;
    }

    /** @return what every golden store holds after all its writes (a writer's open shows it: the tail replayed). */
    public static Content everything()
    {
        final Content content = new Content();
        write(content);
        return content;
    }

    /** The model of a golden store's content: entries and named state, and the labels of its last snapshot. */
    public static final class Content implements Writes
    {
        private final Map<String, MemoryEntry> entries = new TreeMap<>();
        private final Map<String, byte[]> states = new TreeMap<>();
        private Map<String, String> labels = Map.of();
        private Content atSnapshot;

        @Override
        public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
            final byte[] metadata)
        {
            entries.put(id, new MemoryEntry(id, vector, importance, storedAtMillis,
                metadata == null ? new byte[0] : metadata, 0));
        }

        @Override
        public void delete(final String id)
        {
            entries.remove(id);
        }

        @Override
        public void putState(final String name, final byte[] value)
        {
            states.put(name, value.clone());
        }

        @Override
        public void snapshot(final Map<String, String> labels)
        {
            this.labels = Map.copyOf(labels);
            atSnapshot = new Content();
            atSnapshot.entries.putAll(entries);
            atSnapshot.states.putAll(states);
            atSnapshot.labels = this.labels;
        }

        @Override
        public void checkpoint()
        {
        }

        @Override
        public void sync()
        {
        }

        public int size()
        {
            return entries.size();
        }

        /** Fails unless {@code store} holds exactly this content, every float bit for bit. */
        public void assertHeldBy(final MemoryStore store, final String where)
        {
            assertEquals(entries.size(), store.size(), where + ": entries");
            final Map<String, MemoryEntry> held = new TreeMap<>();
            store.forEach(e -> held.put(e.id(), e.toEntry()));
            assertEquals(entries.keySet(), held.keySet(), where + ": ids");
            for (final MemoryEntry got : held.values())
            {
                final MemoryEntry want = entries.get(got.id());
                assertArrayEquals(want.vector().indices(), got.vector().indices(), where + ": " + got.id());
                assertArrayEquals(bits(want.vector().values()), bits(got.vector().values()), where + ": " + got.id());
                assertEquals(Float.floatToRawIntBits(want.importance()), Float.floatToRawIntBits(got.importance()),
                    where + ": " + got.id());
                assertEquals(want.storedAtMillis(), got.storedAtMillis(), where + ": " + got.id());
                assertArrayEquals(want.metadata(), got.metadata(), where + ": " + got.id());
            }
            assertEquals(new ArrayList<>(states.keySet()), store.stateNames(), where + ": state names");
            for (final Map.Entry<String, byte[]> s : states.entrySet())
            {
                assertArrayEquals(s.getValue(), store.getState(s.getKey()).orElseThrow(), where + ": " + s.getKey());
            }
            assertEquals(labels, store.lastSnapshot().labels(), where + ": labels of the last snapshot");
        }

        private static int[] bits(final float[] values)
        {
            final int[] bits = new int[values.length];
            for (int i = 0; i < values.length; i++)
            {
                bits[i] = Float.floatToRawIntBits(values[i]);
            }
            return bits;
        }
    }

    /** Makes the writes of a golden store to a store. */
    static Writes to(final MemoryStore store)
    {
        return new Writes()
        {
            @Override
            public void put(final String id, final SparseVector vector, final float importance,
                final long storedAtMillis, final byte[] metadata)
            {
                store.put(id, vector, importance, storedAtMillis, metadata);
            }

            @Override
            public void delete(final String id)
            {
                store.delete(id);
            }

            @Override
            public void putState(final String name, final byte[] value)
            {
                store.putState(name, value);
            }

            @Override
            public void snapshot(final Map<String, String> labels)
            {
                store.snapshot(labels);
            }

            @Override
            public void checkpoint()
            {
                store.checkpoint();
            }

            @Override
            public void sync()
            {
                store.sync();
            }
        };
    }
}
