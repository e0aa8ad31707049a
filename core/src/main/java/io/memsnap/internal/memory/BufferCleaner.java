package io.memsnap.internal.memory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Releases a direct or mapped {@link ByteBuffer} at once, through {@code sun.misc.Unsafe.invokeCleaner} (JDK 9 and
 * later), which module {@code jdk.unsupported} exports and opens to every class: no JVM flag is needed. Only the
 * JDK 17 version of {@link MemoryRegion} uses it; from JDK 23 on the method is deprecated for removal and warns on
 * its first call (JEP 471, JEP 498), and the JDK 22 version releases memory by closing an arena instead.
 *
 * <p>Thread safe: stateless.
 */
final class BufferCleaner
{
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private BufferCleaner()
    {
    }

    /** Unmaps or frees {@code buffer}; it must be a direct buffer that no thread uses any more, not a slice. */
    static void clean(final ByteBuffer buffer)
    {
        try
        {
            INVOKE_CLEANER.invokeExact(buffer);
        }
        catch (final RuntimeException | Error e)
        {
            throw e;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("could not release a direct buffer", t);
        }
    }

    private static MethodHandle invokeCleaner()
    {
        try
        {
            final Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            final Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                .bindTo(theUnsafe.get(null));
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            throw new ExceptionInInitializerError(new IllegalStateException("this JVM has no " +
                "sun.misc.Unsafe.invokeCleaner (module jdk.unsupported): memsnap needs it on JDK 17 to 21 to unmap " +
                "files; run on a JDK that has the module, or on JDK 22 or later", e));
        }
    }
}
