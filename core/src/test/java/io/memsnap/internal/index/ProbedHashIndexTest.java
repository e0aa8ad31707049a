package io.memsnap.internal.index;

import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_ADDRESS_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_TOMBSTONE;
import static io.memsnap.internal.format.IndexPageDescriptor.slotOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of {@link HashIndexTest} again, with the keys placed by {@link IndexPlacement#SPREAD_PROBED}: slots found
 * by probing from a home slot, tombstones that probes pass, splits and compactions that place each live key again,
 * frozen versions, {@code forEach} over a directory caught half-way through a split, colliding hashes; and the
 * probing itself, on keys that share a home slot.
 */
class ProbedHashIndexTest extends HashIndexTest
{
    @Override
    int placement()
    {
        return IndexPlacement.SPREAD_PROBED;
    }

    /**
     * Five keys with the same home slot, the last but one of the bucket, take it and the slots after it, wrapping to
     * slot 0; a removed key's slot keeps its hash as a tombstone that lookups of the keys after it pass; a new key
     * with that home slot takes the tombstone's slot, and the count of used slots does not grow.
     */
    @Test
    void keysSharingAHomeSlotProbeOnPastTombstonesAndWrap()
    {
        final int home = BUCKET_SLOTS - 2;
        final long low = ((long)home << 32) / BUCKET_SLOTS + 1;
        final long[] hashes = new long[7];
        for (int n = 1; n <= 6; n++)
        {
            hashes[n] = ((long)n << 40) | low;
            assertEquals(home, IndexPlacement.homeSlot(hashes[n], BUCKET_SLOTS));
        }
        for (int n = 1; n <= 5; n++)
        {
            put(hashes[n], n, 0);
        }
        final int bucket = bucketPage(index, 0);
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        final int[] expectedSlot = {0, home, home + 1, 0, 1, 2};
        for (int n = 1; n <= 5; n++)
        {
            assertEquals(hashes[n], b.getLong(o + slotOffset(expectedSlot[n]) + SLOT_HASH_OFFSET), "key " + n);
            assertEquals(address(n, 0), lookupHash(index, hashes[n], n));
        }

        remove(hashes[3], 3);
        assertEquals(SLOT_TOMBSTONE, b.getLong(o + slotOffset(0) + SLOT_ADDRESS_OFFSET));
        assertEquals(hashes[3], b.getLong(o + slotOffset(0) + SLOT_HASH_OFFSET), "a tombstone keeps its hash");
        assertEquals(0, lookupHash(index, hashes[3], 3));
        for (final int n : new int[] {1, 2, 4, 5})
        {
            assertEquals(address(n, 0), lookupHash(index, hashes[n], n), "key " + n + " past the tombstone");
        }
        assertEquals(5, bucketCount(bucket));

        put(hashes[6], 6, 0);
        assertEquals(hashes[6], b.getLong(o + slotOffset(0) + SLOT_HASH_OFFSET), "the tombstone's slot is taken");
        assertEquals(address(6, 0), b.getLong(o + slotOffset(0) + SLOT_ADDRESS_OFFSET));
        assertEquals(5, bucketCount(bucket), "a reused slot is not counted again");
        put(hashes[5], 5, 1);
        assertEquals(address(5, 1), b.getLong(o + slotOffset(2) + SLOT_ADDRESS_OFFSET), "updated in place");

        final List<Long> seen = new ArrayList<>();
        index.forEach((hash, address) -> seen.add(address));
        seen.sort(null);
        assertEquals(List.of(address(1, 0), address(2, 0), address(4, 0), address(5, 1), address(6, 0)), seen);
    }
}
