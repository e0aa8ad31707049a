package io.memsnap.internal.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.util.Objects;

import static io.memsnap.internal.memory.UnsafeAccess.BYTE_ARRAY_BASE;
import static io.memsnap.internal.memory.UnsafeAccess.FLOAT_ARRAY_BASE;
import static io.memsnap.internal.memory.UnsafeAccess.INT_ARRAY_BASE;
import static io.memsnap.internal.memory.UnsafeAccess.UNSAFE;

/**
 * A span of memory off the Java heap, at most 2 GiB: a read-only mapping of a range of a file
 * ({@link #mapReadOnly}) or memory of the process, zeroed ({@link #allocate}); read and written at byte offsets, in
 * the CPU's byte order, and released at once by {@link #close()}, never left to the garbage collector. It needs no
 * JVM flag on any JDK from 17 on.
 *
 * <p>This is the JDK 17 version, on {@code sun.misc.Unsafe} (module {@code jdk.unsupported}: no flag, and no warning
 * on JDK 17 to 21), laid out as Agrona's {@code UnsafeBuffer}: a base object ({@code null} off the heap, the array for
 * {@link #wrap}) and an address (or the array's base offset), so that an access is one bounds check and one
 * {@code Unsafe} load or store. The memory comes from {@link ByteBuffer#allocateDirect} or {@link FileChannel#map},
 * whose buffer the region keeps for {@link #byteBuffer} and for the release; its address is read from
 * {@code java.nio.Buffer.address} ({@link UnsafeAccess}). The multi-release jar holds another class of the same name
 * for JDK 22 and later ({@code src/main/java22}), on {@code java.lang.foreign}; the JVM loads one of the two, so a
 * call site only ever sees one final class, and the JVMs whose {@code sun.misc.Unsafe} warns (24 and later) never
 * load this one. Both have the same methods and the same contract; {@link #implementation()} says which one runs.
 *
 * <p><b>Bounds.</b> Every access checks its offset and size against the region's length, one unsigned compare
 * ({@link Objects#checkIndex}, which the JIT hoists out of a loop whose offsets grow linearly, as it does an array's
 * bounds checks), and throws {@link IndexOutOfBoundsException} outside it; a store into a read-only mapping throws
 * {@link ReadOnlyBufferException} (the same compare, against a writable length of zero), and an access by the thread
 * that closed the region, or by one that saw the close, {@link IllegalStateException}. The ordered accesses also
 * check that the address is aligned to their size ({@link IllegalArgumentException} otherwise): {@code Unsafe} would
 * not, and a misaligned one is not atomic. The bulk copies check the array's bounds as well.
 *
 * <p><b>Release.</b> {@link #close()} unmaps the mapping or frees the memory through the JDK's cleaner of the
 * buffer ({@code sun.misc.Unsafe.invokeCleaner}). A thread that reads the region after its close without having
 * seen it (no happens-before edge), or reads a slice of it, reads unmapped memory, which crashes the JVM: the caller
 * must know that no thread still reads it (the store's grace periods and reader counts). The JDK 22 version turns
 * every access after the close into an {@link IllegalStateException}, on every thread.
 *
 * <p><b>Concurrency.</b> The plain accessors have no ordering guarantee. {@link #getIntAcquire},
 * {@link #getLongAcquire}, {@link #getLongVolatile} and {@link #getByteVolatile} are {@code Unsafe}'s volatile loads
 * (at least acquire; on x86 and in the JMM's terms for these pairs, the same load); {@link #putIntRelease} and
 * {@link #putLongRelease} are its ordered stores ({@code putOrderedInt}, {@code putOrderedLong}: release stores, as
 * Agrona's {@code putIntOrdered}); {@link #putByteVolatile} and {@link #compareAndSetLong} are volatile. They pair as
 * their names say and need an offset aligned to their size. {@link #close()} must happen after every access, by a
 * happens-before edge the caller provides.
 */
public final class MemoryRegion implements AutoCloseable
{
    /** Bulk copies and fills go in steps of at most this many bytes, so that a safepoint waits for one step only (as
     * {@code java.nio.Bits} does). */
    private static final long COPY_STEP = 1L << 20;
    private static final long UNSIGNED_INT = 0xFFFF_FFFFL;

    /** The array of a heap region ({@link #wrap}), or null: the address is absolute. The accessors test it and call
     * {@code Unsafe}'s methods for raw addresses when it is null, which the JIT compiles as plain loads and stores of
     * native memory; given a base that may or may not be null, it fences each access and reloads every field. */
    private final byte[] array;
    /** The address of byte 0, or its offset in {@link #array}. */
    private final long address;
    /** The bytes an access may read: the length, 0 once closed. */
    private int readable;
    /** The bytes an access may write: the length, 0 for a read-only mapping and once closed. */
    private int writable;
    private final int length;
    private final boolean readOnly;
    /** The direct or mapped buffer of the memory (null for a heap region), from its byte 0; kept for
     * {@link #byteBuffer} and for the release. */
    private final ByteBuffer buffer;
    /** Where this region starts in {@link #buffer}, or in the array. */
    private final int bufferOffset;
    /** The region that owns the memory and releases it: this one, the parent of a slice, or null for a heap one. */
    private final MemoryRegion owner;
    private boolean closed;

    private MemoryRegion(
        final byte[] array,
        final long address,
        final int length,
        final boolean readOnly,
        final ByteBuffer buffer,
        final int bufferOffset,
        final MemoryRegion owner)
    {
        this.array = array;
        this.address = address;
        this.length = length;
        this.readable = length;
        this.writable = readOnly ? 0 : length;
        this.readOnly = readOnly;
        this.buffer = buffer;
        this.bufferOffset = bufferOffset;
        this.owner = owner == null && buffer != null ? this : owner;
    }

    private static MemoryRegion ofBuffer(final ByteBuffer buffer, final boolean readOnly)
    {
        return new MemoryRegion(null, UnsafeAccess.address(buffer), buffer.capacity(), readOnly, buffer, 0, null);
    }

    /**
     * @return {@code length} bytes of memory of the process, zeroed, at an address aligned to 8 bytes at least.
     * @throws OutOfMemoryError if the JVM's limit of direct memory ({@code -XX:MaxDirectMemorySize}) is reached.
     */
    public static MemoryRegion allocate(final int length)
    {
        return ofBuffer(ByteBuffer.allocateDirect(length), false);
    }

    /**
     * @return the most bytes {@link #allocate} may hold at once in this JVM, its limit of direct memory
     * ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum), or -1 if this JDK does not let it be read.
     */
    public static long allocationLimit()
    {
        try
        {
            return UnsafeAccess.directMemoryLimit();
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** @return a read-only mapping of {@code length} bytes of {@code channel}'s file from {@code position}. */
    public static MemoryRegion mapReadOnly(final FileChannel channel, final long position, final int length)
        throws IOException
    {
        return ofBuffer(channel.map(FileChannel.MapMode.READ_ONLY, position, length), true);
    }

    /**
     * @return a region over {@code array} on the heap, in the CPU's byte order: the same accessors for bytes that are
     * not off the heap (a record copied out of the log, a batch being built); its {@link #close()} releases nothing.
     */
    public static MemoryRegion wrap(final byte[] array)
    {
        return new MemoryRegion(array, BYTE_ARRAY_BASE, array.length, false, null, 0, null);
    }

    /**
     * @return a region over {@code length} bytes of this one from {@code offset}, sharing its memory: valid while
     * this region is, and its own {@link #close()} releases nothing.
     */
    public MemoryRegion slice(final int offset, final int length)
    {
        checkRead(offset, length);
        return new MemoryRegion(array, address + offset, length, readOnly, buffer, bufferOffset + offset, owner);
    }

    /**
     * @return which version of this class the JVM loaded: {@code "sun.misc.Unsafe"} here (a method, not a constant,
     * which the compiler would copy into the caller).
     */
    public static String implementation()
    {
        return "sun.misc.Unsafe";
    }

    public int length()
    {
        return length;
    }

    public byte getByte(final int offset)
    {
        final long at = address + readIndex(offset, Byte.BYTES);
        final byte[] array = this.array;
        return array == null ? UNSAFE.getByte(at) : UNSAFE.getByte(array, at);
    }

    public short getShort(final int offset)
    {
        final long at = address + readIndex(offset, Short.BYTES);
        final byte[] array = this.array;
        return array == null ? UNSAFE.getShort(at) : UNSAFE.getShort(array, at);
    }

    public int getInt(final int offset)
    {
        final long at = address + readIndex(offset, Integer.BYTES);
        final byte[] array = this.array;
        return array == null ? UNSAFE.getInt(at) : UNSAFE.getInt(array, at);
    }

    public long getLong(final int offset)
    {
        final long at = address + readIndex(offset, Long.BYTES);
        final byte[] array = this.array;
        return array == null ? UNSAFE.getLong(at) : UNSAFE.getLong(array, at);
    }

    public float getFloat(final int offset)
    {
        final long at = address + readIndex(offset, Float.BYTES);
        final byte[] array = this.array;
        return array == null ? UNSAFE.getFloat(at) : UNSAFE.getFloat(array, at);
    }

    public byte getByteVolatile(final int offset)
    {
        return UNSAFE.getByteVolatile(array, address + readIndex(offset, Byte.BYTES));
    }

    public int getIntAcquire(final int offset)
    {
        return UNSAFE.getIntVolatile(array, alignedRead(offset, Integer.BYTES));
    }

    public long getLongAcquire(final int offset)
    {
        return UNSAFE.getLongVolatile(array, alignedRead(offset, Long.BYTES));
    }

    public long getLongVolatile(final int offset)
    {
        return UNSAFE.getLongVolatile(array, alignedRead(offset, Long.BYTES));
    }

    /** @return whether the long at {@code offset} (aligned to 8) was {@code expected} and is now {@code value}. */
    public boolean compareAndSetLong(final int offset, final long expected, final long value)
    {
        return UNSAFE.compareAndSwapLong(array, alignedWrite(offset, Long.BYTES), expected, value);
    }

    public void putByte(final int offset, final byte value)
    {
        final long at = address + writeIndex(offset, Byte.BYTES);
        final byte[] array = this.array;
        if (array == null)
        {
            UNSAFE.putByte(at, value);
        }
        else
        {
            UNSAFE.putByte(array, at, value);
        }
    }

    public void putShort(final int offset, final short value)
    {
        final long at = address + writeIndex(offset, Short.BYTES);
        final byte[] array = this.array;
        if (array == null)
        {
            UNSAFE.putShort(at, value);
        }
        else
        {
            UNSAFE.putShort(array, at, value);
        }
    }

    public void putInt(final int offset, final int value)
    {
        final long at = address + writeIndex(offset, Integer.BYTES);
        final byte[] array = this.array;
        if (array == null)
        {
            UNSAFE.putInt(at, value);
        }
        else
        {
            UNSAFE.putInt(array, at, value);
        }
    }

    public void putLong(final int offset, final long value)
    {
        final long at = address + writeIndex(offset, Long.BYTES);
        final byte[] array = this.array;
        if (array == null)
        {
            UNSAFE.putLong(at, value);
        }
        else
        {
            UNSAFE.putLong(array, at, value);
        }
    }

    public void putFloat(final int offset, final float value)
    {
        final long at = address + writeIndex(offset, Float.BYTES);
        final byte[] array = this.array;
        if (array == null)
        {
            UNSAFE.putFloat(at, value);
        }
        else
        {
            UNSAFE.putFloat(array, at, value);
        }
    }

    public void putByteVolatile(final int offset, final byte value)
    {
        UNSAFE.putByteVolatile(array, address + writeIndex(offset, Byte.BYTES), value);
    }

    public void putIntRelease(final int offset, final int value)
    {
        UNSAFE.putOrderedInt(array, alignedWrite(offset, Integer.BYTES), value);
    }

    public void putLongRelease(final int offset, final long value)
    {
        UNSAFE.putOrderedLong(array, alignedWrite(offset, Long.BYTES), value);
    }

    /** Sets {@code count} bytes from {@code offset} to {@code value}. */
    public void setMemory(final int offset, final int count, final byte value)
    {
        checkWrite(offset, count);
        long at = address + offset;
        long left = count;
        while (left > 0)
        {
            final long step = Math.min(left, COPY_STEP);
            UNSAFE.setMemory(array, at, step, value);
            at += step;
            left -= step;
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
        checkRead(indicesOffset, (long)count * Integer.BYTES);
        checkRead(valuesOffset, (long)count * Float.BYTES);
        final int n = Math.min(indices.length, values.length);
        final byte[] array = this.array;
        final long ib = address + indicesOffset;
        final long vb = address + valuesOffset;
        double sum = 0;
        int a = 0;
        int b = 0;
        while (a < count && b < n)
        {
            final long at = (long)a << 2;
            final int ia = array == null ? UNSAFE.getInt(ib + at) : UNSAFE.getInt(array, ib + at);
            final int ob = indices[b];
            if (ia == ob)
            {
                sum += (double)(array == null ? UNSAFE.getFloat(vb + at) : UNSAFE.getFloat(array, vb + at)) * values[b];
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
        checkRead(indicesOffset, (long)count * Integer.BYTES);
        checkRead(valuesOffset, (long)count * Float.BYTES);
        final int[] table = dot.table();
        final int shift = dot.shift();
        final int[] indices = dot.indices();
        final float[] values = dot.values();
        final int n = dot.count();
        if (n == 0)
        {
            return 0;
        }
        final byte[] array = this.array;
        final long ib = address + indicesOffset;
        final long vb = address + valuesOffset;
        double sum = 0;
        for (int a = 0; a < count; a++)
        {
            final long at = (long)a << 2;
            final int index = array == null ? UNSAFE.getInt(ib + at) : UNSAFE.getInt(array, ib + at);
            final float value = array == null ? UNSAFE.getFloat(vb + at) : UNSAFE.getFloat(array, vb + at);
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
        checkRead(offset, count);
        final byte[] array = this.array;
        final long at = address + offset;
        for (int i = 0; i < count; i++)
        {
            final byte b = array == null ? UNSAFE.getByte(at + i) : UNSAFE.getByte(array, at + i);
            if (s.charAt(i) != b)
            {
                return false;
            }
        }
        return true;
    }

    /** Copies {@code count} bytes from {@code offset} to {@code dst} at {@code dstOffset}; the two may overlap. */
    public void copyTo(final int offset, final MemoryRegion dst, final int dstOffset, final int count)
    {
        checkRead(offset, count);
        dst.checkWrite(dstOffset, count);
        copy(array, address + offset, dst.array, dst.address + dstOffset, count);
    }

    /** Copies {@code count} bytes from {@code offset} into {@code dst} at {@code dstIndex}. */
    public void getBytes(final int offset, final byte[] dst, final int dstIndex, final int count)
    {
        checkRead(offset, count);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        copy(array, address + offset, dst, BYTE_ARRAY_BASE + dstIndex, count);
    }

    /** Copies {@code count} bytes of {@code src} from {@code srcIndex} to {@code offset}. */
    public void putBytes(final int offset, final byte[] src, final int srcIndex, final int count)
    {
        checkWrite(offset, count);
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        copy(src, BYTE_ARRAY_BASE + srcIndex, array, address + offset, count);
    }

    /** Copies {@code count} ints (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getInts(final int offset, final int[] dst, final int dstIndex, final int count)
    {
        final long bytes = (long)count * Integer.BYTES;
        checkRead(offset, bytes);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        copy(array, address + offset, dst, INT_ARRAY_BASE + (long)dstIndex * Integer.BYTES, bytes);
    }

    /** Copies {@code count} floats (4 bytes each, the CPU's order) from {@code offset} into {@code dst}. */
    public void getFloats(final int offset, final float[] dst, final int dstIndex, final int count)
    {
        final long bytes = (long)count * Float.BYTES;
        checkRead(offset, bytes);
        Objects.checkFromIndexSize(dstIndex, count, dst.length);
        copy(array, address + offset, dst, FLOAT_ARRAY_BASE + (long)dstIndex * Float.BYTES, bytes);
    }

    /** Copies {@code count} ints of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putInts(final int offset, final int[] src, final int srcIndex, final int count)
    {
        final long bytes = (long)count * Integer.BYTES;
        checkWrite(offset, bytes);
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        copy(src, INT_ARRAY_BASE + (long)srcIndex * Integer.BYTES, array, address + offset, bytes);
    }

    /** Copies {@code count} floats of {@code src} from {@code srcIndex} to {@code offset}, in the CPU's order. */
    public void putFloats(final int offset, final float[] src, final int srcIndex, final int count)
    {
        final long bytes = (long)count * Float.BYTES;
        checkWrite(offset, bytes);
        Objects.checkFromIndexSize(srcIndex, count, src.length);
        copy(src, FLOAT_ARRAY_BASE + (long)srcIndex * Float.BYTES, array, address + offset, bytes);
    }

    /**
     * @return a new buffer over {@code count} bytes from {@code offset}, position 0, in the CPU's order, for a
     * channel's positional write or a checksum; valid until {@link #close()}, like the region (allocates). A
     * read-only mapping's buffer is read-only.
     */
    public ByteBuffer byteBuffer(final int offset, final int count)
    {
        checkRead(offset, count);
        final ByteBuffer whole = buffer != null ? buffer : ByteBuffer.wrap(array);
        return whole.slice(bufferOffset + offset, count).order(ByteOrder.nativeOrder());
    }

    /** @return whether {@link #close()} ran on the region that owns the memory (a heap region's: never). */
    public boolean isClosed()
    {
        return owner != null && owner.closed;
    }

    /**
     * Unmaps or frees the memory now (a region from {@link #wrap} or {@link #slice}: nothing); a second call does
     * nothing. The caller guarantees that no thread reads or writes the region any more, nor a slice of it or a
     * buffer from {@link #byteBuffer}; an access by a thread that saw the close throws {@link IllegalStateException}.
     */
    @Override
    public void close()
    {
        if (owner == this && !closed)
        {
            closed = true;
            readable = 0;
            writable = 0;
            UnsafeAccess.release(buffer);
        }
    }

    private static void copy(
        final Object srcBase, final long srcAddress, final Object dstBase, final long dstAddress, final long count)
    {
        long from = srcAddress;
        long to = dstAddress;
        long left = count;
        while (left > 0)
        {
            final long step = Math.min(left, COPY_STEP);
            UNSAFE.copyMemory(srcBase, from, dstBase, to, step);
            from += step;
            to += step;
            left -= step;
        }
    }

    /**
     * @return {@code offset} if {@code size} bytes from it lie within the readable length: one unsigned compare,
     * {@link Objects#checkIndex}, which the JIT knows as a range check and can hoist out of a loop whose offsets
     * grow linearly, as it does an array's.
     */
    private int readIndex(final int offset, final int size)
    {
        try
        {
            return Objects.checkIndex(offset, readable - size + 1);
        }
        catch (final IndexOutOfBoundsException e)
        {
            throw outside(offset, size, false);
        }
    }

    /** @return {@code offset} if {@code size} bytes from it lie within the writable length (as {@link #readIndex}). */
    private int writeIndex(final int offset, final int size)
    {
        try
        {
            return Objects.checkIndex(offset, writable - size + 1);
        }
        catch (final IndexOutOfBoundsException e)
        {
            throw outside(offset, size, true);
        }
    }

    private long alignedRead(final int offset, final int size)
    {
        return aligned(address + readIndex(offset, size), size);
    }

    private long alignedWrite(final int offset, final int size)
    {
        return aligned(address + writeIndex(offset, size), size);
    }

    private static long aligned(final long at, final int size)
    {
        if ((at & (size - 1)) != 0)
        {
            throw new IllegalArgumentException("misaligned access: " + size + " bytes at address " + at);
        }
        return at;
    }

    private void checkRead(final int offset, final long bytes)
    {
        checkRange(offset, bytes, readable, false);
    }

    private void checkWrite(final int offset, final long bytes)
    {
        checkRange(offset, bytes, writable, true);
    }

    /** Checks that {@code bytes} (not negative) from {@code offset} lie within the first {@code limit} bytes. */
    private void checkRange(final int offset, final long bytes, final int limit, final boolean write)
    {
        if (bytes < 0 || (offset & UNSIGNED_INT) + bytes > limit)
        {
            throw outside(offset, bytes, write);
        }
    }

    /** The exception for an access that failed its bounds check: built off the fast path. */
    private RuntimeException outside(final int offset, final long count, final boolean write)
    {
        if (closed)
        {
            return new IllegalStateException("the region is closed");
        }
        final boolean inside = offset >= 0 && count >= 0 && offset + count <= length;
        if (write && readOnly && inside)
        {
            return new ReadOnlyBufferException();
        }
        return new IndexOutOfBoundsException(
            "access of " + count + " bytes at offset " + offset + " outside a region of " + length + " bytes");
    }
}
