package io.memsnap.bench;

import io.memsnap.SparseVector;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A bulk load, timed whole: a new, empty store takes entries of {@link Embeddings} in batches of {@value #BATCH}
 * ({@link Engine#putAll}: memsnap's {@code WriteBatch}, a put each for the others) until memsnap's records of them take
 * {@link DiskFloorBenchmark#SEQUENTIAL_BYTES} (64 MiB: the bytes of the floor's sequential write), then makes them
 * durable ({@link Engine#sync}: memsnap's {@code sync()}; Chronicle Map's file forced). So 64 MiB over the load's time
 * is the load's bandwidth in memsnap's bytes, to set beside the disk's sequential bandwidth ({@link
 * DiskFloorBenchmark#sequentialWrite64m}) measured in the same run. The entries are generated before the load; each
 * iteration loads into a new store (deleted after it). The entries and their bytes are written to {@link Aux}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Threads(1)
public class BulkLoadBenchmark
{
    /** Entries a batch. */
    public static final int BATCH = 10_000;
    /** A record's header in memsnap's log, and its alignment (see docs/format.md, "Records"). */
    private static final int RECORD_HEADER = 40;
    private static final int RECORD_ALIGNMENT = 8;

    @Param({"memsnap"})
    public String engine;

    /** The vectors: {@code nnz30} (about 300 bytes a record) or {@code corpus} (about 3 KB); see VectorShape. */
    @Param({"nnz30", "corpus"})
    public String vectors;

    private String[] ids;
    private SparseVector[] data;
    private float[] importance;
    private long[] storedAt;
    private byte[][] metadata;
    private int count;
    private Engine store;
    private Path dir;

    /**
     * The entries of a load: those of {@link Embeddings} of {@code shape}, from 0 on, until memsnap's records of them
     * take {@link DiskFloorBenchmark#SEQUENTIAL_BYTES}. Not thread safe; its arrays are shared, not copied.
     */
    static final class Entries
    {
        String[] ids = new String[1024];
        SparseVector[] vectors = new SparseVector[1024];
        float[] importance = new float[1024];
        long[] storedAt = new long[1024];
        byte[][] metadata = new byte[1024][];
        int count;
        long bytes;

        static Entries of(final VectorShape shape)
        {
            final Embeddings e = Embeddings.shared(Embeddings.SEED);
            final Entries entries = new Entries();
            while (entries.bytes < DiskFloorBenchmark.SEQUENTIAL_BYTES)
            {
                entries.add(Embeddings.id(entries.count), e.vector(entries.count, shape), e.importance(entries.count),
                    Embeddings.storedAt(entries.count), Embeddings.metadata(entries.count));
            }
            return entries;
        }

        private void add(final String id, final SparseVector vector, final float importance, final long storedAt,
            final byte[] metadata)
        {
            if (count == ids.length)
            {
                final int capacity = count * 2;
                ids = java.util.Arrays.copyOf(ids, capacity);
                vectors = java.util.Arrays.copyOf(vectors, capacity);
                this.importance = java.util.Arrays.copyOf(this.importance, capacity);
                this.storedAt = java.util.Arrays.copyOf(this.storedAt, capacity);
                this.metadata = java.util.Arrays.copyOf(this.metadata, capacity);
            }
            ids[count] = id;
            vectors[count] = vector;
            this.importance[count] = importance;
            this.storedAt[count] = storedAt;
            this.metadata[count] = metadata;
            bytes += recordBytes(id, vector, metadata);
            count++;
        }
    }

    @Setup(Level.Trial)
    public void generate()
    {
        final Entries entries = Entries.of(VectorShape.of(vectors));
        ids = entries.ids;
        data = entries.vectors;
        importance = entries.importance;
        storedAt = entries.storedAt;
        metadata = entries.metadata;
        count = entries.count;
        Aux.record("BulkLoadBenchmark.load", Map.of("engine", engine, "vectors", vectors),
            Map.of("entries", (double)count, "recordBytes", (double)entries.bytes));
        System.out.printf("%n%s: %,d entries of %s, %,d bytes of memsnap records%n", engine, count, vectors,
            entries.bytes);
    }

    /** @return the bytes memsnap's log takes for the entry, alignment included. */
    static long recordBytes(final String id, final SparseVector vector, final byte[] metadata)
    {
        final long length = RECORD_HEADER + 8L * vector.nnz() + id.getBytes(StandardCharsets.UTF_8).length +
            metadata.length;
        return (length + RECORD_ALIGNMENT - 1) & -RECORD_ALIGNMENT;
    }

    @Setup(Level.Iteration)
    public void open()
    {
        dir = BenchDirs.resolve("bulk-load/" + engine + "-" + vectors);
        BenchDirs.deleteTree(dir);
        store = Engines.open(engine, dir, count, VectorShape.of(vectors), false);
    }

    @TearDown(Level.Iteration)
    public void close()
    {
        store.close();
        BenchDirs.deleteTree(dir);
    }

    @Benchmark
    public void load()
    {
        for (int from = 0; from < count; from += BATCH)
        {
            store.putAll(ids, data, importance, storedAt, metadata, from, Math.min(count, from + BATCH));
        }
        store.sync();
    }
}
