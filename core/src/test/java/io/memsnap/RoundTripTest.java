package io.memsnap;

import io.memsnap.internal.format.ManifestSlotsDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

class RoundTripTest
{
    @TempDir
    Path dir;

    private StoreOptions options()
    {
        return StoreOptions.builder().backgroundCompaction(false).dimension(DIMENSION).segmentSize(256 * 1024).build();
    }

    /**
     * Records are written with positional writes on a file channel, which an interrupt closes: a put from an
     * interrupted thread must still be written, leave the interrupt for its caller, and leave the store working.
     */
    @Test
    void putsFromAnInterruptedThreadAreWrittenAndKeepTheInterrupt()
    {
        final SparseVector v = SparseVector.of(new int[] {1, 7}, new float[] {0.5f, -1f});
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            store.put("before", v);
            Thread.currentThread().interrupt();
            try
            {
                store.put("interrupted", v);
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is the caller's to see");
                store.put("still-interrupted", v);
            }
            finally
            {
                Thread.interrupted();
            }
            store.put("after", v);
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (final String id : new String[] {"before", "interrupted", "still-interrupted", "after"})
            {
                assertEquals(v, store.get(id).orElseThrow().vector(), id);
            }
            assertTrue(store.verify(true).ok());
        }
    }

    @Test
    void emptyStoreSurvivesReopen()
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(0, store.size());
            assertFalse(store.contains("x"));
        }
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false).build()))
        {
            assertEquals(0, store.size());
            assertEquals(DIMENSION, store.dimension());
            assertTrue(store.get("x").isEmpty());
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
        }
    }

    @Test
    void oneEntryEveryFieldBitExactAcrossReopen()
    {
        final SparseVector v = SparseVector.of(new int[] {0, 7, DIMENSION - 1},
            new float[] {Float.MIN_VALUE, -0.0f, Float.MAX_VALUE});
        final byte[] metadata = {0, 1, (byte)0xFF, 42};
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            store.put("ünïcødé-id-\uD83D\uDE00", v, 0.25f, 1_700_000_000_123L, metadata);
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            final MemoryEntry e = store.get("ünïcødé-id-\uD83D\uDE00").orElseThrow();
            assertEquals(v, e.vector());
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(e.vector().value(1)));
            assertEquals(0.25f, e.importance());
            assertEquals(1_700_000_000_123L, e.storedAtMillis());
            assertArrayEquals(metadata, e.metadata());
            assertEquals(1, store.size());
        }
    }

    @Test
    void overwritesAndDeletesSurviveSnapshotAndTailReplay()
    {
        final int n = 3000;
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < n; i++)
            {
                put(store, i, 0);
            }
            store.checkpoint(); // the index as of now: the snapshot names it, replay starts after it
            store.snapshot(Map.of("encoder", "bow-v1"));
            for (int i = 0; i < n; i += 3)
            {
                put(store, i, 1);
            }
            for (int i = 1; i < n; i += 3)
            {
                assertTrue(store.delete(id(i)));
            }
            assertFalse(store.delete("never-there"));
            store.sync(); // tail only: replayed at reopen
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(n - n / 3, store.size());
            assertEquals(2000, store.recoveryReport().replayedRecords());
            for (int i = 0; i < n; i++)
            {
                final int version = i % 3 == 0 ? 1 : 0;
                if (i % 3 == 1)
                {
                    assertTrue(store.get(id(i)).isEmpty(), id(i));
                }
                else
                {
                    assertTrue(matches(store.get(id(i)).orElseThrow(), i, version), id(i));
                }
            }
            store.checkpoint();
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(n - n / 3, store.size());
            assertEquals(0, store.recoveryReport().replayedRecords());
            final Set<String> seen = new HashSet<>();
            store.forEach(view -> assertTrue(seen.add(view.id()), "seen twice: " + view.id()));
            assertEquals(n - n / 3, seen.size());
            assertTrue(matches(store.get(id(3)).orElseThrow(), 3, 1));
        }
    }

    @Test
    void namedStateIsKeptBesideEntries()
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            store.put("transitions", SparseVector.of(new int[] {1}, new float[] {1}));
            store.putState("transitions", new byte[] {1, 2, 3});
            store.putState("encoder", new byte[0]);
            store.snapshot();
            store.putState("transitions", new byte[] {4});
            assertTrue(store.deleteState("encoder"));
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertArrayEquals(new byte[] {4}, store.getState("transitions").orElseThrow());
            assertTrue(store.getState("encoder").isEmpty());
            assertEquals(List.of("transitions"), store.stateNames());
            assertEquals(1, store.stateCount());
            assertEquals(1, store.size());
            assertTrue(store.contains("transitions"));
        }
    }

    @Test
    void manyEntriesSplitTheIndexAndRollSegments()
    {
        final int n = 40_000;
        final Map<Integer, Integer> versions = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < n; i++)
            {
                put(store, i, 0);
                if (i % 10_000 == 0)
                {
                    store.snapshot();
                }
            }
            for (int i = 0; i < n; i += 7)
            {
                put(store, i, 2);
                versions.put(i, 2);
            }
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            assertEquals(n, store.size());
            for (int i = 0; i < n; i++)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, versions.getOrDefault(i, 0)), id(i));
            }
            final long[] count = {0};
            store.forEach(view -> count[0]++);
            assertEquals(n, count[0]);
        }
    }

    @Test
    void snapshotInfoAndListing()
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            put(store, 1, 0);
            final SnapshotInfo a = store.snapshot(Map.of("k", "v"));
            put(store, 2, 0);
            final SnapshotInfo b = store.snapshot();
            assertTrue(b.generation() > a.generation());
            assertEquals(1, a.entryCount());
            assertEquals(2, b.entryCount());
            assertEquals(Map.of("k", "v"), a.labels());
            assertEquals(b.lastSequence(), a.lastSequence() + 1);
            assertTrue(a.bytesFlushed() > 0);
            for (int i = 0; i < 5; i++)
            {
                store.snapshot();
            }
            final List<SnapshotInfo> listed = store.snapshots();
            assertEquals(StoreOptions.DEFAULT_RETAINED_SNAPSHOTS, listed.size());
            assertTrue(listed.get(0).generation() > listed.get(1).generation());
        }
    }

    @Test
    void readOnlyOpensARetainedGenerationWhileTheWriterRuns()
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            put(store, 1, 0);
            final SnapshotInfo first = store.snapshot();
            put(store, 1, 1);
            put(store, 2, 0);
            store.snapshot();
            put(store, 3, 0);

            try (MemoryStore old = MemoryStore.open(dir,
                StoreOptions.builder().backgroundCompaction(false)
                    .readOnly(true).generation(first.generation()).build()))
            {
                assertEquals(1, old.size());
                assertTrue(matches(old.get(id(1)).orElseThrow(), 1, 0));
                assertTrue(old.get(id(2)).isEmpty());
                assertThrows(ReadOnlyStoreException.class, () -> put(old, 9, 0));
            }
            try (MemoryStore newest = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
                .readOnly(true).build()))
            {
                assertEquals(2, newest.size());
                assertTrue(newest.get(id(3)).isEmpty(), "read-only sees the snapshot, not the unsnapshotted tail");
            }
        }
    }

    @Test
    void forEachInIdOrderVisitsEveryEntryByCodePoint()
    {
        final String[] ids = {"b", "a", "\uD83D\uDE00", "\uFFFD", "aa", "Z", "ä"};
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (final String id : ids)
            {
                store.put(id, SparseVector.of(new int[] {1}, new float[] {1}));
            }
            store.putState("state-is-not-an-entry", new byte[1]);
            final java.util.List<String> seen = new java.util.ArrayList<>();
            store.forEachInIdOrder(view -> seen.add(view.id()));
            final java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of(ids));
            expected.sort((x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(expected, seen);
            assertEquals("\uD83D\uDE00", seen.get(seen.size() - 1), "code point order, not UTF-16 order");
        }
    }

    /**
     * A snapshot commits into a slot of manifests.mss, the one a snapshot that retention dropped held (three retained:
     * four slots, the file never grows), and creates, renames and deletes no file; every retained snapshot still
     * opens. With two retained, the commits take the four slots in turn.
     */
    @Test
    void aSnapshotIsCommittedIntoTheSlotOfOneRetentionDropped(@TempDir final Path two) throws java.io.IOException
    {
        final Path slots = dir.resolve(ManifestSlotsDescriptor.FILE_NAME);
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < 3; i++)
            {
                put(store, i, 0);
                store.snapshot();
            }
            final java.util.List<SnapshotInfo> before = store.snapshots();
            assertEquals(3, before.size());
            final long length = java.nio.file.Files.size(slots);
            final java.util.List<Path> files = StoreFiles.list(dir);
            final java.util.Set<Integer> kept = new java.util.HashSet<>();
            for (final SnapshotInfo info : before)
            {
                kept.add(Manifests.slotOf(dir, info.generation()));
            }
            for (int i = 3; i < 10; i++)
            {
                put(store, i, 0);
                final SnapshotInfo next = store.snapshot();
                assertFalse(kept.contains(Manifests.slotOf(dir, next.generation())), "wrote over a kept snapshot");
                kept.clear();
                for (final SnapshotInfo info : store.snapshots())
                {
                    kept.add(Manifests.slotOf(dir, info.generation()));
                }
            }
            assertEquals(length, java.nio.file.Files.size(slots));
            assertEquals(files, StoreFiles.list(dir), "no file created or deleted");
            assertEquals(3, store.snapshots().size());
            for (final SnapshotInfo info : store.snapshots())
            {
                try (MemoryStore old = MemoryStore.open(dir,
                    StoreOptions.builder().backgroundCompaction(false)
                        .readOnly(true).generation(info.generation()).build()))
                {
                    assertEquals(info.entryCount(), old.size());
                }
            }
        }
        try (MemoryStore store = MemoryStore.open(two, StoreOptions.builder().backgroundCompaction(false)
            .dimension(DIMENSION).retainedSnapshots(2).build()))
        {
            final java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int i = 0; i < 6; i++)
            {
                put(store, i, 0);
                used.add(Manifests.slotOf(two, store.snapshot().generation()));
            }
            assertEquals(ManifestSlotsDescriptor.INITIAL_SLOTS, used.size(), "every slot, in turn");
            assertEquals(ManifestSlotsDescriptor.slotOffset(ManifestSlotsDescriptor.INITIAL_SLOTS),
                java.nio.file.Files.size(two.resolve(ManifestSlotsDescriptor.FILE_NAME)), "never grown");
            assertEquals(2, store.snapshots().size());
        }
    }

    /**
     * Readers open the newest snapshot while the writer commits back to back, rewriting the slot of a snapshot
     * retention dropped each time. Every open must succeed, with a snapshot's full state. (In one JVM the readers are too quick to hit
     * the window where every manifest they listed was retired; the end-to-end CliContractIT, whose reader is a new
     * process, hit it before ManifestStore.read and the relisting in StoreOpener handled it.)
     */
    @Test
    void readOnlyOpensSucceedWhileSnapshotsRewriteSlots() throws Exception
    {
        try (MemoryStore store = MemoryStore.open(dir, options()))
        {
            for (int i = 0; i < 100; i++)
            {
                put(store, i, 0);
            }
            store.snapshot();
            final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
            final Thread snapshotter = new Thread(() ->
            {
                try
                {
                    for (long n = 0; !stop.get(); n++)
                    {
                        if (n % 16 == 0)
                        {
                            put(store, n % 100, 1 + n);
                        }
                        store.snapshot(); // mostly commits alone: a few while a reader opens
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            snapshotter.start();
            try
            {
                for (int i = 0; i < 400; i++)
                {
                    try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
                        .readOnly(true).build()))
                    {
                        assertEquals(100, reader.size());
                    }
                }
            }
            finally
            {
                stop.set(true);
                snapshotter.join();
            }
            assertNull(failure.get());
        }
    }

    @Test
    void retentionHoldsAcrossReopenAndAMissingGenerationIsTyped() throws java.io.IOException
    {
        for (int round = 0; round < 3; round++)
        {
            try (MemoryStore store = MemoryStore.open(dir, options()))
            {
                for (int i = 0; i < 4; i++)
                {
                    put(store, round * 10 + i, 0);
                    store.snapshot();
                }
            }
            assertEquals(StoreOptions.DEFAULT_RETAINED_SNAPSHOTS, Manifests.onDisk(dir).size(), "round " + round);
        }
        final NoSuchSnapshotException ex = assertThrows(NoSuchSnapshotException.class, () -> MemoryStore.open(dir,
            StoreOptions.builder().backgroundCompaction(false).readOnly(true).generation(1).build()));
        assertTrue(ex.getMessage().contains("generation 1 is not retained"), ex.getMessage());
    }
}
