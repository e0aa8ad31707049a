package io.memsnap.internal.format;

import io.memsnap.internal.memory.MemoryRegion;

/**
 * The 64-bit hash of an id that places it in the index. Part of the on-disk format (hash function 1): the index
 * stores these values, so changing the function needs a new format version.
 *
 * <p>Function 1: FNV-1a over the id's UTF-16 code units (low byte, then high byte), starting from the FNV offset
 * basis xor the store's seed xor the namespace, finished with the MurmurHash3 fmix64 avalanche. It hashes the
 * {@link CharSequence} directly, so a lookup by {@code String} allocates nothing. The seed is random per store, so
 * ids cannot be chosen ahead to collide.
 *
 * <p>Thread safe: stateless.
 */
public final class KeyHash
{
    /** The function this class computes, as recorded in the manifest. */
    public static final int FUNCTION_ID = 1;
    /** Namespace of memory entries. */
    public static final long NAMESPACE_ENTRY = 0;
    /** Namespace of named state. */
    public static final long NAMESPACE_STATE = 0x5354_4154_455F_4E53L;

    private static final long FNV_OFFSET_BASIS = 0xCBF2_9CE4_8422_2325L;
    private static final long FNV_PRIME = 0x0000_0100_0000_01B3L;

    private KeyHash()
    {
    }

    public static long hash(final long seed, final long namespace, final CharSequence id)
    {
        long h = FNV_OFFSET_BASIS ^ seed ^ namespace;
        for (int i = 0, n = id.length(); i < n; i++)
        {
            final char c = id.charAt(i);
            h = (h ^ (c & 0xFF)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        return fmix64(h ^ id.length());
    }

    /**
     * The hash of the id whose UTF-8 bytes lie at {@code offset} of {@code buffer}, as {@link #hash} computes it for
     * the id's string. An id of ASCII bytes (the common case) is hashed straight from the buffer, allocating nothing:
     * its chars are its bytes. Any other id is decoded first (allocates).
     */
    public static long hashUtf8(final long seed, final long namespace, final MemoryRegion buffer, final int offset,
        final int length)
    {
        long h = FNV_OFFSET_BASIS ^ seed ^ namespace;
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < 0)
            {
                return hash(seed, namespace, Utf8.decode(buffer, offset, length));
            }
            h = (h ^ b) * FNV_PRIME;
            h *= FNV_PRIME; // the high byte of an ASCII char is 0
        }
        return fmix64(h ^ length);
    }

    private static long fmix64(final long k)
    {
        long h = k;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
