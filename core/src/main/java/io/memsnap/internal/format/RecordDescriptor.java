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
 *
 * <p>PAD (format 2.0 segments only): the same header with type {@link #TYPE_PAD}, id length 0, nnz 0, importance 0,
 * stored-at 0 and value length {@code length - HEADER_LENGTH}; the value is zeros. It carries the sequence number
 * of the record that follows it without using it up, and changes nothing when replayed. The writer ends a
 * snapshot's (or a sync's) bytes with one, so that they end on a page boundary: the flush then never writes back a
 * page that the writer goes on appending to, and the writer never faults on a page under write-back.
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
    /** Padding to a page boundary; no id, no vector; since format 2.0. */
    public static final byte TYPE_PAD = 5;
    /** The shortest PAD: a header alone. */
    public static final int MIN_PAD_LENGTH = HEADER_LENGTH;

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

    /** @return whether {@code type} is a record that names an id (PAD is not one). */
    public static boolean isKnownType(final byte type)
    {
        return type >= TYPE_PUT && type <= TYPE_STATE_DELETE;
    }

    /**
     * @param padAllowed whether the segment's format version has PAD records.
     * @return whether a header's fields describe a record of {@code length} bytes: a PAD of zeros, or a record of a
     * known type with an id whose parts add up to the length. Says nothing about the checksum.
     */
    public static boolean fieldsConsistent(final byte type, final int nnz, final int idLength, final int valueLength,
        final int length, final boolean padAllowed)
    {
        if (isPadType(type) && padAllowed)
        {
            return nnz == 0 && idLength == 0 && valueLength == length - HEADER_LENGTH;
        }
        return isKnownType(type) && nnz >= 0 && valueLength >= 0 && idLength > 0 &&
            recordLength(nnz, idLength, valueLength) == length;
    }

    public static boolean isPadType(final byte type)
    {
        return type == TYPE_PAD;
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
