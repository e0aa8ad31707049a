package io.memsnap.internal.segment;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.SegmentLiveBytesDescriptor;
import io.memsnap.internal.index.HashIndex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import static io.memsnap.internal.format.SegmentLiveBytesDescriptor.*;

/**
 * Live-record accounting of a store's segments: per segment, the bytes of the records the index points at (live
 * bytes), and the bytes of delete records compaction has not yet dealt with (tombstone bytes, see
 * {@link SegmentLiveBytesDescriptor}). Everything else in a segment file is dead. The writer updates it with every
 * record it appends (the record added, the record it replaces), recovery with every record it replays, compaction
 * with every record it copies; its {@link Table} is captured with each index checkpoint and written in every
 * manifest. Heap: two numbers per segment id, never anything per entry.
 *
 * <p>Concurrency: not thread safe. The writer changes and reads it under the store's write lock; other threads read
 * a {@link #table()} taken under that lock.
 */
public final class SegmentUsage
{
    private long[] live = new long[0];
    private int[] tombstones = new int[0];

    /** @return usage starting from a manifest's table (or an empty one). */
    public static SegmentUsage of(final Table table)
    {
        final SegmentUsage usage = new SegmentUsage();
        for (int i = 0; i < table.ids.length; i++)
        {
            usage.grow(table.ids[i]);
            usage.live[table.ids[i]] = table.live[i];
            usage.tombstones[table.ids[i]] = table.tombstones[i];
        }
        return usage;
    }

    /**
     * Counts the live bytes of every record {@code index} points at, from scratch: O(entries). Tombstone bytes are
     * set to unknown for every segment in {@code log} (the index does not know the delete records).
     */
    public static SegmentUsage recount(final HashIndex index, final SegmentLog log)
    {
        final SegmentUsage usage = new SegmentUsage();
        for (final Segment s : log.segments())
        {
            if (s != null)
            {
                usage.grow(s.id());
                usage.tombstones[s.id()] = UNKNOWN_TOMBSTONES;
            }
        }
        index.forEach((hash, address) ->
        {
            if (log.segment(IndexPageDescriptor.segmentId(address)) == null)
            {
                throw new CorruptStoreException("the index points at segment " +
                    IndexPageDescriptor.segmentId(address) + ", which is missing; run 'memsnap salvage' to copy " +
                    "what validates into a new store", index.file().path(), -1);
            }
            usage.added(address, log.alignedLengthAt(address));
        });
        return usage;
    }

    private void grow(final int id)
    {
        if (id >= live.length)
        {
            final int length = Math.max(id + 1, live.length * 2);
            live = Arrays.copyOf(live, length);
            tombstones = Arrays.copyOf(tombstones, length);
        }
    }

    /** The writer put a record of {@code alignedLength} bytes at {@code address} that replaced {@code previous}. */
    public void put(final long address, final int alignedLength, final long previous, final SegmentLog log)
    {
        added(address, alignedLength);
        if (previous != 0)
        {
            released(previous, log.alignedLengthAt(previous));
        }
    }

    /** The writer appended a delete record of {@code alignedLength} bytes at {@code address} for {@code previous}. */
    public void delete(final long address, final int alignedLength, final long previous, final SegmentLog log)
    {
        tombstone(address, alignedLength);
        if (previous != 0)
        {
            released(previous, log.alignedLengthAt(previous));
        }
    }

    /** A record of {@code alignedLength} bytes at {@code address} became live. */
    public void added(final long address, final int alignedLength)
    {
        final int id = IndexPageDescriptor.segmentId(address);
        grow(id);
        live[id] += alignedLength;
    }

    /** The live record of {@code alignedLength} bytes at {@code address} was replaced or deleted. */
    public void released(final long address, final int alignedLength)
    {
        final int id = IndexPageDescriptor.segmentId(address);
        grow(id);
        live[id] -= alignedLength;
    }

    /** A delete record of {@code alignedLength} bytes was appended at {@code address}. */
    public void tombstone(final long address, final int alignedLength)
    {
        final int id = IndexPageDescriptor.segmentId(address);
        grow(id);
        if (tombstones[id] != UNKNOWN_TOMBSTONES)
        {
            tombstones[id] += alignedLength;
        }
    }

    /** Compaction copied forward or dropped every delete record of segment {@code id}. */
    public void tombstonesHandled(final int id)
    {
        grow(id);
        tombstones[id] = 0;
    }

    /**
     * Writer, under the write lock, for a rewind: takes the counts of {@code other} (those of another state of the
     * store, which the writer adopts), in place, so that every part holding this accounting sees them.
     */
    public void adopt(final SegmentUsage other)
    {
        live = other.live.clone();
        tombstones = other.tombstones.clone();
    }

    /** Segment {@code id} is gone: nothing is counted for it any more. */
    public void forget(final int id)
    {
        if (id < live.length)
        {
            live[id] = 0;
            tombstones[id] = 0;
        }
    }

    public long live(final int id)
    {
        return id >= 0 && id < live.length ? live[id] : 0;
    }

    /** @return the tombstone bytes of segment {@code id}, or {@link SegmentLiveBytesDescriptor#UNKNOWN_TOMBSTONES}. */
    public int tombstones(final int id)
    {
        return id >= 0 && id < tombstones.length ? tombstones[id] : 0;
    }

    /** @return a copy of the counts, O(segments): what a checkpoint freezes and a manifest holds. */
    public Table table()
    {
        int n = 0;
        for (int id = 0; id < live.length; id++)
        {
            if (live[id] != 0 || tombstones[id] != 0)
            {
                n++;
            }
        }
        final int[] ids = new int[n];
        final long[] l = new long[n];
        final int[] t = new int[n];
        int i = 0;
        for (int id = 0; id < live.length; id++)
        {
            if (live[id] != 0 || tombstones[id] != 0)
            {
                ids[i] = id;
                l[i] = live[id];
                t[i++] = tombstones[id];
            }
        }
        return new Table(ids, l, t);
    }

    /** An immutable copy of the counts, sorted by segment id. Thread safe. */
    public static final class Table
    {
        private final int[] ids;
        private final long[] live;
        private final int[] tombstones;

        Table(final int[] ids, final long[] live, final int[] tombstones)
        {
            this.ids = ids;
            this.live = live;
            this.tombstones = tombstones;
        }

        /** @return the segment ids listed, ascending (those with live bytes or tombstones). */
        public int[] ids()
        {
            return ids.clone();
        }

        public long live(final int id)
        {
            final int i = Arrays.binarySearch(ids, id);
            return i < 0 ? 0 : live[i];
        }

        public int tombstones(final int id)
        {
            final int i = Arrays.binarySearch(ids, id);
            return i < 0 ? 0 : tombstones[i];
        }

        /** @return the sum of every segment's live bytes. */
        public long totalLive()
        {
            long sum = 0;
            for (final long l : live)
            {
                sum += l;
            }
            return sum;
        }

        /** @return the body of the manifest extension ({@link SegmentLiveBytesDescriptor}). */
        public byte[] encode()
        {
            final ByteBuffer b = ByteBuffer.allocate(SegmentLiveBytesDescriptor.length(ids.length))
                .order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(COUNT_OFFSET, ids.length);
            for (int i = 0; i < ids.length; i++)
            {
                final int p = ENTRIES_OFFSET + i * ENTRY_LENGTH;
                b.putInt(p + ENTRY_ID_OFFSET, ids[i]);
                b.putInt(p + ENTRY_LIVE_OFFSET, (int)live[i]);
                b.putInt(p + ENTRY_TOMBSTONES_OFFSET, tombstones[i]);
            }
            return b.array();
        }

        /**
         * @param file the manifest, for the message.
         * @throws CorruptStoreException if the body is not a valid table (the manifest's checksum held: a bug of the
         *                               writer, or a hand-made file).
         */
        public static Table decode(final byte[] body, final Path file)
        {
            final ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
            final int n = body.length >= ENTRIES_OFFSET ? b.getInt(COUNT_OFFSET) : -1;
            if (n < 0 || body.length != SegmentLiveBytesDescriptor.length(n))
            {
                throw new CorruptStoreException("the live-bytes extension of the manifest has " + body.length +
                    " bytes, which is no table of segments", file, 0);
            }
            final int[] ids = new int[n];
            final long[] live = new long[n];
            final int[] tombstones = new int[n];
            for (int i = 0; i < n; i++)
            {
                final int p = ENTRIES_OFFSET + i * ENTRY_LENGTH;
                ids[i] = b.getInt(p + ENTRY_ID_OFFSET);
                live[i] = b.getInt(p + ENTRY_LIVE_OFFSET);
                tombstones[i] = b.getInt(p + ENTRY_TOMBSTONES_OFFSET);
                if (ids[i] <= 0 || i > 0 && ids[i] <= ids[i - 1] || live[i] < 0 || tombstones[i] < UNKNOWN_TOMBSTONES)
                {
                    throw new CorruptStoreException("the live-bytes extension of the manifest lists segment " +
                        ids[i] + " with " + live[i] + " live and " + tombstones[i] + " tombstone bytes, out of " +
                        "order or negative", file, 0);
                }
            }
            return new Table(ids, live, tombstones);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Table && Arrays.equals(ids, ((Table)o).ids) && Arrays.equals(live, ((Table)o).live) &&
                Arrays.equals(tombstones, ((Table)o).tombstones);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(ids) * 31 + Arrays.hashCode(live);
        }

        @Override
        public String toString()
        {
            final StringBuilder s = new StringBuilder("Table{");
            for (int i = 0; i < ids.length; i++)
            {
                s.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(live[i]).append('/')
                    .append(tombstones[i]);
            }
            return s.append('}').toString();
        }
    }
}
