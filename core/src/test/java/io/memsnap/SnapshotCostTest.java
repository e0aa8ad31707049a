package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A snapshot costs what changed since the previous one, not the size of the store: the bytes it flushes after the
 * same 1,000 changes are the same for a small and a 20 times larger store, and are exactly the records written
 * (and the PAD record that ends them on a page boundary). The sizes are chosen so that the changes fit the tail
 * segment of either store (segments grow, so where one ends depends on what the store holds): a roll would end the
 * flushed range of the old segment where its last record fits and move the padding.
 * (How long that takes is measured by the JMH benchmarks, not asserted here.)
 */
class SnapshotCostTest
{
    private static final int CHANGES = 1000;
    private static final int SMALL = 20_000;

    @TempDir
    Path small;
    @TempDir
    Path large;

    @Test
    void bytesFlushedAfterTheSameChangesDoNotDependOnStoreSize()
    {
        final long smallBytes = flushedAfterChanges(small, SMALL);
        final long largeBytes = flushedAfterChanges(large, 20 * SMALL);
        assertEquals(smallBytes, largeBytes, "the same changes must flush the same bytes at any store size");
    }

    private static long flushedAfterChanges(final Path dir, final int size)
    {
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).segmentSize(16 << 20).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < size; i++)
            {
                store.put(id(i), SparseVector.of(new int[] {i % DIMENSION}, new float[] {1f}));
            }
            store.checkpoint();
            final SnapshotInfo before = store.snapshot();
            final SplittableRandom random = new SplittableRandom(42);
            long recordBytes = 0;
            for (int c = 0; c < CHANGES; c++)
            {
                final int n = random.nextInt(SMALL); // the same ids in both stores: the same records
                final String id = id(n);
                final SparseVector v = vector(c, 1);
                store.put(id, v, 0.5f, c, metadata(c, 1));
                recordBytes += align8(40 + 8L * v.nnz() + id.length() + metadata(c, 1).length);
            }
            final SnapshotInfo info = store.snapshot();
            assertEquals(tailSegment(dir, before.generation()), tailSegment(dir, info.generation()),
                "the changes must fit the tail segment of a store of " + size + " entries");
            // The previous snapshot left the tail on a page boundary; this one ends the records with a PAD to the
            // next boundary (a whole page more when less than a PAD's header is left).
            final long padding = padTo4k(recordBytes);
            assertTrue(padding >= 40 && padding < 4096 + 40, "padding " + padding);
            assertEquals(recordBytes + padding, info.bytesFlushed(),
                "a snapshot flushes exactly the records written since the last, and the PAD that ends them");
            return info.bytesFlushed();
        }
    }

    /**
     * A flush of less than 16 KiB is not padded: a sync after each small put rewrites the tail page rather than
     * growing the log by a page each time. A large flush is padded to a page boundary.
     */
    @Test
    void onlyFlushesOfAtLeast16KiBArePadded(@TempDir final Path dir)
    {
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).segmentSize(16 << 20).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            long records = 0;
            for (int i = 0; i < 200; i++)
            {
                final SparseVector v = vector(i, 1);
                store.put(id(i), v, 0.5f, i, metadata(i, 1));
                records += align8(40 + 8L * v.nnz() + id(i).length() + metadata(i, 1).length);
                store.sync();
            }
            // The snapshot flushes everything since the previous snapshot (69 KB here) and pads that once.
            final SnapshotInfo small = store.snapshot();
            final long tailBefore = tail(dir, small.generation());
            assertTrue(tailBefore < 64 + records + 4096 + 40, "200 small syncs grew the log by " + tailBefore +
                " bytes for " + records + " bytes of records");
            long more = 0;
            for (int i = 0; i < 200; i++)
            {
                final SparseVector v = vector(i, 40);
                store.put(id(i), v, 0.5f, i, metadata(i, 1));
                more += align8(40 + 8L * v.nnz() + id(i).length() + metadata(i, 1).length);
            }
            assertTrue(more >= 16 * 1024);
            final SnapshotInfo large = store.snapshot();
            assertEquals(0, tail(dir, large.generation()) % 4096, "a large flush ends on a page boundary");
        }
    }

    private static int tailSegment(final Path dir, final long generation)
    {
        return manifest(dir, generation).tailSegment;
    }

    private static long tail(final Path dir, final long generation)
    {
        return manifest(dir, generation).tailOffset;
    }

    private static io.memsnap.internal.snapshot.Manifest manifest(final Path dir, final long generation)
    {
        try
        {
            return new io.memsnap.internal.snapshot.ManifestStore(io.memsnap.internal.fs.StoreFileSystem.real(), dir)
                .read(generation);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static long padTo4k(final long bytes)
    {
        final long gap = -bytes & 4095;
        return gap < 40 ? gap + 4096 : gap;
    }

    private static long align8(final long n)
    {
        return (n + 7) & -8L;
    }
}
