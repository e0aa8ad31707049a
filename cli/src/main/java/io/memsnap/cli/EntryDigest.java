package io.memsnap.cli;

import io.memsnap.EntryView;
import io.memsnap.EntryVisitor;
import io.memsnap.SparseVector;

/**
 * A 64-bit digest of an entry's id, vector, importance and timestamp, summed over entries so that the order of a
 * scan does not matter. Computed the same way from what was written and, without allocating, from what is read.
 * Not thread safe.
 */
final class EntryDigest implements EntryVisitor
{
    long value;

    static long of(final String id, final SparseVector v, final float importance, final long storedAt)
    {
        long h = mix(id.hashCode()) ^ mix(Float.floatToRawIntBits(importance)) * 31 ^ mix(storedAt) * 17;
        for (int i = 0; i < v.nnz(); i++)
        {
            h = h * 0x9E3779B97F4A7C15L + mix(((long)v.index(i) << 32) | (Float.floatToRawIntBits(v.value(i)) &
                0xFFFF_FFFFL));
        }
        return h;
    }

    @Override
    public void visit(final EntryView e)
    {
        long idHash = 0;
        final String id = e.id();
        idHash = id.hashCode();
        long h = mix(idHash) ^ mix(Float.floatToRawIntBits(e.importance())) * 31 ^ mix(e.storedAtMillis()) * 17;
        for (int i = 0; i < e.nnz(); i++)
        {
            h = h * 0x9E3779B97F4A7C15L + mix(((long)e.index(i) << 32) | (Float.floatToRawIntBits(e.value(i)) &
                0xFFFF_FFFFL));
        }
        value = h;
    }

    private static long mix(final long k)
    {
        long h = k * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        return h * 0x9E3779B97F4A7C15L;
    }
}
