package io.memsnap.crash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A file of the model: the bytes and length that are durable, and the writes, truncates and extensions since its last
 * flush, in order. A byte never written reads as zero, as in a hole of a sparse file. A flush makes every write
 * recorded before it durable, length included (fdatasync). Not thread safe.
 */
final class FileNode extends Node
{
    private final Bytes durable;
    private final List<PendingWrite> pending = new ArrayList<>();
    private long liveLength;

    FileNode(final int id, final byte[] durable)
    {
        super(id);
        this.durable = new Bytes(durable);
        this.liveLength = durable.length;
    }

    /**
     * @return a copy known by {@code id}, its pending changes placed {@code shift} entries earlier (before every
     * entry of a new journal).
     */
    FileNode copy(final int id, final int shift)
    {
        final FileNode copy = new FileNode(id, durable.toArray());
        for (final PendingWrite w : pending)
        {
            copy.pending.add(w.shifted(shift));
        }
        copy.liveLength = liveLength;
        return copy;
    }

    void write(final int journalIndex, final long position, final byte[] bytes)
    {
        pending.add(PendingWrite.write(journalIndex, position, bytes));
        liveLength = Math.max(liveLength, position + bytes.length);
    }

    /** Cuts the file to {@code size} bytes; nothing if it is not longer (as {@code StoreFile.truncate}). */
    void truncate(final int journalIndex, final long size)
    {
        if (size < liveLength)
        {
            pending.add(PendingWrite.truncate(journalIndex, size));
            liveLength = size;
        }
    }

    /**
     * Grows the file to {@code size} bytes without writing them (as {@code StoreFile.extend}); nothing if it is not
     * shorter. The new bytes are a hole: zeros, live and, once flushed or kept by a power cut, durable.
     */
    void extend(final int journalIndex, final long size)
    {
        if (size > liveLength)
        {
            pending.add(PendingWrite.extend(journalIndex, size));
            liveLength = size;
        }
    }

    /** Makes durable every pending change recorded before journal entry {@code coversBefore}. */
    void force(final long coversBefore)
    {
        int covered = 0;
        while (covered < pending.size() && pending.get(covered).journalIndex < coversBefore)
        {
            pending.get(covered).applyTo(durable, Integer.MAX_VALUE, 1);
            covered++;
        }
        pending.subList(0, covered).clear();
    }

    boolean hasPending()
    {
        return !pending.isEmpty();
    }

    List<PendingWrite> pending()
    {
        return Collections.unmodifiableList(pending);
    }

    /** @return a copy of the durable contents. */
    Bytes durable()
    {
        return durable.copy();
    }

    /** @return the contents with every pending change applied: what the process saw (and a SIGKILL leaves). */
    Bytes live()
    {
        final Bytes b = durable.copy();
        for (final PendingWrite w : pending)
        {
            w.applyTo(b, Integer.MAX_VALUE, 1);
        }
        return b;
    }
}
