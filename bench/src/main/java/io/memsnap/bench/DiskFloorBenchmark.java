package io.memsnap.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The physical floor, measured in the same run and in the same directory (so on the same file system) as the
 * stores: {@code fdatasync4k} writes 4 KiB over an allocated block of a file and forces it
 * ({@code FileChannel.force(false)}, an fdatasync), every call timed; {@code sequentialWrite64m} writes 64 MiB in 1
 * MiB writes over an allocated file and forces it, so 64 MiB divided by its mean time is the sequential bandwidth
 * with fsync. The gate's floor for a snapshot that flushed {@code b} bytes is
 * {@code fdatasync latency + b / bandwidth}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {Jvm.CM_1, Jvm.CM_2, Jvm.CM_3, Jvm.CM_4, Jvm.CM_5, Jvm.CM_6, Jvm.CM_7,
    Jvm.CM_8, Jvm.CM_9, Jvm.CM_ANALYTICS, Jvm.LMDB_1, Jvm.LMDB_2})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class DiskFloorBenchmark
{
    /** Bytes each {@link #sequentialWrite64m} writes. */
    public static final int SEQUENTIAL_BYTES = 64 << 20;
    private static final int CHUNK = 1 << 20;

    private FileChannel small;
    private FileChannel large;
    private final ByteBuffer block = ByteBuffer.allocateDirect(4096);
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private long counter;

    @Setup(Level.Trial)
    public void open() throws IOException
    {
        final Path dir = BenchDirs.resolve("floor/x").getParent();
        small = FileChannel.open(dir.resolve("fdatasync.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        large = FileChannel.open(dir.resolve("sequential.bin"), StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        for (int i = 0; i < CHUNK; i++)
        {
            chunk.put(i, (byte)(i * 31 + 7));
        }
        write(small, 4096);
        write(large, SEQUENTIAL_BYTES);
        small.force(true);
        large.force(true);
    }

    private void write(final FileChannel channel, final int bytes) throws IOException
    {
        long position = 0;
        while (position < bytes)
        {
            final ByteBuffer b = chunk.duplicate();
            b.limit((int)Math.min(CHUNK, bytes - position));
            position += channel.write(b, position);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException
    {
        small.close();
        large.close();
    }

    /** One 4 KiB write over an allocated block, then fdatasync. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void fdatasync4k() throws IOException
    {
        block.clear();
        block.putLong(0, counter++);
        small.write(block, 0);
        small.force(false);
    }

    /** 64 MiB written sequentially over an allocated file, then fdatasync. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void sequentialWrite64m() throws IOException
    {
        chunk.putLong(0, counter++);
        write(large, SEQUENTIAL_BYTES);
        large.force(false);
    }
}
