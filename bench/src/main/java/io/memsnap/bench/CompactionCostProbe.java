package io.memsnap.bench;

import io.memsnap.CompactionResult;
import io.memsnap.Durability;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A diagnostic run, not a JMH benchmark: the CPU one record copied by compaction costs. A new store with background
 * compaction off ({@code BUFFERED}) takes {@code entries} entries of the vector shape, then, each round, overwrites
 * half as many uniformly chosen ones, snapshots, and compacts on demand ({@link MemoryStore#compact()}, in the calling
 * thread, every segment below the live fraction), timed with the thread's CPU clock. The records copied are the same
 * from run to run (seeded), so two builds compare by their CPU time a record.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.CompactionCostProbe 1000000 3 nnz30</pre>
 *
 * <p>Prints a line a round: records copied, segments compacted, CPU and wall time a record.
 */
public final class CompactionCostProbe
{
    private static final int POOL = 1024;

    private CompactionCostProbe()
    {
    }

    public static void main(final String[] args)
    {
        final int entries = Integer.parseInt(args[0]);
        final int rounds = Integer.parseInt(args[1]);
        final VectorShape shape = VectorShape.of(args.length > 2 ? args[2] : "nnz30");
        final Embeddings data = Embeddings.shared(Embeddings.SEED);
        final SparseVector[] pool = new SparseVector[POOL];
        for (int i = 0; i < POOL; i++)
        {
            pool[i] = data.vector((1L << 40) + i, shape);
        }
        final byte[] metadata = Embeddings.metadata(1);
        final Path dir = BenchDirs.resolve("compaction-cost");
        BenchDirs.deleteTree(dir);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .durability(Durability.BUFFERED).dimension(Corpus.DIMENSION).build()))
        {
            for (int i = 0; i < entries; i++)
            {
                store.put(Embeddings.id(i), pool[i & (POOL - 1)], 0.5f, Embeddings.storedAt(i), metadata);
            }
            final SplittableRandom random = new SplittableRandom(Embeddings.SEED);
            for (int round = 0; round < rounds; round++)
            {
                for (int i = 0; i < entries / 2; i++)
                {
                    store.put(Embeddings.id(random.nextInt(entries)), pool[i & (POOL - 1)], 0.5f,
                        Embeddings.storedAt(i), metadata);
                }
                store.snapshot();
                final long cpu = threads.getCurrentThreadCpuTime();
                final long wall = System.nanoTime();
                final CompactionResult result = store.compact();
                final double records = Math.max(1, result.recordsCopied());
                System.out.printf("round %d: %,d records copied from %d segments, cpu %.0f ns/record, wall %.0f " +
                    "ns/record%n", round, result.recordsCopied(), result.segmentsCompacted(),
                    (threads.getCurrentThreadCpuTime() - cpu) / records, (System.nanoTime() - wall) / records);
                store.snapshot();
            }
        }
        finally
        {
            BenchDirs.deleteTree(dir);
        }
    }
}
