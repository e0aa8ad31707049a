package io.memsnap.bench;

import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import io.memsnap.bench.engine.SeedJsonEngine;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Open time (single shot: each iteration opens the store once, until it can serve a get) against the number of
 * entries, after a clean close that followed a snapshot (for memsnap also an index checkpoint, as its README
 * advises before a planned restart, so the open replays nothing). The files are in the page cache (they were just
 * written or read): this is the engine's own work to open, not the disk's. For the seeds' engine, opening is
 * parsing the whole JSON file back onto the heap.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class OpenBenchmark
{
    @Param({"memsnap"})
    public String engine;

    @Param({"10000", "1000000"})
    public long entries;

    private Engine store;

    @Setup(Level.Trial)
    public void prepare()
    {
        if (Engines.SEED_JSON.equals(engine))
        {
            if (!Files.exists(Stores.directory(engine, entries).resolve(SeedJsonEngine.FILE)))
            {
                final Engine built = Stores.open(engine, entries);
                built.snapshot();
                built.close();
            }
            return;
        }
        final Engine built = Stores.open(engine, entries);
        built.afterLoad();
        Stores.release(built, engine, entries);
        if (!Files.exists(Stores.directory(engine, entries)))
        {
            Stores.open(engine, entries).close();
        }
    }

    @Benchmark
    public Engine open()
    {
        close();
        store = Engines.open(engine, Stores.directory(engine, entries), entries, VectorShape.of(VectorShape.CORPUS),
            true);
        store.get(Embeddings.id(0));
        return store;
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        if (store != null)
        {
            store.close();
            store = null;
        }
    }
}
