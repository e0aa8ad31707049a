package io.memsnap.bench;

import io.memsnap.SparseVector;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.memory.SparseDot;
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

import java.util.concurrent.TimeUnit;

/**
 * The two loops of a sparse dot product over vectors in off-heap memory, on the benchmarks' own vectors: {@code
 * merged} merges the sorted index lists ({@code MemoryRegion.sparseDot} with the query's arrays, what {@code
 * EntryView.dot} runs for a query of more than {@link SparseDot#MAX_COUNT} non-zeros), {@code tabled} tables the query
 * and looks each stored index up ({@link SparseDot}, what it runs otherwise), the table filled and emptied each call
 * as {@code EntryView.dot} does. {@value #POOL} vectors of {@link Embeddings} of the shape, one after the other, each
 * against the same query (another vector of the shape: 30 non-zeros, or 174 for the corpus's shape); the two loops'
 * sums are checked equal, bit for bit, for every vector before the runs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DotBenchmark
{
    private static final int POOL = 4096;

    /** The vectors: {@code nnz30} or {@code corpus}; see VectorShape. */
    @Param({"nnz30", "corpus"})
    public String vectors;

    private final int[] offsets = new int[POOL];
    private final int[] nnz = new int[POOL];
    private final SparseDot dot = new SparseDot();
    private MemoryRegion region;
    private int[] queryIndices;
    private float[] queryValues;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        final Embeddings e = Embeddings.shared(Embeddings.SEED);
        final VectorShape shape = VectorShape.of(vectors);
        final SparseVector[] stored = new SparseVector[POOL];
        int bytes = 0;
        for (int i = 0; i < POOL; i++)
        {
            stored[i] = e.vector(i, shape);
            offsets[i] = bytes;
            nnz[i] = stored[i].nnz();
            bytes += 8 * nnz[i];
        }
        region = MemoryRegion.allocate(bytes);
        for (int i = 0; i < POOL; i++)
        {
            region.putInts(offsets[i], stored[i].indices(), 0, nnz[i]);
            region.putFloats(offsets[i] + 4 * nnz[i], stored[i].values(), 0, nnz[i]);
        }
        final SparseVector query = e.vector(POOL + 17, shape);
        queryIndices = query.indices();
        queryValues = query.values();
        for (int r = 0; r < POOL; r++)
        {
            final double m = merged(r);
            final double t = tabled(r);
            if (Double.doubleToRawLongBits(m) != Double.doubleToRawLongBits(t))
            {
                throw new IllegalStateException("vector " + r + ": merged " + m + ", tabled " + t);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        region.close();
    }

    private double merged(final int r)
    {
        return region.sparseDot(offsets[r], offsets[r] + 4 * nnz[r], nnz[r], queryIndices, queryValues);
    }

    private double tabled(final int r)
    {
        if (!dot.fill(queryIndices, queryValues, queryIndices.length))
        {
            throw new IllegalStateException("a query of " + queryIndices.length + " non-zeros is not tabled");
        }
        try
        {
            return region.sparseDot(offsets[r], offsets[r] + 4 * nnz[r], nnz[r], dot);
        }
        finally
        {
            dot.clear();
        }
    }

    @Benchmark
    public double merged()
    {
        return merged(next++ & (POOL - 1));
    }

    @Benchmark
    public double tabled()
    {
        return tabled(next++ & (POOL - 1));
    }
}
