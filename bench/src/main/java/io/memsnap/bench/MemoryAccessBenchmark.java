package io.memsnap.bench;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
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

/**
 * The memory accesses of memsnap's hot paths, each written three ways, on a read-only mapping of a file
 * ({@code memory = mapped}, as the segments and the checkpointed index pages) and on a direct buffer
 * ({@code memory = direct}, as the write buffer and the resident index pages): Agrona's {@link UnsafeBuffer} with
 * plain {@link UnsafeApi} loads after one bounds check, as the engine does today ({@code agrona*}); a
 * {@link ByteBuffer}'s absolute gets ({@code byteBuffer*}); and the {@link VarHandle}s of
 * {@link MethodHandles#byteBufferViewVarHandle} ({@code varHandle*}). The last two need no JVM flag on any JDK from
 * 17 on. {@code MemorySegmentAccessBenchmark} (compiled for JDK 22, in {@code src/main/java22}) does the same with
 * {@code java.lang.foreign}. The bytes are {@link MemoryAccessLayout}'s.
 *
 * <p>The operations: {@code bucketScan}, a lookup's scan of a full index bucket for a hash it does not hold (an
 * acquire load of the count, then the 255 slots' hashes); {@code idEquals}, the
 * comparison of a 26-character ASCII id with a record's bytes; {@code copyValues}, {@code EntryView.getValues}'s
 * copy of {@value MemoryAccessLayout#NNZ} floats into an array; {@code dot}, {@code EntryView.dot}'s merge of the
 * record's sorted indices with a query's, loading a value for every match. Each call takes the next page or record
 * of the region. And the release as the engine does it today, for {@code MemoryRegionAccessBenchmark}'s
 * equivalents: {@code agronaMapAndUnmap} maps the region's file, reads a byte and unmaps it ({@code IoUtil.unmap});
 * {@code agronaAllocateAndFree} allocates 64 KiB of direct memory, reads a byte and frees it
 * ({@code BufferUtil.free}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = Jvm.AGRONA)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryAccessBenchmark
{
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
        ByteOrder.nativeOrder());
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle FLOATS = MethodHandles.byteBufferViewVarHandle(float[].class,
        ByteOrder.nativeOrder());
    private static final long FLOAT_ARRAY_BASE = UnsafeApi.arrayBaseOffset(float[].class);

    @Param({"mapped", "direct"})
    public String memory;

    private MemoryAccessLayout layout;
    private Path file;
    private FileChannel channel;
    private ByteBuffer bytes;
    private UnsafeBuffer buffer;
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
        file = layout.newFile();
        channel = FileChannel.open(file, StandardOpenOption.READ);
        if (memory.equals("mapped"))
        {
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, REGION_BYTES).order(ByteOrder.nativeOrder());
        }
        else
        {
            bytes = layout.direct();
        }
        buffer = new UnsafeBuffer(bytes);
        floats = bytes.asFloatBuffer();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        channel.close();
        Files.deleteIfExists(file);
    }

    // ------------------------------------------------------------------------------------------------ bucketScan

    @Benchmark
    public int agronaBucketScan()
    {
        final UnsafeBuffer b = buffer;
        final int o = layout.nextPage();
        final int count = Math.min(b.getIntAcquire(o + COUNT_OFFSET), BUCKET_SLOTS);
        b.boundsCheck(o, PAGE_SIZE);
        final byte[] array = b.byteArray();
        final long hashes = b.addressOffset() + o + slotOffset(0) + SLOT_HASH_OFFSET;
        for (int s = 0; s < count; s++)
        {
            if (UnsafeApi.getLong(array, hashes + (long)s * SLOT_LENGTH) == ABSENT_HASH)
            {
                return s;
            }
        }
        return -1;
    }

    @Benchmark
    public int byteBufferBucketScan()
    {
        return MemoryAccessBuffers.bucketScan(bytes, layout.nextPage());
    }

    @Benchmark
    public int varHandleBucketScan()
    {
        final ByteBuffer b = bytes;
        final int o = layout.nextPage();
        final int count = Math.min((int)INTS.getAcquire(b, o + COUNT_OFFSET), BUCKET_SLOTS);
        final int hashes = o + slotOffset(0) + SLOT_HASH_OFFSET;
        for (int s = 0; s < count; s++)
        {
            if ((long)LONGS.get(b, hashes + s * SLOT_LENGTH) == ABSENT_HASH)
            {
                return s;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------ idEquals

    @Benchmark
    public boolean agronaIdEquals()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        final int length = id.length();
        final UnsafeBuffer b = buffer;
        b.boundsCheck(recordOffset(r) + ID_OFFSET, length);
        final byte[] array = b.byteArray();
        final long address = b.addressOffset() + recordOffset(r) + ID_OFFSET;
        for (int i = 0; i < length; i++)
        {
            if (id.charAt(i) != UnsafeApi.getByte(array, address + i))
            {
                return false;
            }
        }
        return true;
    }

    @Benchmark
    public boolean byteBufferIdEquals()
    {
        final int r = layout.nextRecord();
        return MemoryAccessBuffers.idEquals(bytes, recordOffset(r) + ID_OFFSET, layout.id(r));
    }

    // ------------------------------------------------------------------------------------------------ copyValues

    @Benchmark
    public float[] agronaCopyValues()
    {
        final UnsafeBuffer b = buffer;
        final int from = recordOffset(layout.nextRecord()) + VALUES_OFFSET;
        b.boundsCheck(from, NNZ * Float.BYTES);
        UnsafeApi.copyMemory(b.byteArray(), b.addressOffset() + from, values, FLOAT_ARRAY_BASE, NNZ * 4L);
        return values;
    }

    /** A bulk absolute get of a float view made once (the view's index counts floats). */
    @Benchmark
    public float[] byteBufferCopyValues()
    {
        return MemoryAccessBuffers.copyValues(floats, recordOffset(layout.nextRecord()) + VALUES_OFFSET, values);
    }

    @Benchmark
    public float[] varHandleCopyValues()
    {
        final ByteBuffer b = bytes;
        final int from = recordOffset(layout.nextRecord()) + VALUES_OFFSET;
        final float[] dst = values;
        for (int i = 0; i < NNZ; i++)
        {
            dst[i] = (float)FLOATS.get(b, from + i * Float.BYTES);
        }
        return dst;
    }

    // ------------------------------------------------------------------------------------------------ dot

    @Benchmark
    public double agronaDot()
    {
        final UnsafeBuffer record = buffer;
        final int offset = recordOffset(layout.nextRecord());
        final int[] oi = queryIndices;
        final float[] ov = queryValues;
        record.boundsCheck(offset + INDICES_OFFSET, NNZ * 8);
        final byte[] array = record.byteArray();
        final long ib = record.addressOffset() + offset + INDICES_OFFSET;
        final long vb = ib + NNZ * 4L;
        double sum = 0;
        int a = 0;
        int b = 0;
        while (a < NNZ && b < oi.length)
        {
            final int ia = UnsafeApi.getInt(array, ib + a * 4L);
            if (ia == oi[b])
            {
                sum += (double)UnsafeApi.getFloat(array, vb + a * 4L) * ov[b];
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

    @Benchmark
    public double byteBufferDot()
    {
        return MemoryAccessBuffers.dot(bytes, recordOffset(layout.nextRecord()), queryIndices, queryValues);
    }

    // ------------------------------------------------------------------------------------------------ release

    /** The engine's release of a mapping today: {@link IoUtil#unmap}, the buffer's cleaner. */
    @Benchmark
    public byte agronaMapAndUnmap() throws IOException
    {
        final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, REGION_BYTES);
        final byte b = mapped.get(layout.nextPage());
        IoUtil.unmap(mapped);
        return b;
    }

    /** The engine's release of a resident index chunk today: {@link BufferUtil#free}. */
    @Benchmark
    public byte agronaAllocateAndFree()
    {
        final ByteBuffer allocated = ByteBuffer.allocateDirect(ALLOCATED_BYTES);
        final byte b = allocated.get(layout.nextPage() & (ALLOCATED_BYTES - 1));
        BufferUtil.free(allocated);
        return b;
    }
}
