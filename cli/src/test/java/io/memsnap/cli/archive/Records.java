package io.memsnap.cli.archive;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds record streams and headers byte by byte, for crafted archives in tests. */
final class Records
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    long entries;
    long states;

    Records entry(final String id, final int[] indices, final float[] values, final float importance,
        final long storedAt, final byte[] metadata)
    {
        return entry(id.getBytes(StandardCharsets.UTF_8), indices.length, indices, values, importance, storedAt,
            metadata);
    }

    Records entry(final byte[] id, final int nnz, final int[] indices, final float[] values, final float importance,
        final long storedAt, final byte[] metadata)
    {
        final ByteBuffer b = ByteBuffer.allocate(24 + 8 * indices.length + id.length + metadata.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        b.put(ArchiveDescriptor.TYPE_ENTRY).put((byte)0).putShort((short)id.length).putInt(nnz)
            .putInt(metadata.length).putFloat(importance).putLong(storedAt);
        for (final int i : indices)
        {
            b.putInt(i);
        }
        for (final float v : values)
        {
            b.putFloat(v);
        }
        b.put(id).put(metadata);
        out.writeBytes(b.array());
        entries++;
        return this;
    }

    Records state(final String name, final byte[] value)
    {
        final byte[] n = name.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer b = ByteBuffer.allocate(8 + n.length + value.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ArchiveDescriptor.TYPE_STATE).put((byte)0).putShort((short)n.length).putInt(value.length).put(n)
            .put(value);
        out.writeBytes(b.array());
        states++;
        return this;
    }

    Records raw(final byte[] bytes)
    {
        out.writeBytes(bytes);
        return this;
    }

    byte[] stream()
    {
        return out.toByteArray();
    }

    /** @return an archive of these records whose header and trailer agree with what was added. */
    byte[] archive(final int dimension, final int blockSize)
    {
        return archive(dimension, blockSize, entries, states);
    }

    byte[] archive(final int dimension, final int blockSize, final long headerEntries, final long headerStates)
    {
        final Forge.Parts p = new Forge.Parts();
        p.header = new ArchiveHeader(1, 0, dimension, blockSize, headerEntries, headerStates, 3, 9, 5, 6,
            Map.of("k", "v")).encode();
        p.stream = stream();
        p.blockSize = blockSize;
        p.entries = entries;
        p.states = states;
        return Forge.join(p);
    }
}
