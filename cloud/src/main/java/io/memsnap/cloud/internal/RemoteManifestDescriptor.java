package io.memsnap.cloud.internal;

/**
 * The layout of a remote manifest object, {@code snapshots/GGGGGGGGGGGGGGGGGGGG} under a prefix: one pushed
 * snapshot, what it is made of and who pushed it. Written once (a conditional write that fails if the name exists),
 * never changed. All integers little-endian; the checksum is CRC32C.
 *
 * <pre>
 * offset size  field
 *  0     8     magic "MSNPRMT\0"
 *  8     2     major version (1)
 * 10     2     minor version (0)
 * 12     4     total length of the object in bytes, checksum included
 * 16     8     remote generation: 1, 2, 3 ... on the prefix, also in the object's name
 * 24     8     writer epoch of the pusher that committed it (see epochs/)
 * 32     8     remote timeline: 0 for the first history; one more than the newest one's whenever a push does not
 *              continue the newest remote snapshot (a store restored from an older one, another store)
 * 40     8     local generation: the snapshot's generation in the store it was pushed from
 * 48     8     last sequence number of the snapshot
 * 56     8     created at, epoch milliseconds (the snapshot's)
 * 64     8     pushed at, epoch milliseconds
 * 72     8     entry count
 * 80     4     P: part count
 * 84     4     M: store manifest length
 * 88           P parts: { uint16 file name length, file name UTF-8, int64 offset, int64 length, int32 CRC32C },
 *              each a range of one file of the snapshot; the parts of a file cover [0, its length) in order
 *              M bytes: the snapshot's manifest as a restored store commits it (its own CRC32C inside)
 * end-4  4     CRC32C of everything before it
 * </pre>
 *
 * A part is stored as the object {@code data/FILE/OOOOOOOOOOOO-LLLLLLLLLL-CCCCCCCC} (offset in 12 digits, length in
 * 10, CRC32C in 8 hex digits), so a name never means two contents.
 *
 * <p>Thread safe: constants only.
 */
public final class RemoteManifestDescriptor
{
    public static final long MAGIC = 0x0054_4D52_504E_534DL; // "MSNPRMT\0" little-endian
    public static final int MAJOR_VERSION = 1;
    public static final int MINOR_VERSION = 0;

    public static final int MAGIC_OFFSET = 0;
    public static final int MAJOR_OFFSET = MAGIC_OFFSET + Long.BYTES;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + Short.BYTES;
    public static final int LENGTH_OFFSET = MINOR_OFFSET + Short.BYTES;
    public static final int GENERATION_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    public static final int EPOCH_OFFSET = GENERATION_OFFSET + Long.BYTES;
    public static final int TIMELINE_OFFSET = EPOCH_OFFSET + Long.BYTES;
    public static final int LOCAL_GENERATION_OFFSET = TIMELINE_OFFSET + Long.BYTES;
    public static final int LAST_SEQUENCE_OFFSET = LOCAL_GENERATION_OFFSET + Long.BYTES;
    public static final int CREATED_AT_OFFSET = LAST_SEQUENCE_OFFSET + Long.BYTES;
    public static final int PUSHED_AT_OFFSET = CREATED_AT_OFFSET + Long.BYTES;
    public static final int ENTRY_COUNT_OFFSET = PUSHED_AT_OFFSET + Long.BYTES;
    public static final int PART_COUNT_OFFSET = ENTRY_COUNT_OFFSET + Long.BYTES;
    public static final int MANIFEST_LENGTH_OFFSET = PART_COUNT_OFFSET + Integer.BYTES;
    public static final int PARTS_OFFSET = MANIFEST_LENGTH_OFFSET + Integer.BYTES;
    /** A part's fixed bytes after its name: offset, length, CRC32C. */
    public static final int PART_FIXED_LENGTH = Long.BYTES + Long.BYTES + Integer.BYTES;
    public static final int CRC_LENGTH = Integer.BYTES;
    /** More than any manifest this build writes: a bound on what a reader allocates. */
    public static final int MAX_LENGTH = 64 << 20;

    /** Where the objects live under a prefix. */
    public static final String SNAPSHOTS = "snapshots/";
    public static final String DATA = "data/";
    public static final String EPOCHS = "epochs/";
    /** Markers of the manifests retention retired: each holds when, in epoch milliseconds, as decimal text. */
    public static final String RETIRED = "retired/";
    /** Pins of remote snapshots: each holds its expiry (epoch milliseconds, or -1 for none) and its label. */
    public static final String PINS = "pins/";

    private RemoteManifestDescriptor()
    {
    }

    /** @return the key of the manifest of {@code generation}, under the prefix. */
    public static String snapshotKey(final long generation)
    {
        return SNAPSHOTS + String.format("%020d", generation);
    }

    /** @return the generation a key under {@link #SNAPSHOTS} names, or -1 if it is not one. */
    public static long parseSnapshotKey(final String key)
    {
        return parseGenerationKey(key, SNAPSHOTS);
    }

    /** @return the 20-digit number a key under {@code folder} names, or -1 if it is not one. */
    public static long parseGenerationKey(final String key, final String folder)
    {
        final String name = key.substring(folder.length());
        if (name.length() != 20 || !name.chars().allMatch(Character::isDigit))
        {
            return -1;
        }
        return Long.parseLong(name);
    }

    /** @return the key of {@code folder}'s object for {@code generation}. */
    public static String generationKey(final String folder, final long generation)
    {
        return folder + String.format("%020d", generation);
    }

    /** @return the key of the claim of writer epoch {@code epoch}, under the prefix. */
    public static String epochKey(final long epoch)
    {
        return EPOCHS + String.format("%020d", epoch);
    }

    /** @return the epoch a key under {@link #EPOCHS} names, or -1 if it is not one. */
    public static long parseEpochKey(final String key)
    {
        return parseGenerationKey(key, EPOCHS);
    }

    /** @return the folder of the parts of a file, under the prefix. */
    public static String partFolder(final String fileName)
    {
        return DATA + fileName + "/";
    }

    /** @return the key of a part: the file, the range and its checksum. */
    public static String partKey(final String fileName, final long offset, final long length, final int crc)
    {
        return partFolder(fileName) + String.format("%012d-%010d-%08x", offset, length, crc);
    }
}
