package io.memsnap.internal.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A span of memory off the Java heap, at most 2 GiB: a read-only mapping of a range of a file
 * ({@link #mapReadOnly}) or memory of the process, zeroed ({@link #allocate}); read and written at byte offsets, in
 * the CPU's byte order, and released at once by {@link #close()}, never left to the garbage collector. It needs no
 * JVM flag and calls no restricted method.
 *
 * <p>This is the JDK 22 version, in {@code META-INF/versions/22} of the multi-release jar: a
 * {@link MemorySegment} of its own shared {@link Arena}, read and written through value layouts (unaligned for the
 * plain accesses, aligned for the acquire, release and volatile ones, as their {@link VarHandle}s require). The
 * class of the same name in {@code src/main/java} runs on JDK 17 to 21 with the same methods and contract;
 * {@link #implementation()} says which one runs.
 *
 * <p><b>Release.</b> {@link #close()} closes the arena, which unmaps the mapping or frees the memory. From then on
 * every access to the region, or to a buffer from {@link #byteBuffer}, on any thread, throws
 * {@link IllegalStateException} instead of reading unmapped memory: a thread that reads too late fails alone, the
 * JVM does not crash. The close makes every thread of the JVM pass a handshake (a thread in the middle of an access
 * to the region finishes it or sees it fail), so it costs more than an unmap; it throws
 * {@link IllegalStateException} itself, and releases nothing, while a channel reads or writes through a buffer from
 * {@link #byteBuffer}. Memory from {@link #allocate} is not counted against {@code -XX:MaxDirectMemorySize}.
 *
 * <p><b>Concurrency.</b> The plain accessors have no ordering guarantee; {@link #getIntAcquire},
 * {@link #getLongAcquire} and {@link #getByteVolatile} pair with {@link #putIntRelease}, {@link #putLongRelease} and
 * {@link #putByteVolatile} as their names say, and need an offset aligned to their size. {@link #close()} should
 * happen after every access, by a happens-before edge the caller provides; an access that does not gets the
 * exception above.
 */
public final class MemoryRegion implements AutoCloseable
{
    private static final ValueLayout.OfLong LITTLE_ENDIAN_LONG = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A page of zeros for {@link #setMemory}: memory of the JVM's global arena, never released. */
    private static final MemorySegment ZEROS = Arena.global().allocate(4096, Long.BYTES);
    private static final VarHandle BYTE_HANDLE = JAVA_BYTE.varHandle();
    private static final VarHandle INT_HANDLE = JAVA_INT.varHandle();
    private static final VarHandle LONG_HANDLE = JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment segment;
    private final int length;

    private MemoryRegion(final Arena arena, final MemorySegment segment)
    {
        this.arena = arena;
        this.segment = segment;
        this.length = (int)segment.byteSize();
    }

    /**
     * @return -1: the JVM's limit of direct memory cannot be read here without {@code --add-exports}, and
     * {@link #allocate} is not counted against it.
     */
    public static long allocationLimit()
    {
        return -1;
    }

    /** @return {@code length} bytes of memory of the process, zeroed, at an address aligned to 8 bytes. */
    public static MemoryRegion allocate(final int length)
    {
        final Arena arena = Arena.ofShared();
        try
        {
            return new MemoryRegion(arena, arena.allocate(length, Long.BYTES));
        }
        catch (final RuntimeException | Error e)
        {
            arena.close();
            throw e;
        }
    }

    /** @return a read-only mapping of {@code length} bytes of {@code channel}'s file from {@code position}. */
    public static MemoryRegion mapReadOnly(final FileChannel channel, final long position, final int length)
        throws IOException
    {
        final Arena arena = Arena.ofShared();
        try
        {
            return new MemoryRegion(arena, channel.map(FileChannel.MapMode.READ_ONLY, position, length, arena));
        }
        catch (final IOException | RuntimeException | Error e)
        {
            arena.close();
            throw e;
        }
    }

    /**
     * @return a region over {@code array} on the heap, in the CPU's byte order: the same accessors for bytes that are
     * not off the heap (a record copied out of the log, a batch being built); its {@link #close()} releases nothing.
     */
    public static MemoryRegion wrap(final byte[] array)
    {
        return new MemoryRegion(null, MemorySegment.ofArray(array));
    }

    /**
     * @return a region over {@code length} bytes of this one from {@code offset}, sharing its memory: valid while
     * this region is, and its own {@link #close()} releases nothing.
     */
    public MemoryRegion slice(final int offset, final int length)
    {
        return new MemoryRegion(null, segment.asSlice(offset, length));
    }

    /**
     * @return which version of this class the JVM loaded: {@code "java.lang.foreign"} here (a method, not a constant, which the
     * compiler would copy into the caller).
     */
    public static String implementation()
    {
        return "java.lang.foreign";
    }

    public int length()
    {
        return length;
    }

    public byte getByte(final int offset)
    {
        return segment.get(JAVA_BYTE, offset);
    }

    public short getShort(final int offset)
    {
        return segment.get(JAVA_SHORT_UNALIGNED, offset);
    }

    public int getInt(final int offset)
    {
        return segment.get(JAVA_INT_UNALIGNED, offset);
    }

    public long getLong(final int offset)
    {
        return segment.get(JAVA_LONG_UNALIGNED, offset);
    }

    public float getFloat(final int offset)
    {
        return segment.get(JAVA_FLOAT_UNALIGNED, offset);
    }

    public byte getByteVolatile(final int offset)
    {
        return (byte)BYTE_HANDLE.getVolatile(segment, (long)offset);
    }

    public int getIntAcquire(final int offset)
    {
        return (int)INT_HANDLE.getAcquire(segment, (long)offset);
    }

    public long getLongAcquire(final int offset)
    {
        return (long)LONG_HANDLE.getAcquire(segment, (long)offset);
    }

    public long getLongVolatile(final int offset)
    {
        return (long)LONG_HANDLE.getVolatile(segment, (long)offset);
    }

    /** @return whether the long at {@code offset} (aligned to 8) was {@code expected} and is now {@code value}. */
    public boolean compareAndSetLong(final int offset, final long expected, final long value)
    {
        return LONG_HANDLE.compareAndSet(segment, (long)offset, expected, value);
    }

    public void putByte(final int offset, final byte value)
    {
        segment.set(JAVA_BYTE, offset, value);
    }

    public void putShort(final int offset, final short value)
    {
        segment.set(JAVA_SHORT_UNALIGNED, offset, value);
    }

    public void putInt(final int offset, final int value)
    {
        segment.set(JAVA_INT_UNALIGNED, offset, value);
    }

    public void putLong(final int offset, final long value)
    {
        segment.set(JAVA_LONG_UNALIGNED, offset, value);
    }

    public void putFloat(final int offset, final float value)
    {
        segment.set(JAVA_FLOAT_UNALIGNED, offset, value);
    }

    public void putByteVolatile(final int offset, final byte value)
    {
        BYTE_HANDLE.setVolatile(segment, (long)offset, value);
    }

    public void putIntRelease(final int offset, final int value)
    {
        INT_HANDLE.setRelease(segment, (long)offset, value);
    }

    public void putLongRelease(final int offset, final long value)
    {
        LONG_HANDLE.setRelease(segment, (long)offset, value);
    }

    /** Sets {@code count} bytes from {@code offset} to {@code value}. */
    public void setMemory(final int offset, final int count, final byte value)
    {
        // No slice: asSlice(offset, count).fill(value) allocated the slice on every call (a page made by the index
        // writer, a batch's record), which escape analysis did not remove. Zeros are copied from a page of them.
        Objects.checkFromIndexSize(offset, count, length);
        if (value == 0)
        {
            for (long done = 0; done < count; done += ZEROS.byteSize())
            {
                MemorySegment.copy(ZEROS, 0, segment, offset + done, Math.min(ZEROS.byteSize(), count - done));
            }
            return;
        }
        for (long at = offset, end = (long)offset + count; at < end; at++)
        {
            segment.set(JAVA_BYTE, at, value);
        }
    }

    /**
     * {@return the dot product of a sparse vector stored here, {@code count} ascending int indices from
     * {@code indicesOffset} and their {@code count} float values from {@code valuesOffset}, with the sparse vector
     * {@code indices}, {@code values} (ascending, of the same length)}: a merge of the two index lists, a product
     * summed in double for each index both hold. The range is checked once, then the loop reads without checks, which
     * a loop over {@link #getInt} and {@link #getFloat} could not (its merge is no counted loop).
     */
    public double sparseDot(final int indicesOffset, final int valuesOffset, final int count, final int[] indices,
        final float[] values)
    {
        final MemorySegment segment = this.segment;
        Objects.checkFromIndexSize(indicesOffset, (long)count * Integer.BYTES, length);
        Objects.checkFromIndexSize(valuesOffset, (long)count * Float.BYTES, length);
        final int n = Math.min(indices.length, values.length);
        final long ib = indicesOffset;
        final long vb = valuesOffset;
        double sum = 0;
        long a = 0;
        int b = 0;
        while (a < count && b < n)
        {
            final int ia = segment.get(JAVA_INT_UNALIGNED, ib + (a << 2));
            final int ob = indices[b];
            if (ia == ob)
            {
                sum += (double)segment.get(JAVA_FLOAT_UNALIGNED, vb + (a << 2)) * values[b];
                a++;
                b++;
            }
            else if (ia < ob)
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

    /**
     * {@return the dot product of the {@code count} indices at {@code indicesOffset} and as many float values at
     * {@code valuesOffset} with a query whose positions {@code dot} holds ({@link SparseDot#fill}): each stored index
     * is looked up in the table, so the iterations do not wait on each other as a merge's do.} The sum is the merge's
     * ({@link #sparseDot}) bit for bit: the same products, added in the same order. The range is checked once.
     */
    public double sparseDot(final int indicesOffset, final int valuesOffset, final int count, final SparseDot dot)
    {
        final MemorySegment segment = this.segment;
        Objects.checkFromIndexSize(indicesOffset, (long)count * Integer.BYTES, length);
        Objects.checkFromIndexSize(valuesOffset, (long)count * Float.BYTES, length);
        final int[] table = dot.table();
        final int shift = dot.shift();
        final int[] indices = dot.indices();
        final float[] values = dot.values();
        final int n = dot.count();
        if (n == 0)
        {
            return 0;
        }
        final long ib = indicesOffset;
        final long vb = valuesOffset;
        double sum = 0;
        for (long a = 0; a < count; a++)
        {
            final int index = segment.get(JAVA_INT_UNALIGNED, ib + (a << 2));
            final float value = segment.get(JAVA_FLOAT_UNALIGNED, vb + (a << 2));
            final int p = table[SparseDot.slot(index, shift)];
            if (p < 0)
            {
                sum += SparseDot.searched(index, value, indices, values, n);
                continue;
            }
            final int k = SparseDot.position(p);
            sum += (double)value * values[k] * SparseDot.same(indices[k], index);
        }
        return sum;
    }

    /**
     * {@return whether the {@code count} bytes from {@code offset} are the first {@code count} chars of {@code s}, each
     * taken as one byte} (for ASCII: the caller knows {@code s} holds {@code count} chars). The range is checked once.
     */
    public boolean equalsAscii(final int offset, final CharSequence s, final int count)
    {
        final MemorySegment segment = this.segment;
        Objects.checkFromIndexSize(offset, count, length);
        final long at = offset;
        final int words = count & ~7;
        int i = 0;
        for (; i < words; i += 8)
        {
            // Eight bytes a load: a byte a load costs twice as much here (docs/memory-access.md).
            final long word = segment.get(LITTLE_ENDIAN_LONG, at + i);
            for (int j = 0; j < 8; j++)
            {
                if (s.charAt(i + j) != (byte)(word >>> (j << 3)))
                {
                    return false;
                }
            }
        }
        for (; i < count; i++)
        {
            if (s.charAt(i) != segment.get(JAVA_BYTE, at + i))
            {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code count} bytes from {@code offset} to {@code dst} at {@code dstOffset}. */
    public void copyTo(final int offset, final MemoryRegion dst, final int dstOffset, final int count)
    {
        MemorySegment.copy(segment, offset, dst.segment, dstOffset, count);
    }

    /** Copies {@code count} bytes from {@code offset} into {@code dst} at {@code dstIndex}. */
    public void getBytes(final int offset, final byte[] dst, final int dstIndex, final int count)
    {
        MemorySegment.copy(segment, JAVA_BYTE, offset, dst, dstIndex, count);
    }

    /** Copies {@code count} bytes of {@code src} from {@code srcIndex} to {@code offset}. */
    public void putBytes(final int offset, final byte[] src, final int srcIndex, final int count)
    {
        MemorySegment.copy(src, srcIndex, segment, JAVA_BYTE, offset, count);
    }

    /** Copies {@code count} ints (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getInts(final int offset, final int[] dst, final int dstIndex, final int count)
    {
        MemorySegment.copy(segment, JAVA_INT_UNALIGNED, offset, dst, dstIndex, count);
    }

    /** Copies {@code count} floats (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getFloats(final int offset, final float[] dst, final int dstIndex, final int count)
    {
        MemorySegment.copy(segment, JAVA_FLOAT_UNALIGNED, offset, dst, dstIndex, count);
    }

    /** Copies {@code count} ints of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putInts(final int offset, final int[] src, final int srcIndex, final int count)
    {
        MemorySegment.copy(src, srcIndex, segment, JAVA_INT_UNALIGNED, offset, count);
    }

    /** Copies {@code count} floats of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putFloats(final int offset, final float[] src, final int srcIndex, final int count)
    {
        MemorySegment.copy(src, srcIndex, segment, JAVA_FLOAT_UNALIGNED, offset, count);
    }

    /**
     * @return a new buffer over {@code count} bytes from {@code offset}, position 0, for a channel's positional
     * write or a checksum; valid until {@link #close()}, like the region (allocates).
     */
    public ByteBuffer byteBuffer(final int offset, final int count)
    {
        if (!segment.scope().isAlive())
        {
            throw new IllegalStateException("the region is closed"); // a slice is no access, and would not check
        }
        return segment.asSlice(offset, count).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** @return whether {@link #close()} ran. */
    public boolean isClosed()
    {
        return !segment.scope().isAlive();
    }

    /**
     * Unmaps or frees the memory now (a region from {@link #wrap} or {@link #slice}: nothing); a second call does
     * nothing. Every later access, on any thread, throws
     * {@link IllegalStateException}.
     *
     * @throws IllegalStateException if a channel is reading or writing through a buffer from {@link #byteBuffer}
     *                               (nothing is released then: close again once it is done).
     */
    @Override
    public void close()
    {
        if (arena != null && segment.scope().isAlive())
        {
            arena.close();
        }
    }
}
