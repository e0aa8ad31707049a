package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of a manifest, the small checksummed record whose durable appearance commits a snapshot: in a slot of
 * {@code manifests.mss} (4.0, see {@link ManifestSlotsDescriptor}), or in a file
 * {@code manifest-GGGGGGGGGGGGGGGGGGGG.msm} of its own (every version before 4.0, and 4.0 manifests too large for a
 * slot), written to {@code .pending}, fsynced, renamed, and the directory fsynced (Lucene's segments_N protocol).
 *
 * <p>A snapshot names two positions in the log of records: its own end (everything up to {@code last sequence} is
 * durable) and the index checkpoint it builds on (an index version whose pages are durable, and the position from
 * which records must be replayed on top of it). Opening the snapshot maps the checkpoint and replays the records
 * from the checkpoint's position; the replay is bounded because checkpoints follow the log.
 *
 * <pre>
 *   0  magic                  8 bytes  "MSNPMAN\0"
 *   8  major version          uint16
 *  10  minor version          uint16
 *  12  total length           int32    bytes of the whole file, checksum included
 *  16  generation             int64
 *  24  last sequence          int64    last record the snapshot holds
 *  32  created at             int64    epoch milliseconds
 *  40  entry count            int64
 *  48  state count            int64
 *  56  store seed             int64    seed of the key hash
 *  64  dimension              int32
 *  68  hash function          int32    1 = KeyHash function 1
 *  72  tail segment           int32    segment of the first record after the snapshot
 *  76  tail offset            int32    offset of it
 *  80  bytes flushed          int64    record bytes this snapshot flushed
 *  88  duration               int64    nanoseconds, freeze to manifest written
 *  96  checkpoint root        int32    page number of the index root of the checkpoint
 * 100  checkpoint pages       int32    the checkpoint's watermark in its index file (every page below it that the
 *                                      file holds is sealed)
 * 104  replay segment         int32    segment of the first record after the checkpoint
 * 108  replay offset          int32    offset of it
 * 112  checkpoint sequence    int64    last record the checkpoint's index holds
 * 120  checkpoint entries     int64    entry count at the checkpoint
 * 128  checkpoint states      int64    state count at the checkpoint
 * 136  segment count          int32    N
 * 140  label count            int32    L
 * 144  N x segment entry      { int32 segment id, int32 committed length, int32 flushed from, int32 CRC32C of
 *                              [flushed from, committed length) } (16 bytes each; the range this snapshot flushed)
 *      index entry            { int32 checkpoint pages, int32 sealed from page, int32 CRC32C of the page checksums
 *                              of [sealed from, checkpoint pages) in order, int32 reserved }
 *      L x label              { uint16 key length, key UTF-8, int32 value length, value UTF-8 }
 * end-4 CRC32C of [0, end-4)
 * </pre>
 *
 * <p>Version 3.0 inserts one field after the total length, so every field above from {@code generation} on sits
 * {@link #V3_SHIFT} bytes later, and adds extensions after the labels:
 *
 * <pre>
 *  16  oldest reader          3 x uint16 + uint16 reserved: the oldest memsnap library version (major, minor, patch)
 *                              that reads this manifest. Every later major version keeps it here, so that a build
 *                              refusing a newer major can name the release to use.
 *  24  generation ...         the 2.0 fields, in the same order
 *      extension count        int32    E
 *      E x extension          { uint16 tag, uint16 flags, int32 length, length bytes }, in increasing tag order,
 *                              each tag at most once. Flags: {@link #EXTENSION_READERS_MUST_KNOW} (a build that does
 *                              not know the tag refuses the manifest), {@link #EXTENSION_WRITERS_MUST_KNOW} (a build
 *                              that does not know the tag may read the store but must not write to it)
 * end-4 CRC32C of [0, end-4)
 * </pre>
 *
 * <p>Extension {@link #EXTENSION_INDEX_FILE} (flag {@link #EXTENSION_READERS_MUST_KNOW}: a build that looked for the
 * checkpoint in {@code index.msi} would read holes), present when the checkpoint lives in an index file of a
 * generation above 0; without it, the checkpoint is in {@code index.msi}:
 *
 * <pre>
 *   0  index file generation  int64    at least 1: the checkpoint is in index-NNNNNNNNNN.msi
 * </pre>
 *
 * <p>Version 4.0 keeps the 3.0 layout. Its manifests live in the slots of {@code manifests.mss}
 * ({@link ManifestSlotsDescriptor}), or, when one is larger than a slot holds, in a manifest file of its own as
 * before; each carries extension {@link #EXTENSION_NEXT_SLOT} (flag {@link #EXTENSION_WRITERS_MUST_KNOW}):
 *
 * <pre>
 *   0  next slot              int32    the slot the commit after this one writes (the only slot ever written while
 *                                      this manifest is the newest committed)
 * </pre>
 *
 * <p>Extension {@link #EXTENSION_INDEX_PLACEMENT} (flag {@link #EXTENSION_READERS_MUST_KNOW}: a build that placed
 * keys by their hash's low bits would look for them in the wrong buckets), present when the store's index places keys
 * other than by the low bits of their hash ({@code io.memsnap.internal.index.IndexPlacement}); without it, placement
 * 1, the low bits. A store keeps its placement: every manifest of a store that has the extension has it.
 *
 * <pre>
 *   0  placement              int32    2: the bit-reversed 2^h - 1 of the hash's high 32 bits read as a fraction h
 * </pre>
 *
 * <p>Extension {@link #EXTENSION_BUCKET_PROBING} (flag {@link #EXTENSION_READERS_MUST_KNOW}: a build that read a
 * bucket's slots in the order keys came would stop at the first slot never used, before keys placed past it), present
 * with extension {@link #EXTENSION_INDEX_PLACEMENT} (placement 2) when a key's slot in its bucket is found by linear
 * probing from its home slot (placement 3 of {@code IndexPlacement}; the slots' layout in
 * {@link IndexPageDescriptor}). A store keeps it: every manifest of a store that has it has it.
 *
 * <pre>
 *   0  probing                int32    1: linear, from slot (low 32 bits of the hash) * 255 / 2^32, wrapping;
 *                                      a deleted key's slot keeps its hash, with address -1
 * </pre>
 */
public final class ManifestDescriptor
{
    public static final long MAGIC = 0x004E_414D_504E_534DL; // "MSNPMAN\0" little-endian
    public static final int MAGIC_OFFSET = 0;
    public static final int MAJOR_OFFSET = MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int TOTAL_LENGTH_OFFSET = MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int GENERATION_OFFSET = TOTAL_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int LAST_SEQUENCE_OFFSET = GENERATION_OFFSET + SIZE_OF_LONG;
    public static final int CREATED_AT_OFFSET = LAST_SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int ENTRY_COUNT_OFFSET = CREATED_AT_OFFSET + SIZE_OF_LONG;
    public static final int STATE_COUNT_OFFSET = ENTRY_COUNT_OFFSET + SIZE_OF_LONG;
    public static final int SEED_OFFSET = STATE_COUNT_OFFSET + SIZE_OF_LONG;
    public static final int DIMENSION_OFFSET = SEED_OFFSET + SIZE_OF_LONG;
    public static final int HASH_FUNCTION_OFFSET = DIMENSION_OFFSET + SIZE_OF_INT;
    public static final int TAIL_SEGMENT_OFFSET = HASH_FUNCTION_OFFSET + SIZE_OF_INT;
    public static final int TAIL_OFFSET_OFFSET = TAIL_SEGMENT_OFFSET + SIZE_OF_INT;
    public static final int BYTES_FLUSHED_OFFSET = TAIL_OFFSET_OFFSET + SIZE_OF_INT;
    public static final int DURATION_OFFSET = BYTES_FLUSHED_OFFSET + SIZE_OF_LONG;
    public static final int CHECKPOINT_ROOT_OFFSET = DURATION_OFFSET + SIZE_OF_LONG;
    public static final int CHECKPOINT_PAGES_OFFSET = CHECKPOINT_ROOT_OFFSET + SIZE_OF_INT;
    public static final int REPLAY_SEGMENT_OFFSET = CHECKPOINT_PAGES_OFFSET + SIZE_OF_INT;
    public static final int REPLAY_OFFSET_OFFSET = REPLAY_SEGMENT_OFFSET + SIZE_OF_INT;
    public static final int CHECKPOINT_SEQUENCE_OFFSET = REPLAY_OFFSET_OFFSET + SIZE_OF_INT;
    public static final int CHECKPOINT_ENTRIES_OFFSET = CHECKPOINT_SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int CHECKPOINT_STATES_OFFSET = CHECKPOINT_ENTRIES_OFFSET + SIZE_OF_LONG;
    public static final int SEGMENT_COUNT_OFFSET = CHECKPOINT_STATES_OFFSET + SIZE_OF_LONG;
    public static final int LABEL_COUNT_OFFSET = SEGMENT_COUNT_OFFSET + SIZE_OF_INT;
    public static final int FIXED_LENGTH = LABEL_COUNT_OFFSET + SIZE_OF_INT;

    /** Version 3.0: where the oldest library version that reads the manifest sits (stable in every later major). */
    public static final int OLDEST_READER_OFFSET = TOTAL_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int OLDEST_READER_LENGTH = 4 * SIZE_OF_SHORT;
    /** Version 3.0: how many bytes later than in 2.0 every field from {@code generation} on sits. */
    public static final int V3_SHIFT = OLDEST_READER_LENGTH;
    /** Version 3.0: header of one extension ({ uint16 tag, uint16 flags, int32 length }). */
    public static final int EXTENSION_HEADER_LENGTH = 2 * SIZE_OF_SHORT + SIZE_OF_INT;
    /** Extension flag: a reader that does not know the tag must refuse the manifest. */
    public static final int EXTENSION_READERS_MUST_KNOW = 1;
    /** Extension flag: a writer that does not know the tag must not write to the store (reading it is fine). */
    public static final int EXTENSION_WRITERS_MUST_KNOW = 2;

    /** Extension tag: live record bytes of each segment at the checkpoint the manifest names. */
    public static final int EXTENSION_SEGMENT_LIVE_BYTES = 1;
    /** Extension tag: pinned snapshots (generation and label) kept by retention. */
    public static final int EXTENSION_PINS = 2;
    /** Extension tag: which index file the checkpoint lives in. */
    public static final int EXTENSION_INDEX_FILE = 3;
    /** Extension tag: the timeline of the snapshot (rewind). */
    public static final int EXTENSION_TIMELINE = 4;
    /** Extension tag (4.0): the manifest slot the commit after this one writes. */
    public static final int EXTENSION_NEXT_SLOT = 5;

    /** Extension tag (4.0): how the index places keys, when not by the low bits of their hash. */
    public static final int EXTENSION_INDEX_PLACEMENT = 6;
    /** Extension tag: how a key's slot in its bucket is found, when by probing from a home slot. */
    public static final int EXTENSION_BUCKET_PROBING = 7;

    /** Extension {@link #EXTENSION_INDEX_FILE}: where the generation of the index file sits in its body. */
    public static final int INDEX_FILE_GENERATION_OFFSET = 0;
    /** Extension {@link #EXTENSION_INDEX_FILE}: length of its body. */
    public static final int INDEX_FILE_EXTENSION_LENGTH = INDEX_FILE_GENERATION_OFFSET + SIZE_OF_LONG;
    /** Extension {@link #EXTENSION_NEXT_SLOT}: where the slot index sits in its body. */
    public static final int NEXT_SLOT_OFFSET = 0;
    /** Extension {@link #EXTENSION_NEXT_SLOT}: length of its body. */
    public static final int NEXT_SLOT_EXTENSION_LENGTH = NEXT_SLOT_OFFSET + SIZE_OF_INT;
    /** Extension {@link #EXTENSION_INDEX_PLACEMENT}: where the placement sits in its body. */
    public static final int INDEX_PLACEMENT_OFFSET = 0;
    /** Extension {@link #EXTENSION_INDEX_PLACEMENT}: length of its body. */
    public static final int INDEX_PLACEMENT_EXTENSION_LENGTH = INDEX_PLACEMENT_OFFSET + SIZE_OF_INT;
    /** Extension {@link #EXTENSION_BUCKET_PROBING}: where the probing scheme sits in its body. */
    public static final int BUCKET_PROBING_OFFSET = 0;
    /** Extension {@link #EXTENSION_BUCKET_PROBING}: length of its body. */
    public static final int BUCKET_PROBING_EXTENSION_LENGTH = BUCKET_PROBING_OFFSET + SIZE_OF_INT;
    /** Extension {@link #EXTENSION_BUCKET_PROBING}: the one scheme, linear probing from the home slot. */
    public static final int BUCKET_PROBING_LINEAR = 1;

    /** @return where the generation sits in a manifest of this major version. */
    public static int generationOffset(final int major)
    {
        return major >= FormatVersion.MAJOR_3 ? GENERATION_OFFSET + V3_SHIFT : GENERATION_OFFSET;
    }

    /** @return whether this build knows the extension tag (and so may read, and write, a manifest carrying it). */
    public static boolean isKnownExtension(final int tag)
    {
        return tag >= EXTENSION_SEGMENT_LIVE_BYTES && tag <= EXTENSION_BUCKET_PROBING;
    }

    public static final int FILE_ENTRY_LENGTH = 16;
    public static final int INDEX_ENTRY_LENGTH = 16;

    /** Largest manifest accepted when reading: guards against absurd lengths in a damaged file. */
    public static final int MAX_LENGTH = 16 * 1024 * 1024;
    /** Largest total of label keys and values. */
    public static final int MAX_LABEL_BYTES = 64 * 1024;

    public static final String FILE_PREFIX = "manifest-";
    public static final String FILE_SUFFIX = ".msm";
    public static final String PENDING_SUFFIX = ".pending";

    private ManifestDescriptor()
    {
    }

    public static String fileName(final long generation)
    {
        return FileNames.numbered(FILE_PREFIX, generation, 20, FILE_SUFFIX);
    }

    public static String pendingFileName(final long generation)
    {
        return fileName(generation) + PENDING_SUFFIX;
    }

    /** @return the generation in a manifest file name, or -1 if the name is not one. */
    public static long parseFileName(final String name)
    {
        if (!name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX) ||
            name.length() != FILE_PREFIX.length() + 20 + FILE_SUFFIX.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(FILE_PREFIX.length(), FILE_PREFIX.length() + 20));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }
}
