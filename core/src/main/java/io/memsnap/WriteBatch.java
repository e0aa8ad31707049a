package io.memsnap;

import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.RecordEncoder;
import io.memsnap.internal.memory.MemoryRegion;

import java.util.Arrays;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Writes to apply together, in order, with {@link MemoryStore#write(WriteBatch)}: puts and deletes of entries and of
 * named state. Made for bulk loads: the store checks every entry against its limits before it writes anything, takes
 * its write lock once, and appends the records with writes of {@link StoreOptions#writeBufferBytes()} each (and,
 * with {@link Durability#EVERY_WRITE}, one flush for the whole batch).
 *
 * <p>Each method checks its entry at once ({@link InvalidEntryException}, the batch unchanged) and encodes it into
 * the batch's own buffer, so the batch holds no reference to the caller's arrays once the method returns; what
 * depends on the store (the dimension, {@link StoreOptions#maxIdBytes()}, {@link StoreOptions#maxMetadataBytes()},
 * {@link StoreOptions#maxStateBytes()}, the segment size) is checked by {@code write}, for every entry, before it
 * writes anything. A batch may be written to several stores, and reused after {@link #clear()}, which keeps its
 * buffers: adding the same shapes again allocates nothing.
 *
 * <p>Not thread safe. {@code write} only reads the batch.
 */
public final class WriteBatch
{
    private static final byte[] NO_BYTES = new byte[0];
    private static final int[] NO_INDICES = new int[0];
    private static final float[] NO_VALUES = new float[0];

    private byte[] bytes = new byte[1024];
    /** Over {@link #bytes}: replaced when they grow. */
    private MemoryRegion records = MemoryRegion.wrap(bytes);
    /** Bytes of encoded records (each 8-byte aligned, as in a segment). */
    private int length;
    private String[] keys = new String[16];
    private int[] offsets = new int[16];
    /** Each write's record type, beside the records: {@link #hashes} and the store read it without touching them. */
    private byte[] types = new byte[16];
    /** Hashes of the keys for the seed they were last computed for (see {@link #hashes}). */
    private long[] hashes = new long[16];
    private long hashedSeed;
    private int hashedCount = -1;
    private int count;

    /** Per limit of the store, the entry that needs the most of it, or -1 (see {@link #largest}). */
    private int largestId = -1;
    private int largestMetadata = -1;
    private int largestState = -1;
    private int largestDimension = -1;
    private int largestRecord = -1;

    /**
     * An empty batch.
     */
    public WriteBatch()
    {
    }

    /**
     * As {@link #put(String, SparseVector, float, long, byte[])} with importance 1, now, and no metadata.
     *
     * @param id the entry's id.
     * @param vector its vector.
     * @return this batch.
     */
    public WriteBatch put(final String id, final SparseVector vector)
    {
        return put(id, vector, 1.0f, System.currentTimeMillis(), null);
    }

    /**
     * Adds a put of an entry (as {@link MemoryStore#put(String, SparseVector, float, long, byte[])}).
     *
     * @param metadata null for none; copied.
     * @param id the entry's id.
     * @param vector its vector.
     * @param importance a finite weight the store keeps with it.
     * @param storedAtMillis when it was written, in epoch milliseconds.
     * @return this batch.
     * @throws InvalidEntryException if the id, the vector or the importance is not one; the batch is unchanged.
     */
    public WriteBatch put(final String id, final SparseVector vector, final float importance,
        final long storedAtMillis, final byte[] metadata)
    {
        final int idLength = EntryRules.idLength(id, "id");
        if (vector == null)
        {
            throw new InvalidEntryException("vector of '" + id + "' must not be null");
        }
        EntryRules.checkImportance(id, importance);
        final byte[] meta = metadata == null ? NO_BYTES : metadata;
        final int nnz = vector.nnz();
        final int length = (int)RecordDescriptor.recordLength(nnz, idLength, meta.length);
        final int at = add(id, length, TYPE_PUT);
        RecordEncoder.header(records, at, length, 0L, TYPE_PUT, idLength, nnz, meta.length, importance,
            storedAtMillis);
        RecordEncoder.body(records, at, vector.indicesUnsafe(), vector.valuesUnsafe(), id, idLength, meta);
        largest(count - 1, idLength, meta.length, -1, vector.requiredDimension());
        return this;
    }

    /**
     * Adds a delete of an entry (as {@link MemoryStore#delete}): nothing is written for an id the store does not
     * hold when the batch reaches it.
     *
     * @param id the entry's id.
     * @return this batch.
     * @throws InvalidEntryException if the id is not one; the batch is unchanged.
     */
    public WriteBatch delete(final String id)
    {
        return deleteKey(id, "id", TYPE_DELETE);
    }

    /**
     * Adds a put of a named state (as {@link MemoryStore#putState}).
     *
     * @param value copied.
     * @param name the state's name.
     * @return this batch.
     * @throws InvalidEntryException if the name is not one or the value is null; the batch is unchanged.
     */
    public WriteBatch putState(final String name, final byte[] value)
    {
        final int nameLength = EntryRules.idLength(name, "state name");
        if (value == null)
        {
            throw new InvalidEntryException("state '" + name + "' must be non-null");
        }
        final int length = (int)RecordDescriptor.recordLength(0, nameLength, value.length);
        final int at = add(name, length, TYPE_STATE_PUT);
        RecordEncoder.header(records, at, length, 0L, TYPE_STATE_PUT, nameLength, 0, value.length, 0.0f,
            System.currentTimeMillis());
        RecordEncoder.body(records, at, NO_INDICES, NO_VALUES, name, nameLength, value);
        largest(count - 1, nameLength, -1, value.length, 0);
        return this;
    }

    /**
     * Adds a delete of a named state (as {@link MemoryStore#deleteState}).
     *
     * @param name the state's name.
     * @return this batch.
     * @throws InvalidEntryException if the name is not one; the batch is unchanged.
     */
    public WriteBatch deleteState(final String name)
    {
        return deleteKey(name, "state name", TYPE_STATE_DELETE);
    }

    private WriteBatch deleteKey(final String key, final String what, final byte type)
    {
        final int keyLength = EntryRules.idLength(key, what);
        final int length = (int)RecordDescriptor.recordLength(0, keyLength, 0);
        final int at = add(key, length, type);
        RecordEncoder.header(records, at, length, 0L, type, keyLength, 0, 0, 0.0f, 0L);
        RecordEncoder.body(records, at, NO_INDICES, NO_VALUES, key, keyLength, NO_BYTES);
        largest(count - 1, keyLength, -1, -1, 0);
        return this;
    }

    /** {@return the number of writes in the batch.} */
    public int size()
    {
        return count;
    }

    /** {@return the bytes of log the batch's records take (deletes of absent keys write none of theirs).} */
    public long bytes()
    {
        return length;
    }

    /** Empties the batch; its buffers are kept for the next writes. */
    public void clear()
    {
        Arrays.fill(keys, 0, count, null);
        length = 0;
        count = 0;
        hashedCount = -1;
        largestId = -1;
        largestMetadata = -1;
        largestState = -1;
        largestDimension = -1;
        largestRecord = -1;
    }

    // ------------------------------------------------------------------------------------------------ the store's

    /**
     * Checks every entry against the store's limits that {@code options} and {@code dimension} set, from the one
     * that needs the most of each (the segment size is the store's: see {@link #largestRecord()}).
     *
     * @throws InvalidEntryException naming an entry that does not fit; the store writes nothing then.
     */
    void check(final int dimension, final StoreOptions options)
    {
        int entry = -1;
        try
        {
            entry = largestId;
            if (entry >= 0)
            {
                EntryRules.checkIdLimit(keys[entry], idLength(entry), options,
                    isStateType(type(entry)) ? "state name" : "id");
            }
            entry = largestMetadata;
            if (entry >= 0)
            {
                EntryRules.checkMetadata(keys[entry], valueLength(entry), options);
            }
            entry = largestState;
            if (entry >= 0)
            {
                EntryRules.checkStateLength(keys[entry], valueLength(entry), options);
            }
            entry = largestDimension;
            if (entry >= 0 && dimensionOf(entry) > dimension)
            {
                final int[] indices = new int[nnz(entry)];
                for (int k = 0; k < indices.length; k++)
                {
                    indices[k] = records.getInt(indicesOffset(offsets[entry]) + 4 * k);
                }
                throw EntryRules.dimensionExceeded(indices, dimension);
            }
        }
        catch (final InvalidEntryException ex)
        {
            throw naming(entry, ex);
        }
    }

    /** {@return {@code ex} with the position and the key of entry {@code i} of the batch in front of its message.} */
    InvalidEntryException naming(final int i, final InvalidEntryException ex)
    {
        return new InvalidEntryException("write " + (i + 1) + " of " + count + " of the batch ('" +
            EntryRules.abbreviate(keys[i]) + "'): " + ex.getMessage());
    }

    /** {@return the entry whose record is the longest, or -1 if the batch is empty.} */
    int largestRecord()
    {
        return largestRecord;
    }

    /** {@return the hashes of the keys for {@code seed}, computed once per seed and contents.} */
    long[] hashes(final long seed)
    {
        if (hashedCount != count || hashedSeed != seed)
        {
            for (int i = 0; i < count; i++)
            {
                hashes[i] = KeyHash.hash(seed, isStateType(type(i)) ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY,
                    keys[i]);
            }
            hashedSeed = seed;
            hashedCount = count;
        }
        return hashes;
    }

    /** {@return the encoded records: record {@code i} starts at {@link #offset}{@code (i)}, sequence and CRC 0.} */
    MemoryRegion records()
    {
        return records;
    }

    int offset(final int i)
    {
        return offsets[i];
    }

    String key(final int i)
    {
        return keys[i];
    }

    byte type(final int i)
    {
        return types[i];
    }

    int recordLength(final int i)
    {
        return records.getInt(offsets[i] + LENGTH_OFFSET);
    }

    int idLength(final int i)
    {
        return records.getShort(offsets[i] + ID_LENGTH_OFFSET) & 0xFFFF;
    }

    int nnz(final int i)
    {
        return records.getInt(offsets[i] + NNZ_OFFSET);
    }

    private int valueLength(final int i)
    {
        return records.getInt(offsets[i] + VALUE_LENGTH_OFFSET);
    }

    private int dimensionOf(final int i)
    {
        final int nnz = nnz(i);
        return nnz == 0 ? 0 : records.getInt(indicesOffset(offsets[i]) + (nnz - 1) * 4) + 1;
    }

    /** {@return "entry" or "state", for messages.} */
    String kind(final int i)
    {
        return isStateType(type(i)) ? "state" : "entry";
    }

    // ------------------------------------------------------------------------------------------------ encoding

    /**
     * Makes room for a record of {@code recordLength} bytes of {@code type} for {@code key} (its parts were checked:
     * it is far below 2 GiB), its checksum field 0 and its padding zeros; the caller writes every other byte (the
     * header and the body cover {@code [0, recordLength)}). @return where it starts.
     */
    private int add(final String key, final int recordLength, final byte type)
    {
        final int aligned = RecordDescriptor.alignedLength(recordLength);
        if ((long)length + aligned > Integer.MAX_VALUE - 8)
        {
            throw new InvalidEntryException("batch is full: it holds " + count + " writes in " + length + " bytes, " +
                "and '" + key + "' needs " + recordLength + " more; write it and start another");
        }
        if (length + aligned > bytes.length)
        {
            bytes = Arrays.copyOf(bytes, (int)Math.min(Integer.MAX_VALUE - 8,
                Math.max((long)length + aligned, bytes.length * 2L)));
            records = MemoryRegion.wrap(bytes);
        }
        if (count == keys.length)
        {
            keys = Arrays.copyOf(keys, count * 2);
            offsets = Arrays.copyOf(offsets, count * 2);
            types = Arrays.copyOf(types, count * 2);
            hashes = Arrays.copyOf(hashes, count * 2);
        }
        final int at = length;
        // Only what the encoders leave: the rest is written by them, and zeroing a 3 KB record first cost a pass over
        // its bytes (6 % of a bulk load's thread).
        records.putInt(at + CRC_OFFSET, 0);
        Arrays.fill(bytes, at + recordLength, at + aligned, (byte)0);
        keys[count] = key;
        offsets[count] = at;
        types[count] = type;
        count++;
        length += aligned;
        return at;
    }

    /** Remembers entry {@code i} where it needs more of a limit than the entries before it (-1: not that kind). */
    private void largest(final int i, final int idLength, final int metadataLength, final int stateLength,
        final int requiredDimension)
    {
        if (largestId < 0 || idLength > idLength(largestId))
        {
            largestId = i;
        }
        if (metadataLength >= 0 && (largestMetadata < 0 || metadataLength > valueLength(largestMetadata)))
        {
            largestMetadata = i;
        }
        if (stateLength >= 0 && (largestState < 0 || stateLength > valueLength(largestState)))
        {
            largestState = i;
        }
        if (requiredDimension > 0 && (largestDimension < 0 || requiredDimension > dimensionOf(largestDimension)))
        {
            largestDimension = i;
        }
        if (largestRecord < 0 || recordLength(i) > recordLength(largestRecord))
        {
            largestRecord = i;
        }
    }
}
