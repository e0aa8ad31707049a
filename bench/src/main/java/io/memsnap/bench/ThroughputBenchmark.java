package io.memsnap.bench;

import io.memsnap.MemoryEntry;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.RecordCodec;
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

import java.util.concurrent.TimeUnit;

/**
 * Throughput of one thread (operations a second): {@code put} overwrites a uniformly chosen existing entry with a
 * new vector, back to back; {@code get} looks up a uniformly chosen id, copies the entry out and scores it against
 * a query vector; {@code read} does the same score in place, without the copy (memsnap's {@code read} with a
 * visitor; LMDB's buffer inside a read transaction; the seeds' map holds its entries on the heap already). Chronicle
 * Map and RocksDB have no zero-copy read of a byte[] value, so they have no {@code read}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Threads(1)
public class ThroughputBenchmark
{
    @Param({"memsnap"})
    public String engine;

    @Param({"1000000"})
    public long entries;

    /** The vectors: {@code nnz30} (about 300 bytes a record) or {@code corpus} (about 3 KB); see VectorShape. */
    @Param({"nnz30", "corpus"})
    public String vectors;

    private Engine store;
    private Updates updates;
    /**
     * The ids {@code get} and {@code read} look up: a stream of its own, not the ids {@code put} overwrites. The
     * store outlives a run, so that lookups of the ids an earlier {@code put} run rewrote would find memsnap's
     * records of them side by side in the newest segments (a few thousand pages instead of one page a record),
     * while a map that overwrites in place keeps them where they were.
     */
    private Updates lookups;

    @Setup(Level.Trial)
    public void open()
    {
        store = Stores.open(engine, entries, VectorShape.of(vectors));
        updates = new Updates(entries, 300, VectorShape.of(vectors));
        lookups = new Updates(entries, 301, VectorShape.of(vectors));
    }

    @TearDown(Level.Trial)
    public void close()
    {
        store.snapshot();
        Stores.release(store, engine, entries, VectorShape.of(vectors));
    }

    @Benchmark
    public void put()
    {
        updates.putNext(store);
    }

    @Benchmark
    public double get()
    {
        final MemoryEntry entry = store.get(lookups.nextId());
        return entry == null ? Double.NaN : RecordCodec.dot(entry.vector(), updates.query());
    }

    @Benchmark
    public double read()
    {
        return store.readDot(lookups.nextId(), updates.query());
    }
}
