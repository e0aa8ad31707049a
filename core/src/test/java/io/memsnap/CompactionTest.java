package io.memsnap;

import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction on demand and in the background: what it copies, what it deletes and when, the live-bytes accounting
 * against a recount from scratch, and the space a store of steady random overwrites takes.
 */
class CompactionTest
{
    private static final int SEGMENT_SIZE = 256 * 1024;

    @TempDir
    Path dir;

    private StoreOptions options(final boolean background)
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(SEGMENT_SIZE)
            .backgroundCompaction(background).build();
    }

    @Test
    void compactionCopiesLiveRecordsAndDeletesFilesOnceNoSnapshotNeedsThem() throws IOException
    {
        final Map<Long, Long> versions = new HashMap<>();
        final Random random = new Random(1);
        try (MemoryStore store = MemoryStore.open(dir, options(false)))
        {
            for (long n = 0; n < 1000; n++)
            {
                TestEntries.put(store, n, 0);
                versions.put(n, 0L);
            }
            for (int i = 0; i < 20_000; i++)
            {
                final long n = random.nextInt(1000);
                final long v = versions.get(n) + 1;
                TestEntries.put(store, n, v);
                versions.put(n, v);
            }
            store.snapshot();
            final Set<Integer> before = segmentIds();
            final CompactionResult result = store.compact();
            assertTrue(result.segmentsCompacted() > 0, result.toString());
            assertTrue(result.bytesCopied() > 0, result.toString());
            assertEquals(0, result.bytesFreed(), "the retained snapshots still need every compacted segment");
            assertTrue(result.bytesAwaitingDeletion() > 0, result.toString());
            assertTrue(segmentIds().containsAll(before), "nothing deleted while retained snapshots need it");
            check(store, versions);
            for (int i = 0; i < StoreOptions.DEFAULT_RETAINED_SNAPSHOTS; i++)
            {
                store.snapshot();
            }
            final Set<Integer> after = segmentIds();
            assertTrue(after.size() < before.size() - result.segmentsCompacted() / 2, before + " -> " + after);
            check(store, versions);
            assertAccountingMatchesRecount(store);
            for (int i = 0; i < 2_000; i++) // replayed at the next open, which must count them as the writer did
            {
                final long n = random.nextInt(1000);
                final long v = versions.get(n) + 1;
                TestEntries.put(store, n, v);
                versions.put(n, v);
            }
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, options(false)))
        {
            assertTrue(store.recoveryReport().replayedRecords() >= 2_000);
            check(store, versions);
            assertAccountingMatchesRecount(store);
            assertTrue(store.verify(true).problems().isEmpty(), store.verify(true).toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options(false).toBuilder().readOnly(true).build()))
        {
            check(store, versions);
        }
    }

    @Test
    void compactionOptionsAreValidated()
    {
        final StoreOptions.Builder b = StoreOptions.builder();
        assertThrows(IllegalArgumentException.class, () -> b.compactionDeadFraction(0));
        assertThrows(IllegalArgumentException.class, () -> b.compactionDeadFraction(1));
        assertThrows(IllegalArgumentException.class, () -> b.compactionDeadFraction(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> b.compactionLiveFraction(0));
        assertThrows(IllegalArgumentException.class, () -> b.compactionLiveFraction(1.5));
        final StoreOptions defaults = b.build();
        assertTrue(defaults.backgroundCompaction());
        assertEquals(StoreOptions.DEFAULT_COMPACTION_DEAD_FRACTION, defaults.compactionDeadFraction());
        assertEquals(StoreOptions.DEFAULT_COMPACTION_LIVE_FRACTION, defaults.compactionLiveFraction());
    }

    @Test
    void aReadOnlyStoreDoesNotCompact(@TempDir final Path other)
    {
        try (MemoryStore store = MemoryStore.open(other, options(false)))
        {
            TestEntries.put(store, 1, 0);
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(other, options(true).toBuilder().readOnly(true).build()))
        {
            assertThrows(ReadOnlyStoreException.class, store::compact);
        }
    }

    /**
     * The space a store of steady random overwrites takes, with background compaction and a snapshot every
     * {@value #SNAPSHOT_EVERY} changes (the benchmark's snapshot every 1,000 changes of a million entries, scaled to
     * keep the retention window small against the store): after warm-up, measured at every snapshot, the segments
     * holding live records never take more than {@value #ACTIVE_BOUND} times the live bytes, however fast the writes
     * come (writers wait for compaction when it falls far behind), and all segment files never more than
     * {@value #BOUND} times.
     */
    @Test
    void steadyOverwritesStayWithinTheSpaceBound() throws IOException
    {
        final int entries = 20_000;
        final Random random = new Random(7);
        double worst = 0;
        double worstActive = 0;
        try (MemoryStore store = MemoryStore.open(dir, options(true)))
        {
            for (long n = 0; n < entries; n++)
            {
                TestEntries.put(store, n, 0);
            }
            for (int i = 1; i <= 300_000; i++)
            {
                final long n = random.nextInt(entries);
                TestEntries.put(store, n, i);
                if (i % SNAPSHOT_EVERY == 0)
                {
                    store.snapshot();
                    if (i >= 100_000)
                    {
                        final StoreStats space = store.stats();
                        worst = Math.max(worst, space.segmentAmplification());
                        long active = 0;
                        for (final StoreStats.SegmentFile f : space.segmentFiles())
                        {
                            active += f.liveBytes() > 0 ? f.bytes() : 0;
                        }
                        worstActive = Math.max(worstActive, (double)active / space.liveBytes());
                    }
                }
            }
        }
        assertTrue(worstActive < ACTIVE_BOUND, "segments holding live records reached " + worstActive + " times " +
            "the live bytes");
        assertTrue(worst < BOUND, "segment files reached " + worst + " times the live bytes");
    }

    /**
     * Segments that hold live records, against the live bytes: writers wait once the waste passes 15 % of the segment
     * bytes (1.5 times the 10 % trigger), so at most 1 / 0.85 plus the unwritten rest of the tail (about 4 % here).
     * Measured: 1.22 to 1.23.
     */
    private static final double ACTIVE_BOUND = 1.4;
    /**
     * Every segment file, against the live bytes: the above plus the compacted files waiting for the retained
     * snapshots that free them (writers wait for the checkpoint after each pass, not for the snapshots, which this
     * thread takes). Here a pass empties several segments at once and a retention window is 1.5 % of the store (0.3 %
     * in the benchmark), so those files reach a fifth of the store for a few snapshots. Measured: 1.46 to 1.52 beside
     * other builds.
     */
    private static final double BOUND = 1.75;
    private static final int SNAPSHOT_EVERY = 100;

    private void check(final MemoryStore store, final Map<Long, Long> versions)
    {
        assertEquals(versions.size(), store.size());
        for (final Map.Entry<Long, Long> e : versions.entrySet())
        {
            final MemoryEntry entry = store.get(TestEntries.id(e.getKey())).orElseThrow();
            assertTrue(TestEntries.matches(entry, e.getKey(), e.getValue()), "entry " + e.getKey());
        }
    }

    /** The writer's counts against a read-only open of the same snapshot, which counts them from its index. */
    static void assertAccountingMatchesRecount(final MemoryStore store)
    {
        store.snapshot();
        final StoreStats counted = store.stats();
        final StoreStats recounted;
        try (MemoryStore reader = MemoryStore.open(store.directory(), StoreOptions.builder().readOnly(true).build()))
        {
            recounted = reader.recountedStats();
        }
        assertEquals(recounted.liveBytes(), counted.liveBytes());
        final Map<String, Long> live = new HashMap<>();
        for (final StoreStats.SegmentFile f : recounted.segmentFiles())
        {
            live.put(f.name(), f.liveBytes());
        }
        for (final StoreStats.SegmentFile f : counted.segmentFiles())
        {
            assertEquals(live.getOrDefault(f.name(), 0L), f.liveBytes(), f.name());
        }
    }

    private Set<Integer> segmentIds() throws IOException
    {
        final Set<Integer> ids = new HashSet<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(StoreFiles::isStartedSegment)
                .forEach(p -> ids.add(SegmentDescriptor.parseFileName(p.getFileName().toString())));
        }
        return ids;
    }
}
