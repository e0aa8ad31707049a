package io.memsnap.cli.archive;

import io.memsnap.EntryView;
import io.memsnap.SparseVector;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * Writes one archive to a stream: the header at once, then entries (in strictly increasing id order), then named
 * states (in strictly increasing name order), then, on {@link #finish()}, the end frame and the trailer with the
 * SHA-256. Memory is one block and its compressed copy, whatever the number of entries. Not thread safe.
 *
 * <p>The counts given in the header are a promise: {@link #finish()} fails if a different number was written.
 */
public final class ArchiveWriter
{
    private final ArchiveHeader header;
    private final DigestOutput out;
    private final FrameWriter frames;
    private byte[] previousId;
    private byte[] previousName;
    private long entries;
    private long states;
    private int[] indices = new int[64];
    private float[] values = new float[64];
    private byte[] metadata = new byte[256];
    private boolean finished;

    /** Writes the header. The caller closes {@code out}. */
    public ArchiveWriter(final OutputStream out, final ArchiveHeader header) throws IOException
    {
        if (header.major() != MAJOR || header.blockSize() < MIN_BLOCK_SIZE || header.blockSize() > MAX_BLOCK_SIZE ||
            header.dimension() < 1 || header.entryCount() < 0 || header.stateCount() < 0)
        {
            throw new IllegalArgumentException("cannot write " + header);
        }
        this.header = header;
        this.out = new DigestOutput(out);
        final byte[] bytes = header.encode();
        this.out.write(bytes, 0, bytes.length);
        this.frames = new FrameWriter(this.out, header.blockSize());
    }

    /** Writes the entry the view shows (copies it out of the view first). */
    public void entry(final EntryView e) throws IOException
    {
        final int nnz = e.nnz();
        if (indices.length < nnz)
        {
            indices = new int[Math.max(nnz, indices.length * 2)];
            values = new float[indices.length];
        }
        e.getIndices(indices);
        e.getValues(values);
        final int metadataLength = e.metadataLength();
        if (metadata.length < metadataLength)
        {
            metadata = new byte[Math.max(metadataLength, metadata.length * 2)];
        }
        e.getMetadata(metadata, 0);
        write(e.id().getBytes(StandardCharsets.UTF_8), nnz, indices, values, e.importance(), e.storedAtMillis(),
            metadata, metadataLength);
    }

    /** Writes one entry. */
    public void entry(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata) throws IOException
    {
        final byte[] meta = metadata == null ? new byte[0] : metadata;
        write(id.getBytes(StandardCharsets.UTF_8), vector.nnz(), vector.indices(), vector.values(), importance,
            storedAtMillis, meta, meta.length);
    }

    private void write(final byte[] id, final int nnz, final int[] indices, final float[] values,
        final float importance, final long storedAtMillis, final byte[] metadata, final int metadataLength)
        throws IOException
    {
        requireOpen();
        if (states > 0)
        {
            throw new IllegalStateException("entries must come before named states");
        }
        if (previousId != null && Arrays.compareUnsigned(previousId, id) >= 0)
        {
            throw new IllegalStateException("entries must be written in strictly increasing id order: '" +
                new String(id, StandardCharsets.UTF_8) + "' after '" + new String(previousId, StandardCharsets.UTF_8) +
                "'");
        }
        if (id.length == 0 || id.length > MAX_KEY_BYTES || nnz > MAX_NNZ || metadataLength > MAX_METADATA_BYTES)
        {
            throw new IllegalArgumentException("entry '" + new String(id, StandardCharsets.UTF_8) + "' exceeds the " +
                "archive format's limits (id " + id.length + " bytes, " + nnz + " non-zeros, metadata " +
                metadataLength + " bytes)");
        }
        if (++entries > header.entryCount())
        {
            throw new IllegalStateException("more entries than the header's " + header.entryCount());
        }
        frames.writeByte(TYPE_ENTRY);
        frames.writeByte(0);
        frames.writeShort(id.length);
        frames.writeInt(nnz);
        frames.writeInt(metadataLength);
        frames.writeInt(Float.floatToRawIntBits(importance));
        frames.writeLong(storedAtMillis);
        for (int i = 0; i < nnz; i++)
        {
            frames.writeInt(indices[i]);
        }
        for (int i = 0; i < nnz; i++)
        {
            frames.writeInt(Float.floatToRawIntBits(values[i]));
        }
        frames.writeBytes(id, 0, id.length);
        frames.writeBytes(metadata, 0, metadataLength);
        previousId = id;
    }

    /** Writes one named state; all entries must have been written. */
    public void state(final String name, final byte[] value) throws IOException
    {
        requireOpen();
        final byte[] key = name.getBytes(StandardCharsets.UTF_8);
        if (previousName != null && Arrays.compareUnsigned(previousName, key) >= 0)
        {
            throw new IllegalStateException("named states must be written in strictly increasing name order: '" +
                name + "' after '" + new String(previousName, StandardCharsets.UTF_8) + "'");
        }
        if (key.length == 0 || key.length > MAX_KEY_BYTES || value.length > MAX_STATE_BYTES)
        {
            throw new IllegalArgumentException("state '" + name + "' exceeds the archive format's limits");
        }
        if (++states > header.stateCount())
        {
            throw new IllegalStateException("more named states than the header's " + header.stateCount());
        }
        frames.writeByte(TYPE_STATE);
        frames.writeByte(0);
        frames.writeShort(key.length);
        frames.writeInt(value.length);
        frames.writeBytes(key, 0, key.length);
        frames.writeBytes(value, 0, value.length);
        previousName = key;
    }

    /**
     * Writes the end frame and the trailer, and flushes (the caller still closes and, for a file, forces the
     * stream).
     *
     * @throws IllegalStateException if fewer entries or states were written than the header promised.
     */
    public ArchiveSummary finish() throws IOException
    {
        requireOpen();
        if (entries != header.entryCount() || states != header.stateCount())
        {
            throw new IllegalStateException("wrote " + entries + " entries and " + states + " states; the header " +
                "promised " + header.entryCount() + " and " + header.stateCount());
        }
        frames.finish();
        final ByteBuffer trailer = ByteBuffer.allocate(TRAILER_SHA256_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        trailer.put(END_MAGIC).putLong(entries).putLong(states).putLong(frames.frames())
            .putLong(frames.streamLength());
        out.write(trailer.array(), 0, TRAILER_SHA256_OFFSET);
        final byte[] sha = out.digest();
        out.writeUndigested(sha);
        out.flush();
        finished = true;
        return new ArchiveSummary(header, entries, states, frames.frames(), frames.streamLength(), out.position(),
            sha);
    }

    private void requireOpen()
    {
        if (finished)
        {
            throw new IllegalStateException("the archive is finished");
        }
    }
}
