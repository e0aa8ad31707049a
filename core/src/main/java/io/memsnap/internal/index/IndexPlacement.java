package io.memsnap.internal.index;

/**
 * Where the index places a key: the 32-bit position of its 64-bit hash, whose low {@code l} bits pick the directory
 * entries of a bucket of local depth {@code l}, and where in its bucket the key's slot lies. Part of the on-disk
 * format: a store's manifests record its placement (no extension for {@link #LOW_BITS}; extension
 * {@code EXTENSION_INDEX_PLACEMENT} for {@link #SPREAD}, which readers must know; that extension and extension
 * {@code EXTENSION_BUCKET_PROBING}, which readers must know too, for {@link #SPREAD_PROBED}), and a store keeps the
 * placement it was created with.
 *
 * <ul>
 *   <li>{@link #LOW_BITS} (1): the hash's low 32 bits. With a uniform hash every bucket of one depth fills at the
 *       same rate, so they all split at about the same entry count, and the mean fill of the buckets, and with it the
 *       index's bytes per entry, swings with the entry count (from about 0.58 to 0.78 of a bucket).</li>
 *   <li>{@link #SPREAD} (2): the bit-reversal of {@code g(h)}, where {@code h} is the hash's high 32 bits read as a
 *       fraction of 2^32 and {@code g(h) = 2^h - 1}, scaled back to 32 bits: the low bits of the position are the high
 *       bits of {@code g}, so a bucket covers an interval of {@code g}, and the density of keys over {@code g} halves
 *       from one end of the directory to the other. Buckets of one depth then split at entry counts spread over a
 *       doubling, and the mean fill stays near ln 2 (0.69) at every size. {@code g} is computed in integers, so
 *       every JVM places every key alike: linear between {@value #SEGMENTS} + 1 points
 *       {@code round(2^32 * 2^(i / SEGMENTS)) - 2^32}, taken from {@link StrictMath#pow} (the same bits on every
 *       platform).</li>
 * </ul>
 *
 * <p>Thread safe: immutable.
 */
public final class IndexPlacement
{
    /** The hash's low 32 bits: stores created before {@link #SPREAD} existed. */
    public static final int LOW_BITS = 1;
    /** The bit-reversed {@code 2^h - 1} of the hash's high 32 bits, slots in the order keys came. */
    public static final int SPREAD = 2;
    /** {@link #SPREAD}'s positions, and slots found by linear probing from a home slot: what new stores use. */
    public static final int SPREAD_PROBED = 3;
    /** The placement of the stores this build creates. */
    public static final int DEFAULT = SPREAD_PROBED;

    /** Linear pieces of {@code g}. */
    static final int SEGMENTS = 256;
    private static final int SEGMENT_SHIFT = 32 - Integer.numberOfTrailingZeros(SEGMENTS);
    private static final long FRACTION_MASK = (1L << SEGMENT_SHIFT) - 1;
    private static final long[] POINTS = new long[SEGMENTS + 1];

    static
    {
        for (int i = 0; i <= SEGMENTS; i++)
        {
            POINTS[i] = Math.round(StrictMath.pow(2.0, i / (double)SEGMENTS) * 0x1.0p32) - (1L << 32);
        }
    }

    private IndexPlacement()
    {
    }

    /** @return whether this build knows {@code placement}. */
    public static boolean isKnown(final int placement)
    {
        return placement == LOW_BITS || placement == SPREAD || placement == SPREAD_PROBED;
    }

    /** @return whether {@code placement} finds a key's slot by probing from its {@link #homeSlot}. */
    public static boolean isProbed(final int placement)
    {
        return placement == SPREAD_PROBED;
    }

    /**
     * @return the slot of a bucket of {@code slots} slots where the probe for {@code hash} starts: its low 32 bits
     * (which the position of {@link #SPREAD} does not use) read as a fraction of 2^32, times {@code slots}.
     */
    public static int homeSlot(final long hash, final int slots)
    {
        return (int)(((hash & 0xFFFF_FFFFL) * slots) >>> 32);
    }

    /**
     * @return the position of {@code hash} under {@code placement} (which must be known): the directory entries of
     * its bucket at depth {@code l} are those whose index has the position's low {@code l} bits. Allocates nothing.
     */
    public static int position(final int placement, final long hash)
    {
        return placement == LOW_BITS ? (int)hash : Integer.reverse((int)spread(hash >>> 32));
    }

    /** @return {@code g(h)} for {@code h} in {@code [0, 2^32)}: in {@code [0, 2^32)}, non-decreasing. */
    static long spread(final long h)
    {
        final int i = (int)(h >>> SEGMENT_SHIFT);
        final long from = POINTS[i];
        return from + ((POINTS[i + 1] - from) * (h & FRACTION_MASK) >>> SEGMENT_SHIFT);
    }
}
