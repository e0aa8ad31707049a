package io.memsnap.bench;

import io.memsnap.MemoryEntry;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import io.memsnap.bench.engine.RecordCodec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * A diagnostic run, not a JMH benchmark: the CPU each operation of {@link ThroughputBenchmark} costs, the writing
 * thread's and the whole process's (the engine's background threads, compaction and checkpoints, and the JVM's
 * included), beside its wall time. On a machine shared with other jobs the wall time of a run moves with their load,
 * and a thread that waits for a CPU is not measured: the CPU times are the figures to compare then.
 *
 * <p>{@code insert} puts new ids into a new, empty store (deleted after the run), as {@link InsertBenchmark} does;
 * the other operations run on the shared store of 1M entries.
 *
 * <p>Prints one line: engine, vectors, operation, count, wall ns/op, thread CPU ns/op, process CPU ns/op. Run each
 * engine in a JVM of its own, with the engines' flags of {@link Jvm} (Chronicle Map needs them):
 *
 * <pre>java --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED ... -Dchronicle.analytics.disable=true
 *     -cp bench/peers/target/benchmarks-all.jar io.memsnap.bench.CpuCostProbe chronicle-map nnz30 put 2000000</pre>
 */
public final class CpuCostProbe
{
    private static final long ENTRIES = 1_000_000;
    /** The operation that puts new ids into a new store (the others use the shared store of 1M entries). */
    private static final String INSERT = "insert";
    private static long inserted;

    private CpuCostProbe()
    {
    }

    public static void main(final String[] args)
    {
        final String engine = args[0];
        final VectorShape shape = VectorShape.of(args[1]);
        final String op = args[2];
        final long count = Long.parseLong(args[3]);
        final boolean insert = INSERT.equals(op);
        final Path fresh = BenchDirs.resolve("insert-probe/" + engine + "-" + shape);
        if (insert)
        {
            BenchDirs.deleteTree(fresh);
        }
        final Engine store = insert ? Engines.open(engine, fresh, count + count / 4, shape, false) :
            Stores.open(engine, ENTRIES, shape);
        final Updates updates = new Updates(ENTRIES, 300, shape);
        try
        {
            run(store, updates, op, count / 4); // warm-up: JIT, and the pages the operations touch
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
            final long wall = System.nanoTime();
            final long thread = threads.getCurrentThreadCpuTime();
            final long process = os.getProcessCpuTime();
            final double sink = run(store, updates, op, count);
            System.out.printf("%s %s %s %d wall %.0f thread-cpu %.0f process-cpu %.0f ns/op (%s)%n", engine, shape,
                op, count, (System.nanoTime() - wall) / (double)count,
                (threads.getCurrentThreadCpuTime() - thread) / (double)count,
                (os.getProcessCpuTime() - process) / (double)count, sink == 42.4242 ? "!" : "");
        }
        finally
        {
            if (insert)
            {
                store.close();
                BenchDirs.deleteTree(fresh);
            }
            else
            {
                Stores.release(store, engine, ENTRIES, shape);
            }
        }
    }

    private static double run(final Engine store, final Updates updates, final String op, final long count)
    {
        double sum = 0;
        for (long i = 0; i < count; i++)
        {
            switch (op)
            {
                case "put":
                    updates.putNext(store);
                    break;
                case "get":
                    final MemoryEntry e = store.get(updates.nextId());
                    sum += e == null ? 0 : RecordCodec.dot(e.vector(), updates.query());
                    break;
                case INSERT:
                    updates.insertNext(store, inserted++);
                    break;
                case "read":
                    sum += store.readDot(updates.nextId(), updates.query());
                    break;
                default:
                    throw new IllegalArgumentException("operation put, insert, get or read, not " + op);
            }
        }
        return sum;
    }
}
