package io.memsnap.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import static io.memsnap.bench.MemoryAccessLayout.*;
import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.COUNT_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_LENGTH;
import static io.memsnap.internal.format.IndexPageDescriptor.slotOffset;

/**
 * The benchmarked operations written against a {@link ByteBuffer}'s absolute gets, for a direct or mapped buffer
 * ({@link MemoryAccessBenchmark}) and for a buffer of a memory segment ({@code MemorySegmentAccessBenchmark}); apart
 * from the Agrona benchmarks, whose JVM needs a flag, so that the segment's fork needs none.
 *
 * <p>Thread safe: stateless.
 */
final class MemoryAccessBuffers
{
    private static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private MemoryAccessBuffers()
    {
    }

    /** A lookup's scan of the bucket page at {@code o} for {@link MemoryAccessLayout#ABSENT_HASH}. */
    static int bucketScan(final ByteBuffer b, final int o)
    {
        final int count = Math.min((int)INTS.getAcquire(b, o + COUNT_OFFSET), BUCKET_SLOTS);
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

    /** @return whether the ASCII bytes at {@code o} are {@code id}'s chars. */
    static boolean idEquals(final ByteBuffer b, final int o, final String id)
    {
        final int length = id.length();
        for (int i = 0; i < length; i++)
        {
            if (id.charAt(i) != b.get(o + i))
            {
                return false;
            }
        }
        return true;
    }

    /** Copies the {@value MemoryAccessLayout#NNZ} floats at byte {@code from} of the view's buffer. */
    static float[] copyValues(final FloatBuffer floats, final int from, final float[] dst)
    {
        floats.get(from / Float.BYTES, dst, 0, NNZ);
        return dst;
    }

    /** {@code EntryView.dot}'s merge over the record at {@code offset}. */
    static double dot(final ByteBuffer record, final int offset, final int[] oi, final float[] ov)
    {
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
}
