package io.memsnap.jcstress;

import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.KeyMatcher;
import io.memsnap.internal.memory.MemoryRegion;

import java.lang.ref.Cleaner;

/**
 * Stand-ins for the records an index address points at, off the heap like the store's segments: record {@code n}
 * (address {@code n}, from 1) holds a key id and a payload, {@code n} itself. {@link #put} writes a record with plain
 * stores and then puts its address in the index, as the store appends a record before it puts its address. As a
 * {@link KeyMatcher} it reads the key id of the record at an address, as the store's matcher reads the record's
 * key: a key is its id, passed as the namespace argument, and the key text is the same for all.
 */
final class Records implements KeyMatcher
{
    /** The key text passed to the index with every key id. */
    static final CharSequence KEY = "k";

    private static final int RECORD_LENGTH = 2 * Long.BYTES;
    private static final int PAYLOAD_OFFSET = Long.BYTES;
    private static final int BLOCK_BYTES = 1 << 20;

    private static final Cleaner CLEANER = Cleaner.create();

    private static Block block;
    private static int blockUsed;

    /** The block {@link #buffer} is a slice of, held so that the block is freed only once no state holds one. */
    private final Block owner;
    private final MemoryRegion buffer;
    private final int count;

    Records(final int count)
    {
        this.count = count;
        synchronized (Records.class)
        {
            final int length = count * RECORD_LENGTH;
            if (block == null || blockUsed + length > BLOCK_BYTES)
            {
                block = new Block();
                blockUsed = 0;
            }
            this.owner = block;
            this.buffer = block.region.slice(blockUsed, length); // zeroed: the block is never written twice
            blockUsed += length;
        }
    }

    /**
     * Writer: writes record {@code address} of key {@code keyId} (plain stores), then points the key at it in
     * {@code index} ({@link HashIndex#prepare}, {@link HashIndex#put}).
     */
    void put(final HashIndex index, final long hash, final long keyId, final long address)
    {
        final int offset = offset(address);
        buffer.putLong(offset, keyId);
        buffer.putLong(offset + PAYLOAD_OFFSET, address);
        final int bucket = index.prepare(hash, KEY, keyId, this);
        index.put(bucket, hash, KEY, keyId, this, address);
    }

    /** Writer: removes key {@code keyId} from {@code index} ({@link HashIndex#prepare}, {@link HashIndex#remove}). */
    void remove(final HashIndex index, final long hash, final long keyId)
    {
        final int bucket = index.prepare(hash, KEY, keyId, this);
        index.remove(bucket, hash, KEY, keyId, this);
    }

    /** @return the payload of the record at {@code address}: the address itself once the record is written. */
    long payload(final long address)
    {
        return buffer.getLong(offset(address) + PAYLOAD_OFFSET);
    }

    @Override
    public boolean matches(final long address, final CharSequence key, final long namespace)
    {
        return address >= 1 && address <= count && buffer.getLong(offset(address)) == namespace;
    }

    private static int offset(final long address)
    {
        return (int)(address - 1) * RECORD_LENGTH;
    }

    /**
     * A zeroed block of memory off the heap that the states' records are slices of: closed by the cleaner once no
     * state holds it (an allocated region is not freed by the collector).
     */
    private static final class Block
    {
        final MemoryRegion region = MemoryRegion.allocate(BLOCK_BYTES);

        Block()
        {
            CLEANER.register(this, region::close);
        }
    }
}
