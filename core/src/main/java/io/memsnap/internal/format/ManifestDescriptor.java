package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of a manifest {@code manifest-GGGGGGGGGGGGGGGGGGGG.msm}, the small file whose atomic appearance commits a
 * snapshot. Written to {@code .pending}, fsynced, renamed, and the directory fsynced (Lucene's segments_N protocol).
 *
 * <pre>
 *   0  magic             8 bytes  "MSNPMAN\0"
 *   8  major version     uint16
 *  10  minor version     uint16
 *  12  total length      int32    bytes of the whole file, checksum included
 *  16  generation        int64
 *  24  last sequence     int64
 *  32  created at        int64    epoch milliseconds
 *  40  entry count       int64
 *  48  state count       int64
 *  56  store seed        int64    seed of the key hash
 *  64  dimension         int32
 *  68  hash function     int32    1 = KeyHash function 1
 *  72  root page         int32    page number of the index root
 *  76  index pages       int32    committed length of index.msi in pages (pages below it are sealed)
 *  80  tail segment      int32    segment the next record goes to
 *  84  tail offset       int32    offset in it of the next record
 *  88  bytes flushed     int64    what this snapshot wrote
 *  96  duration          int64    nanoseconds, freeze to commit
 * 104  segment count     int32    N
 * 108  label count       int32    L
 * 112  N x file entry    { int32 segment id, int32 committed length, int32 CRC32C of the bytes this snapshot
 *                          flushed in that file (0 if none), int32 reserved }  (16 bytes each)
 *      index entry       { int32 committed pages, int32 CRC32C of the pages this snapshot sealed, int64 reserved }
 *      L x label         { uint16 key length, key UTF-8, int32 value length, value UTF-8 }
 * end-4 CRC32C of [0, end-4)
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
    public static final int ROOT_PAGE_OFFSET = HASH_FUNCTION_OFFSET + SIZE_OF_INT;
    public static final int INDEX_PAGES_OFFSET = ROOT_PAGE_OFFSET + SIZE_OF_INT;
    public static final int TAIL_SEGMENT_OFFSET = INDEX_PAGES_OFFSET + SIZE_OF_INT;
    public static final int TAIL_OFFSET_OFFSET = TAIL_SEGMENT_OFFSET + SIZE_OF_INT;
    public static final int BYTES_FLUSHED_OFFSET = TAIL_OFFSET_OFFSET + SIZE_OF_INT;
    public static final int DURATION_OFFSET = BYTES_FLUSHED_OFFSET + SIZE_OF_LONG;
    public static final int SEGMENT_COUNT_OFFSET = DURATION_OFFSET + SIZE_OF_LONG;
    public static final int LABEL_COUNT_OFFSET = SEGMENT_COUNT_OFFSET + SIZE_OF_INT;
    public static final int FIXED_LENGTH = LABEL_COUNT_OFFSET + SIZE_OF_INT;

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
        return String.format("%s%020d%s", FILE_PREFIX, generation, FILE_SUFFIX);
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
