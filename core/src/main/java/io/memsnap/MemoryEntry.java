package io.memsnap;

import java.util.Arrays;

/**
 * A copy of one stored entry, detached from the store. Thread safe: immutable (the metadata accessor copies).
 */
public final class MemoryEntry
{
    private final String id;
    private final SparseVector vector;
    private final float importance;
    private final long storedAtMillis;
    private final byte[] metadata;
    private final long sequence;

    /**
     * A copy of an entry, as {@link MemoryStore#get} returns it.
     *
     * @param id the entry's id.
     * @param vector its vector.
     * @param importance its importance.
     * @param storedAtMillis when it was written, in epoch milliseconds.
     * @param metadata its metadata, empty for none; copied.
     * @param sequence the sequence number of its record.
     */
    public MemoryEntry(
        final String id,
        final SparseVector vector,
        final float importance,
        final long storedAtMillis,
        final byte[] metadata,
        final long sequence)
    {
        this.id = id;
        this.vector = vector;
        this.importance = importance;
        this.storedAtMillis = storedAtMillis;
        this.metadata = metadata.clone();
        this.sequence = sequence;
    }

    /** {@return the entry's id.} */
    public String id()
    {
        return id;
    }

    /** {@return the entry's vector.} */
    public SparseVector vector()
    {
        return vector;
    }

    /** {@return the importance the entry was written with.} */
    public float importance()
    {
        return importance;
    }

    /** {@return when the entry was written, in epoch milliseconds (as the writer gave it).} */
    public long storedAtMillis()
    {
        return storedAtMillis;
    }

    /** {@return a copy of the metadata bytes (empty, never null, when none were stored).} */
    public byte[] metadata()
    {
        return metadata.clone();
    }

    /**
     * {@return the sequence number of the record holding this version of the entry: the write that stored it, or a
     * later copy of it that compaction made (a copy takes the next sequence number and keeps everything else).}
     */
    public long sequence()
    {
        return sequence;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof MemoryEntry))
        {
            return false;
        }
        final MemoryEntry that = (MemoryEntry)o;
        return id.equals(that.id) && vector.equals(that.vector) &&
            Float.floatToRawIntBits(importance) == Float.floatToRawIntBits(that.importance) &&
            storedAtMillis == that.storedAtMillis && Arrays.equals(metadata, that.metadata);
    }

    @Override
    public int hashCode()
    {
        return id.hashCode() * 31 + vector.hashCode();
    }

    @Override
    public String toString()
    {
        return "MemoryEntry{id='" + id + "', " + vector + ", importance=" + importance + ", storedAtMillis=" +
            storedAtMillis + ", metadata=" + metadata.length + " bytes, sequence=" + sequence + '}';
    }
}
