package io.memsnap;

import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves that memsnap refuses bad input up front: each bad vector, id, metadata, state, label or option is rejected
 * with the documented exception and a message that names the problem, and leaves the store exactly as it was: the
 * same size, state count, last sequence, last snapshot and contents (checked against {@link StoreHistory}), the same
 * bytes in every file, and the same again after a reopen. Also that the store refuses a directory with foreign files
 * in it, a second writer in the same JVM and in another process (a child JVM running {@link LockProbe}), and lets a
 * reader in another process open the last snapshot read-only while the writer works.
 */
class BadInputTest
{
    private static final int DIMENSION = 100;
    private static final int MAX_ID_BYTES = 16;
    private static final int MAX_STATE_BYTES = 100_000;
    private static final int SEGMENT_CAPACITY = StoreOptions.MIN_SEGMENT_SIZE - SegmentDescriptor.HEADER_LENGTH;

    @TempDir
    Path root;

    private Path dir;
    private StoreOptions options;
    private StoreHistory history;
    private MemoryStore store;

    @BeforeEach
    void createStore()
    {
        dir = root.resolve("store");
        options = StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION)
            .segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .maxIdBytes(MAX_ID_BYTES)
            .maxStateBytes(MAX_STATE_BYTES)
            .build();
        history = new StoreHistory();
        store = MemoryStore.open(dir, options);
        for (int i = 0; i < 20; i++)
        {
            history.put(store, "e" + i, SparseVector.of(new int[] {i, i + 1, DIMENSION - 1},
                new float[] {i, -i, 0.5f}), 1.0f + i, 1_000L * i, i % 2 == 0 ? null : new byte[] {(byte)i});
        }
        history.putState(store, "config", "k=v".getBytes(StandardCharsets.UTF_8));
        store.snapshot(Map.of("phase", "seed"));
        // A tail after the snapshot, so that a reopen replays it.
        history.put(store, "tail", SparseVector.of(new int[] {3}, new float[] {3.0f}), 2.0f, 7L, new byte[] {7});
        history.delete(store, "e3");
        history.putState(store, "tail-state", new byte[] {1, 2, 3});
        store.sync();
    }

    @AfterEach
    void closeStore()
    {
        if (store != null)
        {
            store.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    static Stream<Arguments> badWrites()
    {
        final SparseVector ok = SparseVector.of(new int[] {1, 2}, new float[] {1.0f, 2.0f});
        final List<Arguments> cases = new ArrayList<>();
        add(cases, "index equal to the dimension", "sparse vector index at position 1 is 100, not below the " +
            "store's dimension 100", s -> s.put("x", SparseVector.of(new int[] {5, DIMENSION}, new float[] {1, 2})));
        add(cases, "index far above the dimension", "is 1000000, not below the store's dimension 100",
            s -> s.put("x", SparseVector.of(new int[] {1_000_000}, new float[] {1})));
        add(cases, "negative index", "index at position 0 is negative (-1)",
            s -> s.put("x", SparseVector.of(new int[] {-1, 2}, new float[] {1, 2})));
        add(cases, "unsorted indices", "strictly increasing: position 2 holds 3 after 7 (unsorted)",
            s -> s.put("x", SparseVector.of(new int[] {1, 7, 3}, new float[] {1, 2, 3})));
        add(cases, "duplicate indices", "position 1 holds 4 after 4 (duplicate index)",
            s -> s.put("x", SparseVector.of(new int[] {4, 4}, new float[] {1, 2})));
        add(cases, "more indices than values", "has 3 indices but 2 values",
            s -> s.put("x", SparseVector.of(new int[] {1, 2, 3}, new float[] {1, 2})));
        add(cases, "more values than indices", "has 1 indices but 2 values",
            s -> s.put("x", SparseVector.of(new int[] {1}, new float[] {1, 2})));
        add(cases, "NaN value", "value at position 1 (index 2) is NaN: values must be finite",
            s -> s.put("x", SparseVector.of(new int[] {1, 2}, new float[] {1, Float.NaN})));
        add(cases, "infinite value", "is Infinity: values must be finite",
            s -> s.put("x", SparseVector.of(new int[] {1}, new float[] {Float.POSITIVE_INFINITY})));
        add(cases, "negative infinite value", "is -Infinity: values must be finite",
            s -> s.put("x", SparseVector.fromDense(new float[] {0, Float.NEGATIVE_INFINITY})));
        add(cases, "null vector", "vector of 'x' must not be null", s -> s.put("x", null));
        add(cases, "NaN importance", "importance of 'x' is NaN: it must be finite",
            s -> s.put("x", ok, Float.NaN, 1L, null));
        add(cases, "infinite importance", "importance of 'x' is Infinity: it must be finite",
            s -> s.put("x", ok, Float.POSITIVE_INFINITY, 1L, null));
        add(cases, "null id", "id must be a non-empty string", s -> s.put(null, ok));
        add(cases, "empty id", "id must be a non-empty string", s -> s.put("", ok));
        add(cases, "id over maxIdBytes in UTF-8 bytes, not chars",
            "is 18 UTF-8 bytes; at most 16 are allowed (StoreOptions.maxIdBytes)", s -> s.put("\u00e9".repeat(9), ok));
        add(cases, "id of surrogate pairs over maxIdBytes", "is 20 UTF-8 bytes; at most 16",
            s -> s.put("\ud83d\ude42".repeat(5), ok));
        add(cases, "id with an unpaired high surrogate", "holds an unpaired surrogate at char 1",
            s -> s.put("a\ud800b", ok));
        add(cases, "id with an unpaired low surrogate", "holds an unpaired surrogate at char 0",
            s -> s.put("\udc00", ok));
        add(cases, "id ending in a high surrogate", "holds an unpaired surrogate at char 2",
            s -> s.put("ab\ud83d", ok));
        add(cases, "metadata over maxMetadataBytes", "metadata of 'x' is 65537 bytes; at most 65536",
            s -> s.put("x", ok, 1.0f, 1L, new byte[StoreOptions.DEFAULT_MAX_METADATA_BYTES + 1]));
        add(cases, "entry record larger than a segment", "entry 'x' needs a record of 65557 bytes but a segment " +
            "holds " + SEGMENT_CAPACITY, s -> s.put("x", ok, 1.0f, 1L, new byte[65500]));
        add(cases, "null state name", "state name must be a non-empty string", s -> s.putState(null, new byte[1]));
        add(cases, "empty state name", "state name must be a non-empty string", s -> s.putState("", new byte[1]));
        add(cases, "state name over maxIdBytes", "state name '\u65e5\u672c\u65e5\u672c\u65e5\u672c' is 18 UTF-8 " +
            "bytes", s -> s.putState("\u65e5\u672c".repeat(3), new byte[1]));
        add(cases, "state name with an unpaired surrogate", "unpaired surrogate",
            s -> s.putState("\ud800", new byte[1]));
        add(cases, "null state value", "state 'config' must be non-null", s -> s.putState("config", null));
        add(cases, "state over maxStateBytes", "at most 100000 bytes (StoreOptions.maxStateBytes); it is 100001",
            s -> s.putState("config", new byte[MAX_STATE_BYTES + 1]));
        add(cases, "state record larger than a segment", "state 'config' needs a record of 70046 bytes but a " +
            "segment holds " + SEGMENT_CAPACITY, s -> s.putState("config", new byte[70_000]));
        add(cases, "delete of a null id", "id must be a non-empty string", s -> s.delete(null));
        add(cases, "delete of an id over maxIdBytes", "at most 16", s -> s.delete("e".repeat(17)));
        add(cases, "delete of an id with an unpaired surrogate", "unpaired surrogate", s -> s.delete("e1\udfff"));
        add(cases, "deleteState of an empty name", "state name must be a non-empty string", s -> s.deleteState(""));
        add(cases, "labels over 64 KiB", "snapshot labels take 65537 bytes; at most 65536",
            s -> s.snapshot(Map.of("k", "v".repeat(ManifestDescriptor.MAX_LABEL_BYTES))));
        add(cases, "many labels over 64 KiB together", "at most 65536 are allowed", s ->
        {
            final Map<String, String> labels = new java.util.HashMap<>();
            for (int i = 0; i < 100; i++)
            {
                labels.put("label-" + i, "x".repeat(700));
            }
            s.snapshot(labels);
        });
        add(cases, "empty label key", "snapshot label keys must be non-empty", s -> s.snapshot(Map.of("", "v")));
        add(cases, "label value with an unpaired surrogate", "snapshot label value holds an unpaired surrogate",
            s -> s.snapshot(Map.of("k", "\ud800")));
        return cases.stream();
    }

    private static void add(final List<Arguments> cases, final String name, final String message,
        final Consumer<MemoryStore> write)
    {
        cases.add(Arguments.of(name, message, write));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badWrites")
    void badWriteIsRejectedAndChangesNothing(final String name, final String message,
        final Consumer<MemoryStore> write)
    {
        final Map<String, String> files = StoreFiles.fingerprint(dir);
        final long lastSequence = store.lastSequence();
        final long generation = store.lastSnapshot().generation();

        final InvalidEntryException ex = assertThrows(InvalidEntryException.class, () -> write.accept(store), name);
        assertTrue(ex.getMessage().contains(message), name + ": message '" + ex.getMessage() + "' should say '" +
            message + "'");

        assertEquals(lastSequence, store.lastSequence(), name);
        assertEquals(generation, store.lastSnapshot().generation(), name + ": no snapshot may be taken");
        assertStoreHoldsHistory(name);
        assertEquals(files, StoreFiles.fingerprint(dir), name + ": no byte may change on disk");

        reopen(options);
        assertEquals(lastSequence, store.lastSequence(), name + ", reopened");
        assertEquals(generation, store.lastSnapshot().generation(), name + ", reopened");
        assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
        assertStoreHoldsHistory(name + ", reopened");

        // The rejection consumed no sequence number and left the writer usable.
        history.put(store, "valid", SparseVector.of(new int[] {DIMENSION - 1}, new float[] {1}), 1.0f, 1L, null);
        assertEquals(lastSequence + 1, store.lastSequence(), name + ": the next write's sequence");
    }

    @Test
    void idLimitCountsUtf8BytesSoMultibyteIdsUpToItAreAccepted()
    {
        final SparseVector v = SparseVector.of(new int[] {0}, new float[] {1});
        history.put(store, "\u00e9".repeat(8), v, 1.0f, 1L, null);
        history.put(store, "\ud83d\ude42".repeat(4), v, 1.0f, 1L, null);
        history.put(store, "a".repeat(MAX_ID_BYTES), v, 1.0f, 1L, null);
        history.putState(store, "\u65e5\u672c\u65e5\u672c\u65e5", new byte[60_000]);
        reopen(options);
        assertStoreHoldsHistory("multibyte ids at the limit");
    }

    @Test
    void writeToReadOnlyStoreIsRejected()
    {
        store.close();
        store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).readOnly(true).build());
        final Map<String, String> files = StoreFiles.fingerprint(dir);
        final SparseVector v = SparseVector.of(new int[] {0}, new float[] {1});
        for (final Executable write : List.<Executable>of(() -> store.put("x", v), () -> store.delete("e1"),
            () -> store.putState("s", new byte[1]), () -> store.deleteState("config"), store::snapshot, store::sync))
        {
            final ReadOnlyStoreException ex = assertThrows(ReadOnlyStoreException.class, write);
            assertTrue(ex.getMessage().contains("read-only"), ex.getMessage());
        }
        assertEquals(files, StoreFiles.fingerprint(dir));
    }

    // ------------------------------------------------------------------------------------------------ options

    @Test
    void reopenWithAnotherDimensionIsRejectedAndChangesNothing()
    {
        store.close();
        store = null;
        final Map<String, String> files = StoreFiles.fingerprint(dir);
        for (final StoreOptions wrong : List.of(options.toBuilder().dimension(DIMENSION - 1).build(),
            options.toBuilder().dimension(DIMENSION + 1).build(),
            options.toBuilder().dimension(DIMENSION + 1).readOnly(true).build()))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> MemoryStore.open(dir, wrong));
            assertTrue(ex.getMessage().contains("has dimension " + DIMENSION + " but StoreOptions asks for " +
                wrong.dimension()), ex.getMessage());
            assertEquals(files, StoreFiles.fingerprint(dir), "a refused open must change nothing");
        }
        // Dimension 0 takes the store's.
        reopen(StoreOptions.builder().backgroundCompaction(false).build());
        assertEquals(DIMENSION, store.dimension());
        assertStoreHoldsHistory("reopened with dimension 0");
        // The refused opens released the lock.
        reopen(options);
        assertStoreHoldsHistory("reopened with its own dimension");
    }

    @Test
    void creatingWithoutDimensionIsRejectedAndCreatesNothing()
    {
        final Path empty = root.resolve("new-store");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> MemoryStore.open(empty, StoreOptions.builder().backgroundCompaction(false).build()));
        assertTrue(ex.getMessage().contains("creating one needs StoreOptions.dimension"), ex.getMessage());
        for (final Path p : StoreFiles.list(empty))
        {
            assertEquals(StoreDirectory.LOCK_FILE, p.getFileName().toString(), "no store file may be created");
        }
        try (MemoryStore created = MemoryStore.open(empty, StoreOptions.ofDimension(8)))
        {
            assertEquals(8, created.dimension());
            assertEquals(0, created.size());
        }
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.builder().backgroundCompaction(false)
            .dimension(0));
        assertThrows(IllegalArgumentException.class, () -> StoreOptions.ofDimension(-1));
    }

    // ------------------------------------------------------------------------------------------------ directory

    @ParameterizedTest(name = "foreign {0}")
    @ValueSource(strings = {"notes.txt", "manifest-1.msm", "segment-1.seg", "index.msi.bak", "backup/"})
    void foreignFileIsRefusedAndChangesNothing(final String name) throws IOException
    {
        store.close();
        store = null;
        final Path foreign = dir.resolve(name.replace("/", ""));
        if (name.endsWith("/"))
        {
            Files.createDirectory(foreign);
        }
        else
        {
            Files.write(foreign, "not memsnap's".getBytes(StandardCharsets.UTF_8));
        }
        final Map<String, String> files = StoreFiles.fingerprint(dir);
        for (final StoreOptions o : List.of(options, options.toBuilder().readOnly(true).build()))
        {
            final ForeignFileException ex = assertThrows(ForeignFileException.class, () -> MemoryStore.open(dir, o));
            assertTrue(ex.getMessage().contains(foreign.toString()), ex.getMessage());
            assertEquals(files, StoreFiles.fingerprint(dir), "a refused open must change nothing");
        }
        StoreFiles.deleteTree(foreign);
        reopen(options);
        assertStoreHoldsHistory("after the foreign file was removed");
    }

    // ------------------------------------------------------------------------------------------------ lock

    @Test
    void secondWriterInTheSameJvmIsRefused()
    {
        final Map<String, String> files = StoreFiles.fingerprint(dir);
        final StoreLockedException ex = assertThrows(StoreLockedException.class, () -> MemoryStore.open(dir, options));
        assertTrue(ex.getMessage().contains(StoreDirectory.LOCK_FILE), ex.getMessage());
        assertEquals(files, StoreFiles.fingerprint(dir));
        // The first store is unaffected and still writes.
        history.put(store, "after-refusal", SparseVector.of(new int[] {9}, new float[] {9}), 1.0f, 9L, null);
        assertStoreHoldsHistory("writer after a refused second open");
        // A second refusal is still a refusal: the failed attempt did not drop the lock.
        assertThrows(StoreLockedException.class, () -> MemoryStore.open(dir, options));
        // A read-only open in the same JVM is fine.
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .readOnly(true).build()))
        {
            assertEquals(store.lastSnapshot().generation(), reader.lastSnapshot().generation());
        }
        reopen(options);
        assertStoreHoldsHistory("the second writer after the first closed");
    }

    @Test
    void writerInAnotherProcessIsRefusedWhileThisOneHoldsTheStore() throws Exception
    {
        final ProbeResult locked = probe("write");
        assertEquals(LockProbe.LOCKED, locked.exitCode, locked.output);
        assertTrue(locked.output.startsWith("LOCKED " + StoreLockedException.class.getName()), locked.output);

        // A reader in another process opens the last snapshot while the writer works: not the tail after it.
        final ProbeResult reader = probe("read", "e1", "e3", "tail");
        assertEquals(LockProbe.OPENED, reader.exitCode, reader.output);
        final SnapshotInfo last = store.lastSnapshot();
        assertEquals("OPENED generation=" + last.generation() + " lastSequence=" + last.lastSequence() + " size=" +
            last.entryCount() + " e1=present e3=present tail=absent", reader.output.trim());

        store.close();
        store = null;
        final ProbeResult writer = probe("write", "e1", "e3", "tail");
        assertEquals(LockProbe.OPENED, writer.exitCode, writer.output);
        assertEquals("OPENED generation=" + last.generation() + " lastSequence=" + history.lastSequence() +
            " size=" + history.latest().entries.size() + " e1=present e3=absent tail=present", writer.output.trim());
        reopen(options);
        assertStoreHoldsHistory("after the other process closed it");
    }

    /**
     * POSIX record locks belong to the process: closing any channel on the lock file drops the lock this JVM holds
     * through another. A refused second open in this JVM must therefore not open the lock file at all.
     */
    @Test
    void refusedSecondWriterInThisJvmKeepsOtherProcessesOut() throws Exception
    {
        assertThrows(StoreLockedException.class, () -> MemoryStore.open(dir, options));
        assertThrows(StoreLockedException.class, () -> MemoryStore.open(dir, options));
        final ProbeResult locked = probe("write");
        assertEquals(LockProbe.LOCKED, locked.exitCode, "another process became a second writer: " + locked.output);
        history.put(store, "still-the-writer", SparseVector.of(new int[] {1}, new float[] {1}), 1.0f, 1L, null);
        reopen(options);
        assertStoreHoldsHistory("after the other process was refused");
    }

    private static final class ProbeResult
    {
        final int exitCode;
        final String output;

        ProbeResult(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    private ProbeResult probe(final String mode, final String... ids) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
            "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            LockProbe.class.getName(), dir.toString(), mode));
        Collections.addAll(command, ids);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output;
        try (InputStream in = process.getInputStream())
        {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the probe did not finish: " + output);
        return new ProbeResult(process.exitValue(), output);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void reopen(final StoreOptions with)
    {
        if (store != null)
        {
            store.close();
        }
        store = null;
        store = MemoryStore.open(dir, with);
    }

    private void assertStoreHoldsHistory(final String what)
    {
        final StoreHistory.Verification v = history.verify(store, history.lastSequence(), what);
        assertEquals(0, v.readErrors, what + ": " + v.errorSamples);
        assertEquals(history.latest().entries.size(), store.size(), what);
        assertFalse(store.contains("x"), what + ": a rejected entry was stored");
    }
}
