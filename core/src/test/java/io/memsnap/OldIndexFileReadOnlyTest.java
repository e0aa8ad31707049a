package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A read-only store opened at an older snapshot keeps reading the index file its manifest names while the writer
 * moves to new index file generations and retires the snapshot: the writer deletes that file only once the reader
 * has closed (it pins the file: a shared lock, and a count in its JVM), in the writer's JVM and in another one.
 */
class OldIndexFileReadOnlyTest
{
    private static final int ENTRIES = 3_000;
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void aReaderInTheWritersJvmKeepsTheOldIndexFileUntilItCloses()
    {
        try (MemoryStore writer = MemoryStore.open(dir, options()))
        {
            final long old = writeVersionZero(writer);
            final Path oldFile = IndexFiles.path(dir, IndexFiles.durable(writer).indexFile);
            final MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(old)
                .build());
            try
            {
                moveToNewIndexFiles(writer, old, oldFile);
                assertTrue(Files.exists(oldFile), "the reader pins the index file of its snapshot");
                assertEquals("verified " + ENTRIES, wrongEntry(reader, ENTRIES, 0));
            }
            finally
            {
                reader.close();
            }
            assertTrue(Files.exists(oldFile), "deleted at the writer's next snapshot, not behind its back");
            writer.snapshot();
            assertFalse(Files.exists(oldFile), "deleted once the reader closed");
        }
    }

    @Test
    void aReaderInAnotherProcessKeepsTheOldIndexFileUntilItCloses() throws Exception
    {
        try (MemoryStore writer = MemoryStore.open(dir, options()))
        {
            final long old = writeVersionZero(writer);
            final Path oldFile = IndexFiles.path(dir, IndexFiles.durable(writer).indexFile);
            final Process child = new ProcessBuilder(ChildJvm.command(List.of("-Xmx128m"),
                OldIndexFileReaderChild.class, List.of(dir.toString(), Long.toString(old), Integer.toString(ENTRIES))))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
                 Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8))
            {
                assertEquals("open", out.readLine());
                moveToNewIndexFiles(writer, old, oldFile);
                assertTrue(Files.exists(oldFile), "the reader in the other process pins the index file");
                in.write("verify\n");
                in.flush();
                assertEquals("verified " + ENTRIES, out.readLine(), "it reads the old snapshot through it");
                writer.snapshot();
                assertTrue(Files.exists(oldFile), "still pinned");
                in.write("close\n");
                in.flush();
                assertEquals("closed", out.readLine());
                assertTrue(child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
            }
            finally
            {
                child.destroyForcibly();
            }
            writer.snapshot();
            assertFalse(Files.exists(oldFile), "deleted once the reader closed");
        }
    }

    /** @return "verified N" if every entry of the store is version {@code version}, or "wrong ID" for the first not. */
    static String wrongEntry(final MemoryStore store, final int entries, final long version)
    {
        for (int n = 0; n < entries; n++)
        {
            final Optional<MemoryEntry> e = store.get(TestEntries.id(n));
            if (e.isEmpty() || !TestEntries.matches(e.get(), n, version))
            {
                return "wrong " + TestEntries.id(n);
            }
        }
        final long[] count = {0};
        store.forEach(view -> count[0]++);
        return count[0] == entries ? "verified " + entries : "wrong count " + count[0];
    }

    private static StoreOptions options()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).retainedSnapshots(2)
            .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).indexCompactionMinBytes(0)
            .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).build();
    }

    /** @return the generation of a snapshot of version 0 of every entry. */
    private static long writeVersionZero(final MemoryStore writer)
    {
        for (int n = 0; n < ENTRIES; n++)
        {
            TestEntries.put(writer, n, 0);
        }
        writer.checkpoint();
        return writer.snapshot().generation();
    }

    /**
     * Overwrites every entry, checkpoints and snapshots until new index files are written and snapshot {@code old}
     * (which names {@code oldFile}) is retired.
     */
    private void moveToNewIndexFiles(final MemoryStore writer, final long old, final Path oldFile)
    {
        for (int version = 1; version <= 4; version++)
        {
            for (int n = 0; n < ENTRIES; n++)
            {
                TestEntries.put(writer, n, version);
            }
            writer.checkpoint();
            writer.snapshot();
        }
        assertTrue(writer.snapshots().stream().noneMatch(s -> s.generation() == old), "snapshot " + old + " retired");
        assertNotEquals(oldFile, IndexFiles.path(dir, IndexFiles.durable(writer).indexFile),
            "new index files: " + IndexFiles.generations(dir));
    }
}
