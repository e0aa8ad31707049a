package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MemoryStore#write(WriteBatch)}: a batch that breaks a limit of the store writes nothing (not a byte of any
 * file changes); a batch applies its writes in order as the same single calls would, across segment rolls and write
 * buffer hand-offs, in every durability mode, and reopens the same; a reused batch allocates nothing.
 */
class WriteBatchTest
{
    private static final int SMALL_DIMENSION = 1000;

    @TempDir
    Path dir;

    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().backgroundCompaction(false).dimension(DIMENSION).segmentSize(256 * 1024)
            .writeBufferBytes(64 * 1024);
    }

    @Test
    void aBatchBreakingALimitWritesNothing()
    {
        final SparseVector ok = SparseVector.of(new int[] {1, 2}, new float[] {1f, 2f});
        final List<Consumer<WriteBatch>> bad = List.of(
            b -> b.put("far",
                SparseVector.of(new int[] {3, SMALL_DIMENSION, SMALL_DIMENSION + 5}, new float[] {1, 2, 3})),
            b -> b.put("x".repeat(45), ok),
            b -> b.put("meta", ok, 1f, 1L, new byte[StoreOptions.DEFAULT_MAX_METADATA_BYTES + 1]),
            b -> b.putState("big", new byte[1025]),
            b -> b.deleteState("s".repeat(33)),
            b -> b.put("huge", ok, 1f, 1L, new byte[60_000]).put("huger", ok, 1f, 1L, new byte[65_500]));
        final String x37 = "x".repeat(37) + "...";
        final List<String> expected = List.of(
            "write 51 of 101 of the batch ('far'): sparse vector index at position 1 is 1000, not below the store's " +
                "dimension 1000",
            "write 51 of 101 of the batch ('" + x37 + "'): id '" + x37 + "' is 45 UTF-8 bytes; at most 32 are " +
                "allowed (StoreOptions.maxIdBytes)",
            "write 51 of 101 of the batch ('meta'): metadata of 'meta' is 65537 bytes; at most 65536 are allowed",
            "write 51 of 101 of the batch ('big'): state 'big' must be non-null and at most 1024 bytes",
            "write 51 of 101 of the batch ('" + "s".repeat(33) + "'): state name '" + "s".repeat(33) + "' is 33 " +
                "UTF-8 bytes; at most 32 are allowed",
            "write 52 of 102 of the batch ('huger'): entry 'huger' needs a record of 65561 bytes but a segment holds");
        final StoreOptions limits = StoreOptions.builder().backgroundCompaction(false).dimension(SMALL_DIMENSION)
            .segmentSize(64 * 1024).maxIdBytes(32).maxStateBytes(1024).build();
        try (MemoryStore store = MemoryStore.open(dir, limits))
        {
            store.put("present", ok);
            store.snapshot();
            final long last = store.lastSequence();
            for (int k = 0; k < bad.size(); k++)
            {
                final Map<String, String> files = StoreFiles.fingerprint(dir);
                final WriteBatch batch = new WriteBatch();
                for (int i = 0; i < 50; i++)
                {
                    batch.put("ok-" + i, ok);
                }
                bad.get(k).accept(batch);
                for (int i = 50; i < 100; i++)
                {
                    batch.put("ok-" + i, ok).delete("present");
                    i++;
                }
                final InvalidEntryException ex = assertThrows(InvalidEntryException.class, () -> store.write(batch));
                assertTrue(ex.getMessage().startsWith(expected.get(k)), ex.getMessage());
                assertEquals(last, store.lastSequence(), "case " + k);
                assertEquals(1, store.size(), "case " + k);
                assertFalse(store.contains("ok-0"), "case " + k);
                assertEquals(files, StoreFiles.fingerprint(dir), "case " + k + ": a file changed");
            }
        }
    }

    @Test
    void invalidEntriesAreRefusedWhenAddedAndLeaveTheBatchAsItWas()
    {
        final WriteBatch batch = new WriteBatch().put("a", SparseVector.of(new int[] {1}, new float[] {1f}));
        final long bytes = batch.bytes();
        assertEquals("id must be a non-empty string",
            assertThrows(InvalidEntryException.class, () -> batch.put("", SparseVector.empty())).getMessage());
        assertEquals("vector of 'b' must not be null",
            assertThrows(InvalidEntryException.class, () -> batch.put("b", null)).getMessage());
        assertEquals("importance of 'b' is NaN: it must be finite", assertThrows(InvalidEntryException.class,
            () -> batch.put("b", SparseVector.empty(), Float.NaN, 1L, null)).getMessage());
        assertTrue(assertThrows(InvalidEntryException.class, () -> batch.delete("a\ud800")).getMessage()
            .contains("unpaired surrogate"));
        assertEquals("state 'c' must be non-null",
            assertThrows(InvalidEntryException.class, () -> batch.putState("c", null)).getMessage());
        assertEquals(1, batch.size());
        assertEquals(bytes, batch.bytes());
    }

    @Test
    void writesApplyInOrderAcrossRollsAndHandOffsInEveryMode()
    {
        for (final Durability mode : Durability.values())
        {
            final Path store = dir.resolve(mode.name());
            final StoreOptions o = options().durability(mode).build();
            try (MemoryStore s = MemoryStore.open(store, o))
            {
                s.put(id(7), vector(7, 0));
                s.putState("kept", new byte[] {1});
                s.putState("dropped", new byte[] {2});
                final WriteBatch batch = new WriteBatch();
                for (int n = 0; n < 3000; n++) // about 1 MB: rolls segments of 256 KiB, hands off 64 KiB at a time
                {
                    batch.put(id(n), vector(n, 1), importance(n, 1), storedAt(n, 1), metadata(n, 1));
                }
                batch.put(id(5), vector(5, 2), importance(5, 2), storedAt(5, 2), metadata(5, 2)) // later wins
                    .delete(id(6)).delete("absent").put(id(6), vector(6, 3), importance(6, 3), storedAt(6, 3),
                        metadata(6, 3))
                    .delete(id(8))
                    .putState("kept", "v2".getBytes(StandardCharsets.UTF_8)).deleteState("dropped")
                    .deleteState("never");
                final long before = s.lastSequence();
                s.write(batch);
                // Every write a record except the deletes of what was absent (two of them).
                assertEquals(before + batch.size() - 2, s.lastSequence(), mode.name());
                checkContent(s, mode.name());
                assertTrue(s.verify(true).ok(), mode.name());
            }
            try (MemoryStore s = MemoryStore.open(store, o))
            {
                checkContent(s, mode + " after reopen");
                assertTrue(s.recoveryReport().clean(), s.recoveryReport().toString());
            }
        }
    }

    private static void checkContent(final MemoryStore s, final String where)
    {
        assertEquals(2999, s.size(), where);
        for (int n = 0; n < 3000; n++)
        {
            final long version = n == 5 ? 2 : n == 6 ? 3 : 1;
            if (n == 8)
            {
                assertFalse(s.contains(id(n)), where);
                continue;
            }
            assertTrue(matches(s.get(id(n)).orElseThrow(), n, version), id(n) + " " + where);
        }
        assertEquals(List.of("kept"), s.stateNames(), where);
        assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8), s.getState("kept").orElseThrow(), where);
        assertEquals(1, s.stateCount(), where);
        final List<String> seen = new ArrayList<>();
        s.forEachInIdOrder(view -> seen.add(view.id()));
        assertEquals(2999, seen.size(), where);
    }

    /**
     * A batch writes the bytes the same single calls write, byte for byte, even when it is reused after holding
     * longer records of other bytes: what its encoders do not write (the checksum field, the padding) it zeros.
     */
    @Test
    void aReusedBatchWritesTheBytesOfTheSameSingleCalls() throws Exception
    {
        final int n = 400;
        final Path singles = dir.resolve("singles");
        final Path batched = dir.resolve("batched");
        try (MemoryStore s = MemoryStore.open(singles, options().build()))
        {
            for (int i = 0; i < n; i++)
            {
                s.put(id(i), vector(i, 1), importance(i, 1), storedAt(i, 1), new byte[i % 13]);
                if (i % 50 == 49)
                {
                    s.delete(id(i - 7));
                }
            }
        }
        final WriteBatch batch = new WriteBatch();
        final byte[] ones = new byte[300];
        java.util.Arrays.fill(ones, (byte)-1);
        for (int i = 0; i < n; i++)
        {
            batch.put("x" + id(i) + "-longer-than-the-ids-written-later", vector(i, 2), 3.0f, -1L, ones);
        }
        batch.clear();
        for (int i = 0; i < n; i++)
        {
            batch.put(id(i), vector(i, 1), importance(i, 1), storedAt(i, 1), new byte[i % 13]);
            if (i % 50 == 49)
            {
                batch.delete(id(i - 7));
            }
        }
        try (MemoryStore s = MemoryStore.open(batched, options().build()))
        {
            s.write(batch);
        }
        final String segment = "segment-0000000001.seg";
        final byte[] a = java.nio.file.Files.readAllBytes(singles.resolve(segment));
        final byte[] b = java.nio.file.Files.readAllBytes(batched.resolve(segment));
        final int from = io.memsnap.internal.format.SegmentDescriptor.HEADER_LENGTH;
        assertTrue(a.length > from + n * 40 && a.length == b.length, a.length + " and " + b.length + " bytes");
        assertArrayEquals(java.util.Arrays.copyOfRange(a, from, a.length),
            java.util.Arrays.copyOfRange(b, from, b.length));
    }

    /** A reused batch: adding the same shapes again and writing it allocate nothing on the writer's thread. */
    @Test
    void aReusedBatchAllocatesNothing()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final int n = 1000;
        final String[] ids = new String[n];
        final SparseVector[] vectors = new SparseVector[n];
        final byte[][] metadata = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            ids[i] = id(i);
            vectors[i] = vector(i, 0);
            metadata[i] = metadata(i, 0);
        }
        // Segments of the default size: a roll to a new segment allocates (a file, a mapping), a write does not.
        final StoreOptions o = StoreOptions.builder().dimension(DIMENSION).checkpointRecords(10_000_000)
            .writeBufferBytes(64 * 1024).build();
        try (MemoryStore store = MemoryStore.open(dir, o))
        {
            final WriteBatch batch = new WriteBatch();
            final long tid = Thread.currentThread().getId();
            long allocated = 0;
            for (int round = 0; round < 130; round++)
            {
                final long before = threads.getThreadAllocatedBytes(tid);
                batch.clear();
                for (int i = 0; i < n; i++)
                {
                    batch.put(ids[i], vectors[i], 0.5f, 1_700_000_000_000L, metadata[i]);
                }
                store.write(batch);
                if (round >= 30) // after the warm-up: JIT, the batch's buffers, the index's pages of these ids
                {
                    allocated += threads.getThreadAllocatedBytes(tid) - before;
                }
            }
            assertTrue(allocated < 16 * 1024, "100 batches of 1,000 puts allocated " + allocated + " bytes");
        }
    }
}
