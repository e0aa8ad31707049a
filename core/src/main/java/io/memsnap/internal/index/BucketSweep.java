package io.memsnap.internal.index;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;

/**
 * A writer's walk over the buckets of a {@link HashIndex} ({@link HashIndex#sweep}), one bucket a step, with the
 * slots the last step collected: their positions in the bucket, hashes and addresses. Reused from step to step and
 * from walk to walk, so a walk allocates nothing.
 *
 * <p>Not thread safe: the writer's own, used under the store's write lock.
 */
public final class BucketSweep
{
    private static final long END = 1L << 32;

    final int[] slots = new int[BUCKET_SLOTS];
    final long[] hashes = new long[BUCKET_SLOTS];
    final long[] addresses = new long[BUCKET_SLOTS];
    long cursor;
    int count;

    /** Starts a new walk at the first bucket. */
    public void restart()
    {
        cursor = 0;
        count = 0;
    }

    /** @return whether the walk has met every bucket. */
    public boolean done()
    {
        return cursor >= END;
    }

    /** @return how many slots the last step collected. */
    public int count()
    {
        return count;
    }

    /** @return the position in its bucket of slot {@code i} of the last step. */
    public int slot(final int i)
    {
        return slots[i];
    }

    public long hash(final int i)
    {
        return hashes[i];
    }

    public long address(final int i)
    {
        return addresses[i];
    }

    void add(final int slot, final long hash, final long address)
    {
        slots[count] = slot;
        hashes[count] = hash;
        addresses[count] = address;
        count++;
    }
}
