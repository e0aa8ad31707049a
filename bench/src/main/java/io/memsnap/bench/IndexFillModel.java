package io.memsnap.bench;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.IndexPlacement;
import io.memsnap.internal.index.ReachablePages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The bytes of index pages per entry for a number of entries, without a store: the keys' hashes put into the index
 * alone (no records, no checkpoint; the pages stay in direct memory, about 27 bytes an entry), then the pages its
 * current version reaches counted, as {@code StoreStats.indexLiveBytes} counts them. The hashes are function 1 of
 * {@link KeyHash} on ids as the benchmarks write them.
 *
 * <p>Both placements of the format ({@link IndexPlacement}): the low bits of the hash (stores created before the
 * spread placement), and the spread one that new stores use, whose density of keys halves across the directory so
 * that the buckets of one depth split at different entry counts.
 *
 * <pre>java -XX:MaxDirectMemorySize=1g -cp bench/target/benchmarks.jar io.memsnap.bench.IndexFillModel 300000 1000000
 *     10000000</pre>
 */
public final class IndexFillModel
{
    private static final long SEED = 0x1DE5_F111L;

    private IndexFillModel()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.out.println("entries,placement,buckets,mean_fill,index_bytes_per_entry");
        final Path dir = BenchDirs.resolve("index-fill");
        for (final String arg : args)
        {
            final long n = Long.parseLong(arg);
            final long seed = new SplittableRandom(SEED).nextLong();
            for (final int placement : new int[] {IndexPlacement.LOW_BITS, IndexPlacement.SPREAD})
            {
                BenchDirs.deleteTree(dir);
                java.nio.file.Files.createDirectories(dir);
                final IndexFile file = IndexFile.create(StoreFileSystem.real(), dir);
                try
                {
                    final HashIndex index = HashIndex.create(file, placement);
                    for (long i = 0; i < n; i++)
                    {
                        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_ENTRY, Embeddings.id(i));
                        index.putAt(index.prepare(hash), -1, hash, IndexPageDescriptor.address(1, (int)i));
                    }
                    final int pages = ReachablePages.of(file, index.rootPage(), file.nextPage(),
                        Integer.MAX_VALUE).length;
                    final int buckets = pages - 1 - directoryPages(file, index);
                    System.out.printf(Locale.ROOT, "%d,%s,%d,%.3f,%.2f%n", n, placement == IndexPlacement.SPREAD ? "spread" : "low-bits",
                        buckets, n / ((double)buckets * IndexPageDescriptor.BUCKET_SLOTS),
                        (double)pages * IndexPageDescriptor.PAGE_SIZE / n);
                }
                finally
                {
                    file.unmapAll();
                }
            }
        }
        BenchDirs.deleteTree(dir);
    }

    private static int directoryPages(final IndexFile file, final HashIndex index)
    {
        final int root = index.rootPage();
        return file.buffer(root).getInt(IndexFile.pageOffset(root) + IndexPageDescriptor.COUNT_OFFSET);
    }
}
