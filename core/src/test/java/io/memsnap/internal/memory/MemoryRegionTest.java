package io.memsnap.internal.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract of {@link MemoryRegion}, which both versions keep: here the version on the class path, which the
 * build makes the jar on JDK 22 and later (core/pom.xml, profile java22), so that the JVM loads the JDK 22 version
 * there (a directory of classes is not a multi-release jar: from one, every JDK loads the JDK 17 version);
 * {@link MemoryRegionIT} runs the same tests against the jar in a JVM given no flag.
 */
class MemoryRegionTest
{
    private static final Path PROC_MAPS = Path.of("/proc/self/maps");

    @TempDir
    Path dir;

    @Test
    void theSuiteTestsTheVersionThatTheBuildSaysItDoes()
    {
        final String expected = System.getProperty("memsnap.test.memoryRegion");
        assumeTrue(expected != null, "set by core/pom.xml for surefire's run");
        assertEquals(expected, MemoryRegion.implementation(), "on JDK 22 and later surefire must test the JDK 22 " +
            "version, from the multi-release jar; from target/classes the JVM loads the JDK 17 one");
    }

    @Test
    void allocatedMemoryIsZeroedAndReadsBackEveryTypeAtUnalignedOffsetsInTheCpusOrder()
    {
        try (MemoryRegion r = MemoryRegion.allocate(4096))
        {
            assertEquals(4096, r.length());
            for (int i = 0; i < 4096; i += 512)
            {
                assertEquals(0L, r.getLong(i), "zeroed at " + i);
            }
            r.putByte(1, (byte)-7);
            r.putShort(3, (short)-12345);
            r.putInt(5, 0x1234_5678);
            r.putLong(9, 0x0102_0304_0506_0708L);
            r.putFloat(17, 3.25f);
            assertEquals(-7, r.getByte(1));
            assertEquals(-12345, r.getShort(3));
            assertEquals(0x1234_5678, r.getInt(5));
            assertEquals(0x0102_0304_0506_0708L, r.getLong(9));
            assertEquals(3.25f, r.getFloat(17));

            final byte[] raw = new byte[8];
            r.getBytes(9, raw, 0, 8);
            assertEquals(0x0102_0304_0506_0708L, ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getLong());
            assertEquals(0x0102_0304_0506_0708L, r.byteBuffer(9, 8).getLong(0), "the buffer is in the CPU's order");
        }
    }

    @Test
    void orderedAccessesReadWhatTheyWroteAndRefuseAMisalignedOffset()
    {
        try (MemoryRegion r = MemoryRegion.allocate(64))
        {
            r.putIntRelease(8, 77);
            r.putLongRelease(16, -5L);
            r.putByteVolatile(3, (byte)9);
            assertEquals(77, r.getIntAcquire(8));
            assertEquals(-5L, r.getLongAcquire(16));
            assertEquals(9, r.getByteVolatile(3));
            assertEquals(77, r.getInt(8));
            assertThrows(RuntimeException.class, () -> r.getLongAcquire(12));
            assertThrows(RuntimeException.class, () -> r.putIntRelease(2, 1));
        }
    }

    @Test
    void bulkCopiesOfIntsFloatsAndBytesAtAlignedAndUnalignedOffsets()
    {
        final int[] ints = {1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE};
        final float[] floats = {0.5f, -1.25f, Float.MIN_VALUE, 1e30f, Float.NaN};
        final byte[] bytes = {10, 20, 30, -40};
        try (MemoryRegion r = MemoryRegion.allocate(256))
        {
            for (final int offset : new int[] {0, 4, 33, 70})
            {
                r.putInts(offset, ints, 0, ints.length);
                final int[] intsBack = new int[ints.length + 2];
                r.getInts(offset, intsBack, 1, ints.length);
                assertEquals(ints[3], r.getInt(offset + 3 * Integer.BYTES), "one int at a time, at " + offset);
                assertArrayEquals(ints, java.util.Arrays.copyOfRange(intsBack, 1, ints.length + 1), "at " + offset);

                r.putFloats(offset + 100, floats, 1, 3);
                final float[] floatsBack = new float[3];
                r.getFloats(offset + 100, floatsBack, 0, 3);
                assertArrayEquals(new float[] {floats[1], floats[2], floats[3]}, floatsBack, "at " + offset);
                assertEquals(floats[2], r.getFloat(offset + 100 + Float.BYTES));

                r.putBytes(offset + 150, bytes, 1, 3);
                final byte[] bytesBack = new byte[3];
                r.getBytes(offset + 150, bytesBack, 0, 3);
                assertArrayEquals(new byte[] {20, 30, -40}, bytesBack, "at " + offset);
            }
        }
    }

    @Test
    void anArraysRegionASliceFillsCopiesAndCompareAndSetShareOneContract()
    {
        final byte[] array = new byte[64];
        final MemoryRegion heap = MemoryRegion.wrap(array);
        heap.putInt(5, 0x0A0B_0C0D);
        assertEquals(0x0A0B_0C0D, ByteBuffer.wrap(array).order(ByteOrder.nativeOrder()).getInt(5), "writes the array");
        heap.setMemory(20, 9, (byte)7);
        assertEquals(0, array[19]);
        assertEquals(7, array[20]);
        assertEquals(7, array[28]);
        assertEquals(0, array[29]);
        heap.close();
        assertEquals(7, array[28], "closing an array's region releases nothing");

        try (MemoryRegion r = MemoryRegion.allocate(128))
        {
            r.putLong(64, 41L);
            final MemoryRegion slice = r.slice(64, 32);
            assertEquals(32, slice.length());
            assertEquals(41L, slice.getLong(0));
            slice.putInt(8, 99);
            assertEquals(99, r.getInt(72), "a slice shares the memory");
            assertThrows(IndexOutOfBoundsException.class, () -> slice.getLong(28));
            slice.close();
            assertEquals(41L, r.getLong(64), "closing a slice releases nothing");

            assertTrue(r.compareAndSetLong(64, 41L, 42L));
            assertFalse(r.compareAndSetLong(64, 41L, 43L));
            assertEquals(42L, r.getLongVolatile(64));

            final MemoryRegion other = MemoryRegion.wrap(new byte[16]);
            r.copyTo(69, other, 3, 6);
            assertEquals(r.getInt(72), other.getInt(6));
            assertEquals(0, other.getByte(2));
            assertEquals(0, other.getByte(9));
        }
    }

    @Test
    void aSparseDotAndAnAsciiCompareReadInPlaceWithTheRangeCheckedOnce()
    {
        final int[] indices = {2, 5, 9, 14, 40};
        final float[] values = {0.5f, -2f, 3f, 1.25f, 7f};
        final int[] query = {1, 5, 9, 40, 41};
        final float[] queryValues = {9f, 2f, -1f, 0.5f, 3f};
        final double expected = -2.0 * 2 + 3.0 * -1 + 7.0 * 0.5;
        for (final MemoryRegion r : new MemoryRegion[] {MemoryRegion.allocate(256), MemoryRegion.wrap(new byte[256])})
        {
            try (r)
            {
                for (final int at : new int[] {0, 3, 61})
                {
                    r.putInts(at, indices, 0, indices.length);
                    r.putFloats(at + 20, values, 0, values.length);
                    assertEquals(expected, r.sparseDot(at, at + 20, 5, query, queryValues), 1e-9, "at " + at);
                    assertEquals(0.0, r.sparseDot(at, at + 20, 0, query, queryValues), "no non-zeros");
                    assertEquals(-2.0 * 2, r.sparseDot(at, at + 20, 2, query, queryValues), 1e-9, "a prefix");
                }
                assertThrows(IndexOutOfBoundsException.class, () -> r.sparseDot(250, 0, 5, query, queryValues));
                assertThrows(IndexOutOfBoundsException.class, () -> r.sparseDot(0, 240, 5, query, queryValues));

                final String id = "memory-0000042-abcdefghij"; // 25 chars: three words and a tail
                r.putBytes(100, id.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, id.length());
                assertTrue(r.equalsAscii(100, id, id.length()));
                assertTrue(r.equalsAscii(100, id, 3), "a prefix");
                assertFalse(r.equalsAscii(100, "memory-0000042-abcdefghiJ", id.length()), "the tail differs");
                assertFalse(r.equalsAscii(100, "memorY-0000042-abcdefghij", id.length()), "a word differs");
                assertFalse(r.equalsAscii(100, "memory-0000042-abcdefgh\u00e9j", id.length()), "not ASCII");
                assertThrows(IndexOutOfBoundsException.class, () -> r.equalsAscii(240, id, id.length()));
            }
        }
    }

    @Test
    void anAccessOutsideTheRegionThrowsInsteadOfReadingPastIt()
    {
        try (MemoryRegion r = MemoryRegion.allocate(64))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(57));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getByte(64));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getByte(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putInt(61, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getInts(60, new int[2], 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getFloats(58, new float[2], 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getBytes(60, new byte[8], 0, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.byteBuffer(60, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(Integer.MIN_VALUE));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putLong(Integer.MAX_VALUE - 3, 1L));
            assertThrows(IndexOutOfBoundsException.class, () -> r.slice(60, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.setMemory(60, 8, (byte)1));
            assertThrows(IndexOutOfBoundsException.class, () -> r.copyTo(0, MemoryRegion.wrap(new byte[4]), 0, 8));
        }
        try (MemoryRegion small = MemoryRegion.allocate(4))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> small.getLong(0), "a region shorter than the access");
        }
    }

    @Test
    void aBulkCopyChecksTheArraysBoundsToo()
    {
        try (MemoryRegion r = MemoryRegion.allocate(64))
        {
            assertThrows(IndexOutOfBoundsException.class, () -> r.getInts(0, new int[2], 1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getFloats(0, new float[2], -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.getBytes(0, new byte[8], 4, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putBytes(0, new byte[8], 4, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putInts(0, new int[2], 1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> r.putFloats(0, new float[2], 2, 1));
        }
    }

    @Test
    void aCopyWithinOneRegionMayOverlap()
    {
        try (MemoryRegion r = MemoryRegion.allocate(64))
        {
            for (int i = 0; i < 16; i++)
            {
                r.putByte(i, (byte)i);
            }
            r.copyTo(0, r, 4, 16);
            for (int i = 0; i < 16; i++)
            {
                assertEquals(i, r.getByte(4 + i), "at " + (4 + i));
            }
        }
    }

    @Test
    void aReadOnlyMappingReadsTheFileFromItsPositionAndRefusesWrites() throws IOException
    {
        final Path file = fileOf(8192);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             MemoryRegion r = MemoryRegion.mapReadOnly(channel, 4096, 4096))
        {
            assertEquals(4096, r.length());
            assertEquals(expectedByte(4096), r.getByte(0));
            assertEquals(expectedByte(8191), r.getByte(4095));
            final ByteBuffer expected = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.nativeOrder());
            assertEquals(expected.getLong(4096 + 13), r.getLong(13));
            assertThrows(RuntimeException.class, () -> r.putByte(0, (byte)1));
            assertThrows(RuntimeException.class, () -> r.putInts(0, new int[] {1}, 0, 1));
            assertEquals(expected.getLong(4096), r.getLong(0), "a refused write changed nothing");
        }
    }

    @Test
    void closeUnmapsTheFileAtOnceAndASecondCloseDoesNothing() throws IOException
    {
        assumeTrue(Files.isReadable(PROC_MAPS), "needs /proc/self/maps (Linux)");
        final Path file = fileOf(1 << 20);
        final MemoryRegion r;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            r = MemoryRegion.mapReadOnly(channel, 0, 1 << 20);
        }
        assertEquals(expectedByte(777), r.getByte(777));
        assertTrue(mapped(file), "mapped while open");
        assertFalse(r.isClosed());

        r.close();
        assertTrue(r.isClosed());
        assertFalse(mapped(file), "unmapped by close, not by a later garbage collection");
        r.close();
        assertTrue(r.isClosed());
    }

    @Test
    void theClosingThreadGetsAnExceptionNotACrashWhenItReadsAfterTheClose()
    {
        final MemoryRegion r = MemoryRegion.allocate(64);
        r.putLong(0, 42);
        r.close();
        assertThrows(RuntimeException.class, () -> r.getLong(0));
        assertThrows(RuntimeException.class, () -> r.getInts(0, new int[2], 0, 2));
        assertThrows(RuntimeException.class, () -> r.byteBuffer(0, 8));
    }

    private Path fileOf(final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = expectedByte(i);
        }
        return Files.write(dir.resolve("region.bin"), bytes);
    }

    private static byte expectedByte(final int position)
    {
        return (byte)(position * 31 + (position >>> 8));
    }

    private static boolean mapped(final Path file) throws IOException
    {
        final String name = file.toRealPath().toString();
        final List<String> lines = Files.readAllLines(PROC_MAPS);
        return lines.stream().anyMatch(line -> line.endsWith(name));
    }
}
