package io.memsnap.cli.archive;

import java.nio.charset.StandardCharsets;

/**
 * Layout of a memsnap archive: one portable file holding one snapshot (its live entries, its named state, its
 * labels). All integers are little-endian. docs/format.md ("Archives") describes the same bytes.
 *
 * <pre>
 * header (H bytes; the first 16 bytes and the closing CRC keep their place in every format version)
 *   0  magic               8 bytes  "MSNPARC\0"
 *   8  major version       uint16
 *  10  minor version       uint16
 *  12  header length H     int32    bytes of the header, CRC included; 92 + labels .. MAX_HEADER_LENGTH
 *  16  dimension           int32    of the store the snapshot came from; 1 ..
 *  20  block size          int32    largest decompressed size of a frame; MIN_BLOCK_SIZE .. MAX_BLOCK_SIZE
 *  24  entry count         int64
 *  32  state count         int64
 *  40  source generation   int64    generation of the exported snapshot
 *  48  source sequence     int64    its last sequence number
 *  56  created at          int64    epoch ms the snapshot was taken
 *  64  exported at         int64    epoch ms the archive was written
 *  72  reserved            12 bytes zero
 *  84  label count         int32    L
 *  88  L x label           { uint16 key length, key UTF-8, int32 value length, value UTF-8 }, sorted by key
 *      (a later minor version may add fields here, between the labels and the CRC; readers skip them)
 * H-4  CRC32C of [0, H-4)
 *
 * frames, repeated (the record stream, cut into blocks; a record may span frames)
 *   0  compressed length C int32    1 .. maxCompressedLength(block size); 0 in the end frame
 *   4  decompressed length int32    1 .. block size; 0 in the end frame
 *   8  CRC32C              int32    of bytes [0, 8) of the frame followed by its C compressed bytes
 *  12  C bytes             LZ4 block (the raw block format, no LZ4 frame header)
 * end frame: C = 0, decompressed length = 0, CRC32C of the eight zero bytes
 *
 * trailer (72 bytes, then the end of the file)
 *   0  magic               8 bytes  "MSNPEND\0"
 *   8  entry count         int64    as in the header
 *  16  state count         int64    as in the header
 *  24  frame count         int64    frames before the end frame
 *  32  stream length       int64    total decompressed bytes of the record stream
 *  40  SHA-256             32 bytes of every byte of the file before this field
 *
 * records of the decompressed stream: every entry in strictly increasing id order (unsigned UTF-8 bytes, which is
 * Unicode code point order), then every named state in strictly increasing name order
 *   entry:  0 type 1 (uint8), 1 reserved 0, 2 id length (uint16, 1 ..), 4 nnz (int32, 0 .. min(dimension,
 *           MAX_NNZ)), 8 metadata length (int32, 0 .. MAX_METADATA_BYTES), 12 importance (float32, finite),
 *           16 stored at (int64, epoch ms), 24 indices (int32 x nnz, strictly increasing, below the dimension),
 *           values (float32 x nnz, finite), id (UTF-8), metadata
 *   state:  0 type 2 (uint8), 1 reserved 0, 2 name length (uint16, 1 ..), 4 value length (int32, 0 ..
 *           MAX_STATE_BYTES), 8 name (UTF-8), value
 * </pre>
 *
 * <p>Thread safe: constants and stateless functions only.
 */
public final class ArchiveDescriptor
{
    /** "MSNPARC\0". */
    public static final byte[] MAGIC = "MSNPARC\0".getBytes(StandardCharsets.US_ASCII);
    /** "MSNPEND\0". */
    public static final byte[] END_MAGIC = "MSNPEND\0".getBytes(StandardCharsets.US_ASCII);

    /** Major version this build writes and reads. */
    public static final int MAJOR = 1;
    /** Minor version this build writes; every minor of {@link #MAJOR} is read. */
    public static final int MINOR = 0;

    // ------------------------------------------------------------------------------------------------ header
    public static final int MAGIC_OFFSET = 0;
    public static final int MAJOR_OFFSET = 8;
    public static final int MINOR_OFFSET = 10;
    public static final int HEADER_LENGTH_OFFSET = 12;
    /** Bytes every version's header starts with: magic, major, minor, header length. */
    public static final int HEADER_PREFIX_LENGTH = 16;
    public static final int DIMENSION_OFFSET = 16;
    public static final int BLOCK_SIZE_OFFSET = 20;
    public static final int ENTRY_COUNT_OFFSET = 24;
    public static final int STATE_COUNT_OFFSET = 32;
    public static final int SOURCE_GENERATION_OFFSET = 40;
    public static final int SOURCE_SEQUENCE_OFFSET = 48;
    public static final int CREATED_AT_OFFSET = 56;
    public static final int EXPORTED_AT_OFFSET = 64;
    public static final int RESERVED_OFFSET = 72;
    public static final int RESERVED_LENGTH = 12;
    public static final int LABEL_COUNT_OFFSET = 84;
    public static final int LABELS_OFFSET = 88;
    /** Header length without labels: the fixed fields and the CRC. */
    public static final int HEADER_MIN_LENGTH = LABELS_OFFSET + 4;
    /** Largest header accepted by any version: guards against absurd lengths. */
    public static final int MAX_HEADER_LENGTH = 1024 * 1024;
    /** Largest total of label keys and values (as in a manifest). */
    public static final int MAX_LABEL_BYTES = 64 * 1024;
    /** Most labels a header may hold. */
    public static final int MAX_LABELS = MAX_LABEL_BYTES;

    // ------------------------------------------------------------------------------------------------ frames
    public static final int FRAME_COMPRESSED_LENGTH_OFFSET = 0;
    public static final int FRAME_DECOMPRESSED_LENGTH_OFFSET = 4;
    public static final int FRAME_CRC_OFFSET = 8;
    public static final int FRAME_HEADER_LENGTH = 12;
    /** Smallest block size a header may declare. */
    public static final int MIN_BLOCK_SIZE = 1024;
    /** Largest block size a header may declare: bounds what one frame may decompress to. */
    public static final int MAX_BLOCK_SIZE = 8 * 1024 * 1024;
    /** Block size the exporter writes. */
    public static final int DEFAULT_BLOCK_SIZE = 1024 * 1024;

    // ------------------------------------------------------------------------------------------------ trailer
    public static final int TRAILER_MAGIC_OFFSET = 0;
    public static final int TRAILER_ENTRY_COUNT_OFFSET = 8;
    public static final int TRAILER_STATE_COUNT_OFFSET = 16;
    public static final int TRAILER_FRAME_COUNT_OFFSET = 24;
    public static final int TRAILER_STREAM_LENGTH_OFFSET = 32;
    public static final int TRAILER_SHA256_OFFSET = 40;
    public static final int SHA256_LENGTH = 32;
    public static final int TRAILER_LENGTH = TRAILER_SHA256_OFFSET + SHA256_LENGTH;

    // ------------------------------------------------------------------------------------------------ records
    public static final byte TYPE_ENTRY = 1;
    public static final byte TYPE_STATE = 2;
    public static final int RECORD_TYPE_OFFSET = 0;
    public static final int RECORD_RESERVED_OFFSET = 1;
    public static final int RECORD_KEY_LENGTH_OFFSET = 2;
    public static final int ENTRY_NNZ_OFFSET = 4;
    public static final int ENTRY_METADATA_LENGTH_OFFSET = 8;
    public static final int ENTRY_IMPORTANCE_OFFSET = 12;
    public static final int ENTRY_STORED_AT_OFFSET = 16;
    public static final int ENTRY_HEADER_LENGTH = 24;
    public static final int STATE_VALUE_LENGTH_OFFSET = 4;
    public static final int STATE_HEADER_LENGTH = 8;
    /** Longest id or state name, in UTF-8 bytes (the store's own hard limit). */
    public static final int MAX_KEY_BYTES = 0xFFFF;
    /** Most non-zeros of one vector. */
    public static final int MAX_NNZ = 1 << 24;
    /** Largest metadata of one entry (the largest {@code StoreOptions.maxMetadataBytes}). */
    public static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;
    /** Largest value of one named state (the largest {@code StoreOptions.maxStateBytes}). */
    public static final int MAX_STATE_BYTES = 512 * 1024 * 1024;

    private ArchiveDescriptor()
    {
    }

    /** @return the most bytes LZ4 may compress {@code length} bytes to (its documented worst case). */
    public static int maxCompressedLength(final int length)
    {
        return length + length / 255 + 16;
    }

    /** @return whether {@code prefix} starts with the archive magic. */
    public static boolean hasMagic(final byte[] prefix, final int length)
    {
        if (length < MAGIC.length)
        {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (prefix[i] != MAGIC[i])
            {
                return false;
            }
        }
        return true;
    }
}
