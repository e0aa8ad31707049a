package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot copied file by file (each file's prefix the snapshot needs, nothing else) into a new directory and
 * installed there opens as a store holding exactly that snapshot, writable, and goes on from it.
 */
class SnapshotFilesTest
{
    private static final int ENTRIES = 2_000;

    @TempDir
    Path dir;
    @TempDir
    Path copy;

    private static StoreOptions writer()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .checkpointRecords(500).backgroundCompaction(false).build();
    }

    @Test
    void copiedSnapshotOpensWithItsEntriesAndGoesOn() throws IOException
    {
        final long older;
        try (MemoryStore store = MemoryStore.open(dir, writer()))
        {
            for (int n = 0; n < ENTRIES; n++)
            {
                TestEntries.put(store, n, 1);
            }
            store.checkpoint();
            older = store.snapshot().generation();
            for (int n = 0; n < ENTRIES / 2; n++)
            {
                TestEntries.put(store, n, 2); // after the snapshot copied: must not be in the copy
            }
            store.snapshot();
            try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(older)
                .build()))
            {
                final SnapshotFiles files = reader.snapshotFiles();
                assertEquals(older, files.generation());
                assertTrue(files.files().size() >= 2, files.toString());
                copyPrefixes(files);
                assertEquals(older, SnapshotFiles.install(copy, files.manifest()));
            }
        }
        try (MemoryStore restored = MemoryStore.open(copy, writer()))
        {
            assertEquals(ENTRIES, restored.size());
            for (int n = 0; n < ENTRIES; n++)
            {
                assertTrue(TestEntries.matches(restored.get(TestEntries.id(n)).orElseThrow(), n, 1), "entry " + n);
            }
            assertTrue(restored.verify(true).ok(), "verify");
            TestEntries.put(restored, 0, 3);
            restored.snapshot();
        }
        try (MemoryStore again = MemoryStore.open(copy, writer()))
        {
            assertTrue(TestEntries.matches(again.get(TestEntries.id(0)).orElseThrow(), 0, 3));
            assertEquals(ENTRIES, again.size());
        }
    }

    @Test
    void writerHasNoSnapshotFiles() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, writer()))
        {
            assertThrows(IllegalStateException.class, store::snapshotFiles);
        }
    }

    @Test
    void damagedManifestOrShortFileIsRefused() throws IOException
    {
        final byte[] manifest;
        try (MemoryStore store = MemoryStore.open(dir, writer()))
        {
            TestEntries.put(store, 1, 1);
            store.snapshot();
        }
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            copyPrefixes(reader.snapshotFiles());
            manifest = reader.snapshotFiles().manifest();
        }
        final byte[] flipped = Arrays.copyOf(manifest, manifest.length);
        flipped[40] ^= 1;
        assertThrows(CorruptStoreException.class, () -> SnapshotFiles.install(copy, flipped));
        final Path segment = copy.resolve("segment-0000000001.seg");
        Files.write(segment, Arrays.copyOf(Files.readAllBytes(segment), 100));
        assertThrows(CorruptStoreException.class, () -> SnapshotFiles.install(copy, manifest));
    }

    private void copyPrefixes(final SnapshotFiles files) throws IOException
    {
        for (final SnapshotFiles.File f : files.files())
        {
            try (InputStream in = Files.newInputStream(files.directory().resolve(f.name()));
                 OutputStream out = Files.newOutputStream(copy.resolve(f.name())))
            {
                out.write(in.readNBytes((int)f.length()));
            }
        }
    }
}
