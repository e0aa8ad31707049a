package io.memsnap.bench;

import io.memsnap.Durability;
import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * A diagnostic run, not a JMH benchmark: where the time of a bulk load goes. Each load opens a new store, writes
 * the records of {@link BulkLoadBenchmark} (about 64 MiB of memsnap's records, of 30 non-zeros or of the corpus's
 * shape) in batches of 10,000, then calls {@code sync()} ({@code -Dmemsnap.bench.preallocate=true}: into preallocated
 * segments; {@code -Dmemsnap.bench.writeback=BYTES}: the store's {@code writebackBytes}); it prints the wall time
 * and the loading thread's CPU of the writes and of the final sync apart, the slowest batch and the segments the
 * store has. The first loads are the JIT's warm-up.
 *
 * <pre>java -Dmemsnap.bench.dir=DIR -cp bench/target/benchmarks.jar io.memsnap.bench.BulkLoadProbe
 *     [ON_SYNC|BUFFERED] [loads] [nnz30|corpus]</pre>
 */
public final class BulkLoadProbe
{
    private static final int BATCH = 10_000;

    private BulkLoadProbe()
    {
    }

    public static void main(final String[] args)
    {
        final Durability durability = Durability.valueOf(args.length > 0 ? args[0] : "BUFFERED");
        final int loads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        final VectorShape shape = VectorShape.of(args.length > 2 ? args[2] : "nnz30");
        final BulkLoadBenchmark.Entries entries = BulkLoadBenchmark.Entries.of(shape);
        final int count = entries.count;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final WriteBatch batch = new WriteBatch();
        final Path dir = BenchDirs.resolve("bulk-load-probe");
        System.out.printf("%,d entries of %s, %,d bytes of records, %s%n", count, shape.name(), entries.bytes,
            durability);
        for (int load = 0; load < loads; load++)
        {
            BenchDirs.deleteTree(dir);
            try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(Corpus.DIMENSION)
                .durability(durability).preallocate(Boolean.getBoolean("memsnap.bench.preallocate"))
                .writebackBytes(Integer.getInteger("memsnap.bench.writeback", StoreOptions.DEFAULT_WRITEBACK_BYTES))
                .build()))
            {
                final long cpu0 = threads.getCurrentThreadCpuTime();
                final long t0 = System.nanoTime();
                long slowest = 0;
                for (int from = 0; from < count; from += BATCH)
                {
                    final long b0 = System.nanoTime();
                    batch.clear();
                    for (int i = from; i < Math.min(count, from + BATCH); i++)
                    {
                        batch.put(entries.ids[i], entries.vectors[i], entries.importance[i], entries.storedAt[i],
                            entries.metadata[i]);
                    }
                    store.write(batch);
                    slowest = Math.max(slowest, System.nanoTime() - b0);
                }
                final long t1 = System.nanoTime();
                final long cpu1 = threads.getCurrentThreadCpuTime();
                store.sync();
                final long t2 = System.nanoTime();
                final long cpu2 = threads.getCurrentThreadCpuTime();
                System.out.printf("load %d: writes %.1f ms (thread CPU %.1f ms, slowest batch %.1f ms), sync %.1f ms " +
                    "(thread CPU %.1f ms), total %.1f ms, %d segments%n", load, (t1 - t0) / 1e6, (cpu1 - cpu0) / 1e6,
                    slowest / 1e6, (t2 - t1) / 1e6, (cpu2 - cpu1) / 1e6, (t2 - t0) / 1e6, store.stats().segmentCount());
            }
        }
        BenchDirs.deleteTree(dir);
    }
}
