package io.memsnap.internal.index;

import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_ADDRESS_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_TOMBSTONE;
import static io.memsnap.internal.format.IndexPageDescriptor.slotOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Random puts of new keys, overwrites and removals in one bucket (never more than 150 keys live, so it is
     * compacted, never split), against a model of linear probing with tombstones: after every change each slot holds
     * what the model says, so every new key took the first free slot on its probe (the one its own miss found), every
     * compaction placed the live keys again from their home slots, in slot order, and the count is the slots used.
     */
    @Test
    void everySlotIsWhereLinearProbingWithTombstonesPutsIt()
    {
        final SplittableRandom random = new SplittableRandom(42);
        long[] hashes = new long[BUCKET_SLOTS];
        long[] addresses = new long[BUCKET_SLOTS];
        int used = 0;
        final int[] slotOfKey = new int[2000];
        java.util.Arrays.fill(slotOfKey, -1);
        int live = 0;
        int compactions = 0;
        int reused = 0;
        for (int step = 0; step < 20_000; step++)
        {
            final boolean touchLive = live >= 150 || live > 0 && random.nextBoolean();
            int n = random.nextInt(slotOfKey.length);
            while ((slotOfKey[n] >= 0) != touchLive)
            {
                n = n == slotOfKey.length - 1 ? 0 : n + 1;
            }
            final long h = hash(n);
            if (touchLive && random.nextInt(5) < 3)
            {
                remove(h, n);
                addresses[slotOfKey[n]] = SLOT_TOMBSTONE;
                slotOfKey[n] = -1;
                live--;
            }
            else if (touchLive)
            {
                put(h, n, step);
                addresses[slotOfKey[n]] = address(n, step);
            }
            else
            {
                if (used == BUCKET_SLOTS)
                {
                    final long[] oldHashes = hashes;
                    final long[] oldAddresses = addresses;
                    hashes = new long[BUCKET_SLOTS];
                    addresses = new long[BUCKET_SLOTS];
                    used = 0;
                    for (int s = 0; s < BUCKET_SLOTS; s++)
                    {
                        if (oldAddresses[s] != 0 && oldAddresses[s] != SLOT_TOMBSTONE)
                        {
                            final int to = modelFree(addresses, oldHashes[s]);
                            hashes[to] = oldHashes[s];
                            addresses[to] = oldAddresses[s];
                            slotOfKey[(int)((oldAddresses[s] >>> 20) - 1)] = to;
                            used++;
                        }
                    }
                    compactions++;
                }
                put(h, n, step);
                final int to = modelFree(addresses, h);
                if (addresses[to] == 0)
                {
                    used++;
                }
                else
                {
                    reused++;
                }
                hashes[to] = h;
                addresses[to] = address(n, step);
                slotOfKey[n] = to;
                live++;
            }
            final int bucket = bucketPage(index, 0);
            final MemoryRegion b = file.buffer(bucket);
            final int o = IndexFile.pageOffset(bucket);
            for (int s = 0; s < BUCKET_SLOTS; s++)
            {
                assertEquals(addresses[s], b.getLong(o + slotOffset(s) + SLOT_ADDRESS_OFFSET),
                    "step " + step + " slot " + s);
                if (addresses[s] != 0)
                {
                    assertEquals(hashes[s], b.getLong(o + slotOffset(s) + SLOT_HASH_OFFSET), "step " + step);
                }
            }
            assertEquals(used, bucketCount(bucket), "step " + step);
        }
        assertTrue(compactions >= 5 && reused > 1000, compactions + " compactions, " + reused + " tombstones reused");
    }

    private static int modelFree(final long[] addresses, final long hash)
    {
        int s = IndexPlacement.homeSlot(hash, BUCKET_SLOTS);
        while (addresses[s] != 0 && addresses[s] != SLOT_TOMBSTONE)
        {
            s = s == BUCKET_SLOTS - 1 ? 0 : s + 1;
        }
        return s;
    }
}
