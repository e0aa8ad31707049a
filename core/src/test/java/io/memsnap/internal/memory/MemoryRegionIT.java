package io.memsnap.internal.memory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link MemoryRegionTest} against the multi-release jar, in a JVM started with no flag (failsafe's fork): the JVM
 * loads the version of {@link MemoryRegion} made for it, and it works there without {@code --add-exports} or
 * {@code --enable-native-access}.
 */
class MemoryRegionIT extends MemoryRegionTest
{
    @Test
    void theJvmLoadsTheVersionForItsFeatureRelease()
    {
        final boolean foreign = Runtime.version().feature() >= 22;
        assertEquals(foreign ? "java.lang.foreign" : "sun.misc.Unsafe", MemoryRegion.implementation(),
            "a jar built on JDK " + (foreign ? "22 or later" : "17 to 21") + " running on " + Runtime.version() +
                " (a jar built on 17 holds no JDK 22 version: build releases on 22 or later)");
    }

    @Test
    void agronasUnsafeBufferNeedsTheFlagThatThisJvmWasNotGiven()
    {
        assertThrows(IllegalAccessError.class, () -> new UnsafeBuffer(ByteBuffer.allocateDirect(8)).getLong(0),
            "Agrona 2.x reaches jdk.internal.misc.Unsafe: without --add-exports it cannot run, MemoryRegion can");
    }

    @Test
    void onJdk22AnotherThreadThatReadsAfterTheCloseGetsAnExceptionNotACrash() throws InterruptedException
    {
        assumeTrue(MemoryRegion.implementation().equals("java.lang.foreign"), "only the JDK 22 version promises it");
        final MemoryRegion r = MemoryRegion.allocate(64);
        r.putLong(8, 42);
        r.close();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                r.getLongAcquire(8);
            }
            catch (final Throwable t)
            {
                failure.set(t);
            }
        });
        reader.start();
        reader.join(60_000);
        assertFalse(reader.isAlive(), "the reader did not finish");
        assertInstanceOf(IllegalStateException.class, failure.get());
    }
}
