package io.memsnap.internal.memory;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;

/**
 * A span of memory off the Java heap, at most 2 GiB: a read-only mapping of a range of a file
 * ({@link #mapReadOnly}) or memory of the process, zeroed ({@link #allocate}); read and written at byte offsets, in
 * the CPU's byte order, and released at once by {@link #close()}, never left to the garbage collector. It needs no
 * JVM flag on any JDK from 17 on.
 *
 * <p>This is the JDK 17 version: a direct {@link ByteBuffer}, its absolute gets and puts, and the {@link VarHandle}s
 * of {@link MethodHandles#byteBufferViewVarHandle} for the acquire, release and volatile accesses. The multi-release
 * jar holds another class of the same name for JDK 22 and later ({@code src/main/java22}), on
 * {@code java.lang.foreign}; the JVM loads one of the two, so a call site only ever sees one final class, as it
 * sees one {@code UnsafeBuffer} today. Both have the same methods and the same contract; {@link #implementation()}
 * says which one runs.
 *
 * <p><b>Release.</b> {@link #close()} unmaps the mapping or frees the memory through the JDK's cleaner of the
 * buffer ({@code sun.misc.Unsafe.invokeCleaner}, which module {@code jdk.unsupported} exports to every class: no
 * flag; it warns on JDK 24 and later, where the other version runs instead). A thread that reads the region after
 * its close reads unmapped memory, which crashes the JVM: the caller must know that no thread still reads it (the
 * store's grace periods and reader counts). A thread that calls a method after seeing the close gets a
 * {@link NullPointerException}; the JDK 22 version turns every access after the close into an
 * {@link IllegalStateException}, on every thread.
 *
 * <p><b>Concurrency.</b> The plain accessors have no ordering guarantee; {@link #getIntAcquire},
 * {@link #getLongAcquire} and {@link #getByteVolatile} pair with {@link #putIntRelease}, {@link #putLongRelease} and
 * {@link #putByteVolatile} as their names say, and need an offset aligned to their size. {@link #close()} must
 * happen after every access, by a happens-before edge the caller provides.
 */
public final class MemoryRegion implements AutoCloseable
{
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class,
        ByteOrder.nativeOrder());

    /** The memory; null once closed. */
    private ByteBuffer buffer;
    /** Views of the memory as ints and floats from byte 0, for the bulk copies at offsets aligned to 4; null once
     * closed. */
    private IntBuffer ints;
    private FloatBuffer floats;
    private final int length;
    /** Whether {@link #close()} releases the memory: false for a heap array's region and for a slice. */
    private final boolean owner;

    private MemoryRegion(final ByteBuffer buffer)
    {
        this(buffer, true);
    }

    private MemoryRegion(final ByteBuffer buffer, final boolean owner)
    {
        this.owner = owner;
        this.buffer = buffer.order(ByteOrder.nativeOrder());
        this.ints = this.buffer.asIntBuffer();
        this.floats = this.buffer.asFloatBuffer();
        this.length = buffer.capacity();
    }

    /**
     * @return {@code length} bytes of memory of the process, zeroed, at an address aligned to 8 bytes at least.
     * @throws OutOfMemoryError if the JVM's limit of direct memory ({@code -XX:MaxDirectMemorySize}) is reached.
     */
    public static MemoryRegion allocate(final int length)
    {
        return new MemoryRegion(ByteBuffer.allocateDirect(length));
    }

    /** @return a read-only mapping of {@code length} bytes of {@code channel}'s file from {@code position}. */
    public static MemoryRegion mapReadOnly(final FileChannel channel, final long position, final int length)
        throws IOException
    {
        return new MemoryRegion(channel.map(FileChannel.MapMode.READ_ONLY, position, length));
    }

    /**
     * @return a region over {@code array} on the heap, in the CPU's byte order: the same accessors for bytes that are
     * not off the heap (a record copied out of the log, a batch being built); its {@link #close()} releases nothing.
     */
    public static MemoryRegion wrap(final byte[] array)
    {
        return new MemoryRegion(ByteBuffer.wrap(array), false);
    }

    /**
     * @return a region over {@code length} bytes of this one from {@code offset}, sharing its memory: valid while
     * this region is, and its own {@link #close()} releases nothing.
     */
    public MemoryRegion slice(final int offset, final int length)
    {
        return new MemoryRegion(buffer.slice(offset, length), false);
    }

    /**
     * @return which version of this class the JVM loaded: {@code "java.nio"} here (a method, not a constant, which the
     * compiler would copy into the caller).
     */
    public static String implementation()
    {
        return "java.nio";
    }

    public int length()
    {
        return length;
    }

    public byte getByte(final int offset)
    {
        return buffer.get(offset);
    }

    public short getShort(final int offset)
    {
        return buffer.getShort(offset);
    }

    public int getInt(final int offset)
    {
        return buffer.getInt(offset);
    }

    public long getLong(final int offset)
    {
        return buffer.getLong(offset);
    }

    public float getFloat(final int offset)
    {
        return buffer.getFloat(offset);
    }

    /** A plain load (a byte never tears) between fences, as a buffer has no view handle for bytes. */
    public byte getByteVolatile(final int offset)
    {
        VarHandle.fullFence();
        final byte value = buffer.get(offset);
        VarHandle.acquireFence();
        return value;
    }

    public int getIntAcquire(final int offset)
    {
        return (int)INTS.getAcquire(buffer, offset);
    }

    public long getLongAcquire(final int offset)
    {
        return (long)LONGS.getAcquire(buffer, offset);
    }

    public long getLongVolatile(final int offset)
    {
        return (long)LONGS.getVolatile(buffer, offset);
    }

    /** @return whether the long at {@code offset} (aligned to 8) was {@code expected} and is now {@code value}. */
    public boolean compareAndSetLong(final int offset, final long expected, final long value)
    {
        return LONGS.compareAndSet(buffer, offset, expected, value);
    }

    public void putByte(final int offset, final byte value)
    {
        buffer.put(offset, value);
    }

    public void putShort(final int offset, final short value)
    {
        buffer.putShort(offset, value);
    }

    public void putInt(final int offset, final int value)
    {
        buffer.putInt(offset, value);
    }

    public void putLong(final int offset, final long value)
    {
        buffer.putLong(offset, value);
    }

    public void putFloat(final int offset, final float value)
    {
        buffer.putFloat(offset, value);
    }

    /** A plain store (a byte never tears) between fences, as a buffer has no view handle for bytes. */
    public void putByteVolatile(final int offset, final byte value)
    {
        VarHandle.releaseFence();
        buffer.put(offset, value);
        VarHandle.fullFence();
    }

    public void putIntRelease(final int offset, final int value)
    {
        INTS.setRelease(buffer, offset, value);
    }

    public void putLongRelease(final int offset, final long value)
    {
        LONGS.setRelease(buffer, offset, value);
    }

    /** Sets {@code count} bytes from {@code offset} to {@code value}. */
    public void setMemory(final int offset, final int count, final byte value)
    {
        java.util.Objects.checkFromIndexSize(offset, count, length);
        for (int i = 0; i < count; i++)
        {
            buffer.put(offset + i, value);
        }
    }

    /** Copies {@code count} bytes from {@code offset} to {@code dst} at {@code dstOffset}. */
    public void copyTo(final int offset, final MemoryRegion dst, final int dstOffset, final int count)
    {
        dst.buffer.put(dstOffset, buffer, offset, count);
    }

    /** Copies {@code count} bytes from {@code offset} into {@code dst} at {@code dstIndex}. */
    public void getBytes(final int offset, final byte[] dst, final int dstIndex, final int count)
    {
        buffer.get(offset, dst, dstIndex, count);
    }

    /** Copies {@code count} bytes of {@code src} from {@code srcIndex} to {@code offset}. */
    public void putBytes(final int offset, final byte[] src, final int srcIndex, final int count)
    {
        buffer.put(offset, src, srcIndex, count);
    }

    /** Copies {@code count} ints (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getInts(final int offset, final int[] dst, final int dstIndex, final int count)
    {
        if ((offset & 3) == 0)
        {
            ints.get(offset >> 2, dst, dstIndex, count);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            dst[dstIndex + i] = buffer.getInt(offset + i * Integer.BYTES);
        }
    }

    /** Copies {@code count} floats (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getFloats(final int offset, final float[] dst, final int dstIndex, final int count)
    {
        if ((offset & 3) == 0)
        {
            floats.get(offset >> 2, dst, dstIndex, count);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            dst[dstIndex + i] = buffer.getFloat(offset + i * Float.BYTES);
        }
    }

    /** Copies {@code count} ints of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putInts(final int offset, final int[] src, final int srcIndex, final int count)
    {
        if ((offset & 3) == 0)
        {
            ints.put(offset >> 2, src, srcIndex, count);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            buffer.putInt(offset + i * Integer.BYTES, src[srcIndex + i]);
        }
    }

    /** Copies {@code count} floats of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putFloats(final int offset, final float[] src, final int srcIndex, final int count)
    {
        if ((offset & 3) == 0)
        {
            floats.put(offset >> 2, src, srcIndex, count);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            buffer.putFloat(offset + i * Float.BYTES, src[srcIndex + i]);
        }
    }

    /**
     * @return a new buffer over {@code count} bytes from {@code offset}, position 0, for a channel's positional
     * write or a checksum; valid until {@link #close()}, like the region (allocates).
     */
    public ByteBuffer byteBuffer(final int offset, final int count)
    {
        return buffer.slice(offset, count).order(ByteOrder.nativeOrder());
    }

    /** @return whether {@link #close()} ran. */
    public boolean isClosed()
    {
        return buffer == null;
    }

    /**
     * Unmaps or frees the memory now (a region from {@link #wrap} or {@link #slice}: nothing); a second call does
     * nothing. The caller guarantees that no thread reads or
     * writes the region any more, nor a buffer from {@link #byteBuffer}.
     */
    @Override
    public void close()
    {
        final ByteBuffer b = buffer;
        if (b != null)
        {
            buffer = null;
            ints = null;
            floats = null;
            if (owner)
            {
                BufferCleaner.clean(b);
            }
        }
    }
}
