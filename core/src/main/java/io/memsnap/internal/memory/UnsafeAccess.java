package io.memsnap.internal.memory;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * {@code sun.misc.Unsafe} for the JDK 17 version of {@link MemoryRegion}: the loads, stores and copies, the address
 * of a direct buffer, and the release of one ({@code invokeCleaner}). Module {@code jdk.unsupported} exports and
 * opens {@code sun.misc} to every class, so none of it needs a JVM flag on JDK 17 to 21. From JDK 23 on these methods
 * are deprecated for removal and warn at their first call (JEP 471, JEP 498); the JDK 22 version of
 * {@link MemoryRegion} does not use this class, so the JVMs that would warn never load it.
 *
 * <p>The address of a direct or mapped buffer is the field {@code java.nio.Buffer.address}, read at the offset that
 * {@code Unsafe.objectFieldOffset} gives for it: that method refuses the fields of hidden classes and records only,
 * and {@code getDeclaredField} needs no access check, so neither needs {@code --add-opens}.
 *
 * <p>Thread safe: stateless.
 */
final class UnsafeAccess
{
    static final sun.misc.Unsafe UNSAFE = unsafe();
    static final long BYTE_ARRAY_BASE = UNSAFE.arrayBaseOffset(byte[].class);
    static final long INT_ARRAY_BASE = UNSAFE.arrayBaseOffset(int[].class);
    static final long FLOAT_ARRAY_BASE = UNSAFE.arrayBaseOffset(float[].class);
    private static final long ADDRESS_FIELD = addressField();

    private UnsafeAccess()
    {
    }

    /**
     * @return the JVM's limit of direct buffer memory as {@code java.nio.Bits} enforces it ({@code MAX_MEMORY}:
     * {@code -XX:MaxDirectMemorySize}, by default the heap's maximum), read at the offset that
     * {@code Unsafe.staticFieldOffset} gives for the field, so with no {@code --add-exports} or {@code --add-opens}.
     * @throws ReflectiveOperationException if this JDK's {@code java.nio.Bits} has no such field.
     */
    static long directMemoryLimit() throws ReflectiveOperationException
    {
        // Class.forName initialises Bits, so MAX_MEMORY holds its value.
        final Field max = Class.forName("java.nio.Bits").getDeclaredField("MAX_MEMORY");
        if (max.getType() != long.class)
        {
            throw new NoSuchFieldException("java.nio.Bits.MAX_MEMORY is not a long");
        }
        return UNSAFE.getLongVolatile(UNSAFE.staticFieldBase(max), UNSAFE.staticFieldOffset(max));
    }

    /** @return the address of {@code buffer}'s first byte (its index 0); it must be a direct buffer. */
    static long address(final ByteBuffer buffer)
    {
        if (!buffer.isDirect())
        {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return UNSAFE.getLong(buffer, ADDRESS_FIELD);
    }

    /** Unmaps or frees {@code buffer}; it must be a direct buffer that no thread uses any more, not a slice. */
    static void release(final ByteBuffer buffer)
    {
        UNSAFE.invokeCleaner(buffer);
    }

    private static sun.misc.Unsafe unsafe()
    {
        try
        {
            final Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return (sun.misc.Unsafe)theUnsafe.get(null);
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new ExceptionInInitializerError(new IllegalStateException("this JVM has no usable " +
                "sun.misc.Unsafe (module jdk.unsupported): memsnap needs it on JDK 17 to 21; run on a JDK that has " +
                "the module, or on JDK 22 or later", e));
        }
    }

    private static long addressField()
    {
        try
        {
            return UNSAFE.objectFieldOffset(Buffer.class.getDeclaredField("address"));
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new ExceptionInInitializerError(new IllegalStateException("no field java.nio.Buffer.address " +
                "in this JVM: memsnap reads a direct buffer's address from it on JDK 17 to 21", e));
        }
    }
}
