package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_FLOAT;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of one record in a segment. Records are appended, 8-byte aligned, never edited once written. All fields
 * are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 CRC32C of bytes [4, length)                   |  0
 *  +---------------------------------------------------------------+
 *  |                 length (header + payload, unpadded)           |  4
 *  +---------------------------------------------------------------+
 *  |                 sequence number                               |  8
 *  |                                                               |
 *  +---------------+---------------+-------------------------------+
 *  |     type      |   reserved 0  |    id length (unsigned)       | 16
 *  +---------------+---------------+-------------------------------+
 *  |                 nnz (number of non-zeros; 0 unless PUT)        | 20
 *  +---------------------------------------------------------------+
 *  |                 value length (metadata or state bytes)        | 24
 *  +---------------------------------------------------------------+
 *  |                 importance (float32)                          | 28
 *  +---------------------------------------------------------------+
 *  |                 stored-at, epoch milliseconds                 | 32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   indices: nnz x int32, strictly increasing                  ...| 40
 *  |   values:  nnz x float32                                     ...|
 *  |   id:      UTF-8 bytes                                       ...|
 *  |   value:   metadata (PUT) or state value (STATE_PUT)         ...|
 *  |   zero padding to the next multiple of 8                     ...|
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A position whose CRC and length words are both zero is the clean end of a segment: nothing was written there.
 * Any other position that fails to decode, to checksum or to carry the next sequence number is torn.
 */
public final class RecordDescriptor
{
    public static final int CRC_OFFSET = 0;
    public static final int LENGTH_OFFSET = CRC_OFFSET + SIZE_OF_INT;
    public static final int SEQUENCE_OFFSET = LENGTH_OFFSET + SIZE_OF_INT;
    public static final int TYPE_OFFSET = SEQUENCE_OFFSET + SIZE_OF_LONG;
    public static final int RESERVED_OFFSET = TYPE_OFFSET + SIZE_OF_BYTE;
    public static final int ID_LENGTH_OFFSET = RESERVED_OFFSET + SIZE_OF_BYTE;
    public static final int NNZ_OFFSET = ID_LENGTH_OFFSET + SIZE_OF_SHORT;
    public static final int VALUE_LENGTH_OFFSET = NNZ_OFFSET + SIZE_OF_INT;
    public static final int IMPORTANCE_OFFSET = VALUE_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int STORED_AT_OFFSET = IMPORTANCE_OFFSET + SIZE_OF_FLOAT;
    public static final int HEADER_LENGTH = STORED_AT_OFFSET + SIZE_OF_LONG;

    /** The checksum covers everything after itself. */
    public static final int CHECKSUMMED_FROM = LENGTH_OFFSET;
    public static final int ALIGNMENT = 8;

    /** Puts or replaces a memory entry. */
    public static final byte TYPE_PUT = 1;
    /** Deletes a memory entry (id only). */
    public static final byte TYPE_DELETE = 2;
    /** Puts or replaces a named state (id = name, value = state bytes). */
    public static final byte TYPE_STATE_PUT = 3;
    /** Deletes a named state. */
    public static final byte TYPE_STATE_DELETE = 4;

    private RecordDescriptor()
    {
    }

    public static int indicesOffset(final int recordOffset)
    {
        return recordOffset + HEADER_LENGTH;
    }

    public static int valuesOffset(final int recordOffset, final int nnz)
    {
        return recordOffset + HEADER_LENGTH + nnz * SIZE_OF_INT;
    }

    public static int idOffset(final int recordOffset, final int nnz)
    {
        return recordOffset + HEADER_LENGTH + nnz * (SIZE_OF_INT + SIZE_OF_FLOAT);
    }

    public static int valueOffset(final int recordOffset, final int nnz, final int idLength)
    {
        return idOffset(recordOffset, nnz) + idLength;
    }

    /** @return the unpadded length of a record with these parts, as a long so that callers can check limits. */
    public static long recordLength(final int nnz, final int idLength, final int valueLength)
    {
        return HEADER_LENGTH + (long)nnz * (SIZE_OF_INT + SIZE_OF_FLOAT) + idLength + valueLength;
    }

    /** @return the space a record of this length takes, padding included. */
    public static int alignedLength(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public static boolean isKnownType(final byte type)
    {
        return type >= TYPE_PUT && type <= TYPE_STATE_DELETE;
    }

    public static boolean isStateType(final byte type)
    {
        return type == TYPE_STATE_PUT || type == TYPE_STATE_DELETE;
    }

    public static boolean isDeleteType(final byte type)
    {
        return type == TYPE_DELETE || type == TYPE_STATE_DELETE;
    }
}
