package io.memsnap.bench;

import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.memory.MemoryRegion;
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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import static io.memsnap.bench.MemoryAccessLayout.*;
import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.COUNT_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_LENGTH;
import static io.memsnap.internal.format.IndexPageDescriptor.slotOffset;

/**
 * {@link MemoryAccessBenchmark}'s operations through core's {@link MemoryRegion}, the abstraction the engine would
 * switch to: the version the JVM loads from the multi-release jar ({@code java.nio} on JDK 17 to 21,
 * {@code java.lang.foreign} from 22) is the one measured. The loops are those of the engine's hot paths written
 * against the region's accessors, as the call sites are ({@code regionDot} is {@code EntryView.dot}'s loop), and
 * {@code regionUtf8Equals} calls the engine's id compare itself. Also the release: {@code mapAndClose} maps the
 * region's file, reads a byte and closes the mapping (an unmap through the buffer's cleaner on 17, a shared arena's
 * close, with its handshake of every thread, from 22); {@code allocateAndClose} the same for 64 KiB of memory. The
 * fork has no JVM flag.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryRegionAccessBenchmark
{
    @Param({"mapped", "direct"})
    public String memory;

    private MemoryAccessLayout layout;
    private Path file;
    private FileChannel channel;
    private MemoryRegion region;
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
            region = MemoryRegion.mapReadOnly(channel, 0, REGION_BYTES);
        }
        else
        {
            region = MemoryRegion.allocate(REGION_BYTES);
            final byte[] bytes = new byte[REGION_BYTES];
            layout.direct().get(0, bytes);
            region.putBytes(0, bytes, 0, REGION_BYTES);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        region.close();
        channel.close();
        Files.deleteIfExists(file);
    }

    @Benchmark
    public int regionBucketScan()
    {
        final MemoryRegion b = region;
        final int o = layout.nextPage();
        final int count = Math.min(b.getIntAcquire(o + COUNT_OFFSET), BUCKET_SLOTS);
        final int hashes = o + slotOffset(0) + SLOT_HASH_OFFSET;
        for (int s = 0; s < count; s++)
        {
            if (b.getLong(hashes + s * SLOT_LENGTH) == ABSENT_HASH)
            {
                return s;
            }
        }
        return -1;
    }

    @Benchmark
    public boolean regionIdEquals()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        final int length = id.length();
        final MemoryRegion b = region;
        final int o = recordOffset(r) + ID_OFFSET;
        for (int i = 0; i < length; i++)
        {
            if (id.charAt(i) != b.getByte(o + i))
            {
                return false;
            }
        }
        return true;
    }

    /** The engine's id compare ({@link Utf8#equals}, from {@code SegmentLog.keyMatches}): 8 bytes at a time. */
    @Benchmark
    public boolean regionUtf8Equals()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        return Utf8.equals(id, region, recordOffset(r) + ID_OFFSET, id.length());
    }

    @Benchmark
    public float[] regionCopyValues()
    {
        region.getFloats(recordOffset(layout.nextRecord()) + VALUES_OFFSET, values, 0, NNZ);
        return values;
    }

    /** {@code MemoryRegion.sparseDot}: the range checked once, the merge without checks. */
    @Benchmark
    public double regionSparseDot()
    {
        final int ib = recordOffset(layout.nextRecord()) + INDICES_OFFSET;
        return region.sparseDot(ib, ib + NNZ * 4, NNZ, queryIndices, queryValues);
    }

    /** {@code MemoryRegion.equalsAscii}: the range checked once, a byte a char. */
    @Benchmark
    public boolean regionEqualsAscii()
    {
        final int r = layout.nextRecord();
        final String id = layout.id(r);
        return region.equalsAscii(recordOffset(r) + ID_OFFSET, id, id.length());
    }

    @Benchmark
    public double regionDot()
    {
        final MemoryRegion record = region;
        final int offset = recordOffset(layout.nextRecord());
        final int[] oi = queryIndices;
        final float[] ov = queryValues;
        final int ib = offset + INDICES_OFFSET;
        final int vb = ib + NNZ * 4;
        double sum = 0;
        int a = 0;
        int b = 0;
        while (a < NNZ && b < oi.length)
        {
            final int ia = record.getInt(ib + a * 4);
            if (ia == oi[b])
            {
                sum += (double)record.getFloat(vb + a * 4) * ov[b];
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
    public byte mapAndClose() throws IOException
    {
        try (MemoryRegion mapped = MemoryRegion.mapReadOnly(channel, 0, REGION_BYTES))
        {
            return mapped.getByte(layout.nextPage());
        }
    }

    @Benchmark
    public byte allocateAndClose()
    {
        try (MemoryRegion allocated = MemoryRegion.allocate(ALLOCATED_BYTES))
        {
            return allocated.getByte(layout.nextPage() & (ALLOCATED_BYTES - 1));
        }
    }
}
