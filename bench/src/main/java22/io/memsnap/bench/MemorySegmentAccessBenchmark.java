package io.memsnap.bench;

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

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static io.memsnap.bench.MemoryAccessLayout.*;
import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.COUNT_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.PAGE_SIZE;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_LENGTH;
import static io.memsnap.internal.format.IndexPageDescriptor.slotOffset;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link MemoryAccessBenchmark}'s operations with {@code java.lang.foreign} (final in JDK 22; this class is compiled
 * for 22 and is in the benchmarks jar only when it was built on JDK 22 or later): the region is a
 * {@link MemorySegment} of a shared {@link Arena}, a read-only mapping from
 * {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} ({@code memory = mapped}) or memory the arena
 * allocated ({@code memory = direct}); the plain loads are {@link MemorySegment#get} of aligned value layouts (bounds
 * and liveness checked at every access, which the JIT hoists out of loops it can prove), the acquire load a layout's
 * {@link VarHandle}, the copy {@link MemorySegment#copy(MemorySegment, java.lang.foreign.ValueLayout, long, Object,
 * int, int)}. The {@code arenaBuffer*} benchmarks read the same segment through {@link MemorySegment#asByteBuffer()}
 * with {@link MemoryAccessBuffers}' code, which {@link MemoryAccessBenchmark} runs on its buffers: a buffer that the arena's close unmaps too. The fork has no
 * JVM flag at all.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemorySegmentAccessBenchmark
{
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();

    @Param({"mapped", "direct"})
    public String memory;

    private MemoryAccessLayout layout;
    private Path file;
    private Arena arena;
    private MemorySegment segment;
    /** {@link #segment} as a buffer: tied to the arena like the segment, and closed with it. */
    private ByteBuffer bytes;
    private FloatBuffer floats;
    private final float[] values = new float[NNZ];
    private int[] queryIndices;
    private float[] queryValues;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        layout = new MemoryAccessLayout();
        queryIndices = layout.queryIndices();
        queryValues = layout.queryValues();
        arena = Arena.ofShared();
        if (memory.equals("mapped"))
        {
            file = layout.newFile();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, REGION_BYTES, arena);
            }
        }
        else
        {
            segment = arena.allocate(REGION_BYTES, PAGE_SIZE);
            MemorySegment.copy(MemorySegment.ofBuffer(layout.direct()), 0, segment, 0, REGION_BYTES);
        }
        bytes = segment.asByteBuffer().order(ByteOrder.nativeOrder());
        floats = bytes.asFloatBuffer();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        arena.close();
        if (file != null)
        {
            Files.deleteIfExists(file);
        }
    }

    @Benchmark
    public int segmentBucketScan()
    {
        final MemorySegment m = segment;
        final long o = layout.nextPage();
        final int count = Math.min((int)INT_HANDLE.getAcquire(m, o + COUNT_OFFSET), BUCKET_SLOTS);
        final long hashes = o + slotOffset(0) + SLOT_HASH_OFFSET;
        for (int s = 0; s < count; s++)
        {
            if (m.get(JAVA_LONG, hashes + (long)s * SLOT_LENGTH) == ABSENT_HASH)
            {
                return s;
            }
        }
        return -1;
    }

    /** As the engine would: a slice of the page (one bounds check), then loads relative to it. */
    @Benchmark
    public int segmentSliceBucketScan()
    {
        final long o = layout.nextPage();
        final MemorySegment page = segment.asSlice(o, PAGE_SIZE);
        final int count = Math.min((int)INT_HANDLE.getAcquire(page, (long)COUNT_OFFSET), BUCKET_SLOTS);
        for (int s = 0; s < count; s++)
        {
            if (page.get(JAVA_LONG, slotOffset(s) + SLOT_HASH_OFFSET) == ABSENT_HASH)
            {
                return s;
            }
        }
        return -1;
    }

    @Benchmark
    public boolean segmentIdEquals()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        final int length = id.length();
        final MemorySegment m = segment;
        final long o = recordOffset(r) + ID_OFFSET;
        for (int i = 0; i < length; i++)
        {
            if (id.charAt(i) != m.get(JAVA_BYTE, o + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #segmentIdEquals}, with the offset summed in {@code int} and widened at each access, as a call site
     * written for {@code UnsafeBuffer}'s {@code int} offsets does through a wrapper that takes them.
     */
    @Benchmark
    public boolean segmentIntOffsetIdEquals()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        final int length = id.length();
        final MemorySegment m = segment;
        final int o = recordOffset(r) + ID_OFFSET;
        for (int i = 0; i < length; i++)
        {
            if (id.charAt(i) != m.get(JAVA_BYTE, (long)(o + i)))
            {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    public float[] segmentCopyValues()
    {
        final long from = recordOffset(layout.nextRecord()) + VALUES_OFFSET;
        MemorySegment.copy(segment, JAVA_FLOAT, from, values, 0, NNZ);
        return values;
    }

    @Benchmark
    public double segmentDot()
    {
        final MemorySegment record = segment;
        final long offset = recordOffset(layout.nextRecord());
        final int[] oi = queryIndices;
        final float[] ov = queryValues;
        final long ib = offset + INDICES_OFFSET;
        final long vb = ib + NNZ * 4L;
        double sum = 0;
        int a = 0;
        int b = 0;
        while (a < NNZ && b < oi.length)
        {
            final int ia = record.get(JAVA_INT, ib + a * 4L);
            if (ia == oi[b])
            {
                sum += (double)record.get(JAVA_FLOAT, vb + a * 4L) * ov[b];
                a++;
                b++;
            }
            else if (ia < oi[b])
            {
                a++;
            }
            else
            {
                b++;
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------------ a segment's memory through a buffer

    @Benchmark
    public int arenaBufferBucketScan()
    {
        return MemoryAccessBuffers.bucketScan(bytes, layout.nextPage());
    }

    @Benchmark
    public boolean arenaBufferIdEquals()
    {
        final int r = layout.nextRecord();
        return MemoryAccessBuffers.idEquals(bytes, recordOffset(r) + ID_OFFSET, layout.id(r));
    }

    @Benchmark
    public float[] arenaBufferCopyValues()
    {
        return MemoryAccessBuffers.copyValues(floats, recordOffset(layout.nextRecord()) + VALUES_OFFSET, values);
    }

    @Benchmark
    public double arenaBufferDot()
    {
        return MemoryAccessBuffers.dot(bytes, recordOffset(layout.nextRecord()), queryIndices, queryValues);
    }
}
