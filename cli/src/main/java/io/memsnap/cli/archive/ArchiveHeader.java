package io.memsnap.cli.archive;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * What an archive's header says: the snapshot's dimension, counts, provenance and labels. Thread safe: immutable.
 */
public final class ArchiveHeader
{
    private final int major;
    private final int minor;
    private final int dimension;
    private final int blockSize;
    private final long entryCount;
    private final long stateCount;
    private final long sourceGeneration;
    private final long sourceSequence;
    private final long createdAtMillis;
    private final long exportedAtMillis;
    private final Map<String, String> labels;

    public ArchiveHeader(
        final int major,
        final int minor,
        final int dimension,
        final int blockSize,
        final long entryCount,
        final long stateCount,
        final long sourceGeneration,
        final long sourceSequence,
        final long createdAtMillis,
        final long exportedAtMillis,
        final Map<String, String> labels)
    {
        this.major = major;
        this.minor = minor;
        this.dimension = dimension;
        this.blockSize = blockSize;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.sourceGeneration = sourceGeneration;
        this.sourceSequence = sourceSequence;
        this.createdAtMillis = createdAtMillis;
        this.exportedAtMillis = exportedAtMillis;
        this.labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    public int major()
    {
        return major;
    }

    public int minor()
    {
        return minor;
    }

    public int dimension()
    {
        return dimension;
    }

    /** @return the largest decompressed size of one frame. */
    public int blockSize()
    {
        return blockSize;
    }

    public long entryCount()
    {
        return entryCount;
    }

    public long stateCount()
    {
        return stateCount;
    }

    /** @return the generation of the snapshot that was exported. */
    public long sourceGeneration()
    {
        return sourceGeneration;
    }

    /** @return the last sequence number of the snapshot that was exported. */
    public long sourceSequence()
    {
        return sourceSequence;
    }

    public long createdAtMillis()
    {
        return createdAtMillis;
    }

    public long exportedAtMillis()
    {
        return exportedAtMillis;
    }

    /** @return the snapshot's labels, sorted by key. */
    public Map<String, String> labels()
    {
        return labels;
    }

    /**
     * @return the header's bytes, CRC included.
     * @throws IllegalArgumentException if the labels exceed {@link ArchiveDescriptor#MAX_LABEL_BYTES}.
     */
    public byte[] encode()
    {
        int labelBytes = 0;
        long labelPayload = 0;
        final byte[][] keys = new byte[labels.size()][];
        final byte[][] values = new byte[labels.size()][];
        int i = 0;
        for (final Map.Entry<String, String> e : labels.entrySet())
        {
            keys[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            values[i] = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (keys[i].length == 0 || keys[i].length > 0xFFFF)
            {
                throw new IllegalArgumentException("label key length " + keys[i].length + " is not in [1, 65535]");
            }
            labelPayload += keys[i].length + values[i].length;
            labelBytes += 2 + keys[i].length + 4 + values[i].length;
            i++;
        }
        if (labelPayload > MAX_LABEL_BYTES)
        {
            throw new IllegalArgumentException("labels take " + labelPayload + " bytes; at most " + MAX_LABEL_BYTES);
        }
        final int length = HEADER_MIN_LENGTH + labelBytes;
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short)major).putShort((short)minor).putInt(length)
            .putInt(dimension).putInt(blockSize)
            .putLong(entryCount).putLong(stateCount)
            .putLong(sourceGeneration).putLong(sourceSequence)
            .putLong(createdAtMillis).putLong(exportedAtMillis)
            .put(new byte[RESERVED_LENGTH])
            .putInt(labels.size());
        for (int j = 0; j < keys.length; j++)
        {
            b.putShort((short)keys[j].length).put(keys[j]).putInt(values[j].length).put(values[j]);
        }
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, length - 4);
        b.putInt((int)crc.getValue());
        return b.array();
    }

    @Override
    public String toString()
    {
        return "ArchiveHeader{version=" + major + "." + minor + ", dimension=" + dimension + ", blockSize=" +
            blockSize + ", entryCount=" + entryCount + ", stateCount=" + stateCount + ", sourceGeneration=" +
            sourceGeneration + ", sourceSequence=" + sourceSequence + ", createdAtMillis=" + createdAtMillis +
            ", exportedAtMillis=" + exportedAtMillis + ", labels=" + labels + '}';
    }
}
