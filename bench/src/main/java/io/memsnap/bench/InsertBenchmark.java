package io.memsnap.bench;

import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of one thread putting new ids (operations a second), what a memory service mostly does: each iteration
 * starts a new, empty store (sized up front for {@link #capacity} entries by the engines that size their files) and
 * puts entries under ids it has not seen, {@code mem-} and ten digits made by the call, with the vectors of
 * {@link Updates}' pool. Beside {@link ThroughputBenchmark#put}, whose puts overwrite existing entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class InsertBenchmark
{
    @Param({"memsnap"})
    public String engine;

    /** The vectors: {@code nnz30} (about 300 bytes a record) or {@code corpus} (about 3 KB); see VectorShape. */
    @Param({"nnz30", "corpus"})
    public String vectors;

    private Updates updates;
    private Engine store;
    private Path dir;
    private long next;

    @Setup(Level.Trial)
    public void pool()
    {
        updates = new Updates(1, 301, VectorShape.of(vectors)); // its ids are not used
    }

    @Setup(Level.Iteration)
    public void open()
    {
        dir = BenchDirs.resolve("insert/" + engine + "-" + vectors);
        BenchDirs.deleteTree(dir);
        store = Engines.open(engine, dir, capacity(vectors), VectorShape.of(vectors), false);
        next = 0;
    }

    /** @return the entries a store is sized for: more than one iteration puts on this machine. */
    static long capacity(final String vectors)
    {
        return VectorShape.CORPUS.equals(vectors) ? 1_000_000 : 4_000_000;
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        store.close();
        BenchDirs.deleteTree(dir);
    }

    @Benchmark
    public void insert()
    {
        updates.insertNext(store, next++);
    }
}
