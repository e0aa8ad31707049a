package io.memsnap.internal.index;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two placements of keys in the index: the low bits of the hash, and the spread placement, whose positions
 * follow {@code 2^h - 1} closely, never go backwards, and keep the index's bytes per entry nearly constant across a
 * doubling of the entries where the low bits swing.
 */
class IndexPlacementTest
{
    @TempDir
    Path dir;

    @Test
    void theLowBitsPlacementIsTheHashsLow32Bits()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++)
        {
            final long hash = random.nextLong();
            assertEquals((int)hash, IndexPlacement.position(IndexPlacement.LOW_BITS, hash));
        }
    }

    @Test
    void theSpreadPlacementFollowsTwoToTheHMinusOneAndNeverGoesBack()
    {
        assertEquals(0, IndexPlacement.spread(0));
        final double scale = 0x1.0p32;
        long previous = -1;
        for (long h = 0; h < 1L << 32; h += 4093)
        {
            final long g = IndexPlacement.spread(h);
            assertTrue(g >= previous, "non-decreasing at " + h);
            assertTrue(g < 1L << 32, "in 32 bits at " + h);
            final double exact = (Math.pow(2.0, h / scale) - 1.0) * scale;
            assertEquals(exact, g, scale * 2e-6, "2^h - 1 at " + h);
            previous = g;
        }
        assertTrue(IndexPlacement.spread((1L << 32) - 1) < 1L << 32);
        // The position is the bit reversal of g of the hash's high 32 bits: its low bits are g's high bits.
        final long hash = 0xC000_0000_1234_5678L;
        assertEquals(Integer.reverse((int)IndexPlacement.spread(0xC000_0000L)),
            IndexPlacement.position(IndexPlacement.SPREAD, hash));
        assertTrue(IndexPlacement.isKnown(IndexPlacement.LOW_BITS) && IndexPlacement.isKnown(IndexPlacement.SPREAD));
        assertFalse(IndexPlacement.isKnown(0) || IndexPlacement.isKnown(4));
    }

    /**
     * Over a doubling of the entries, the low bits placement's bytes per entry swing with the mean fill of its
     * buckets (they all split at about the same count), while the spread placement's stay near 4096 / (255 ln 2).
     */
    @Test
    void theSpreadPlacementKeepsTheBytesPerEntryNearlyConstantAcrossADoubling() throws IOException
    {
        final int[] sizes = {130_000, 160_000, 200_000, 260_000};
        final double[] low = new double[sizes.length];
        final double[] spread = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++)
        {
            low[i] = bytesPerEntry(IndexPlacement.LOW_BITS, sizes[i]);
            spread[i] = bytesPerEntry(IndexPlacement.SPREAD, sizes[i]);
        }
        final double ideal = IndexPageDescriptor.PAGE_SIZE / (IndexPageDescriptor.BUCKET_SLOTS * Math.log(2));
        for (int i = 0; i < sizes.length; i++)
        {
            assertEquals(ideal, spread[i], 1.2, "spread at " + sizes[i] + " entries: " + spread[i]);
        }
        assertTrue(range(spread) * 3 < range(low), "spread swings " + range(spread) + " bytes an entry, the low " +
            "bits " + range(low));
    }

    /**
     * Probing within the bucket (placement 3) changes where a key sits in its bucket, not which bucket or when a
     * bucket is full: with puts only, its index has exactly the pages of the spread placement's.
     */
    @Test
    void probingKeepsTheSpreadPlacementsPages() throws IOException
    {
        for (final int n : new int[] {130_000, 200_000})
        {
            assertEquals(bytesPerEntry(IndexPlacement.SPREAD, n), bytesPerEntry(IndexPlacement.SPREAD_PROBED, n),
                "at " + n + " entries");
        }
    }

    private double bytesPerEntry(final int placement, final int n) throws IOException
    {
        final Path d = Files.createTempDirectory(dir, "p" + placement);
        final IndexFile file = IndexFile.create(StoreFileSystem.real(), d);
        try
        {
            final HashIndex index = HashIndex.create(file, placement);
            for (int i = 0; i < n; i++)
            {
                final long hash = HashIndexTest.hash(i);
                index.putAt(index.prepare(hash), -1, hash, IndexPageDescriptor.address(1, 64 + i));
            }
            final int pages = ReachablePages.of(file, index.rootPage(), file.nextPage(), Integer.MAX_VALUE).length;
            return (double)pages * IndexPageDescriptor.PAGE_SIZE / n;
        }
        finally
        {
            file.unmapAll();
        }
    }

    private static double range(final double[] values)
    {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (final double v : values)
        {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }
}
