package io.memsnap.cloud.internal;

import io.memsnap.cloud.RemoteCorruptException;
import io.memsnap.cloud.RemoteFormatException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

import static io.memsnap.cloud.internal.RemoteManifestDescriptor.*;

/**
 * One pushed snapshot, decoded: see {@link RemoteManifestDescriptor}. Thread safe: immutable.
 */
public final class RemoteManifest
{
    public final long generation;
    public final long epoch;
    public final long timeline;
    public final long localGeneration;
    public final long lastSequence;
    public final long createdAtMillis;
    public final long pushedAtMillis;
    public final long entryCount;
    public final List<Part> parts;
    private final byte[] storeManifest;

    public RemoteManifest(final long generation, final long epoch, final long timeline, final long localGeneration,
        final long lastSequence, final long createdAtMillis, final long pushedAtMillis, final long entryCount,
        final List<Part> parts, final byte[] storeManifest)
    {
        this.generation = generation;
        this.epoch = epoch;
        this.timeline = timeline;
        this.localGeneration = localGeneration;
        this.lastSequence = lastSequence;
        this.createdAtMillis = createdAtMillis;
        this.pushedAtMillis = pushedAtMillis;
        this.entryCount = entryCount;
        this.parts = Collections.unmodifiableList(new ArrayList<>(parts));
        this.storeManifest = storeManifest.clone();
    }

    /** @return the snapshot's manifest as a restored store commits it. */
    public byte[] storeManifest()
    {
        return storeManifest.clone();
    }

    /** @return the bytes of all parts: what a restore downloads. */
    public long bytes()
    {
        long sum = 0;
        for (final Part p : parts)
        {
            sum += p.length;
        }
        return sum;
    }

    /** @return the parts of one file, in order. */
    public List<Part> partsOf(final String fileName)
    {
        final List<Part> list = new ArrayList<>();
        for (final Part p : parts)
        {
            if (p.fileName.equals(fileName))
            {
                list.add(p);
            }
        }
        return list;
    }

    public byte[] encode()
    {
        final List<byte[]> names = new ArrayList<>();
        int length = PARTS_OFFSET + storeManifest.length + CRC_LENGTH;
        for (final Part p : parts)
        {
            final byte[] name = p.fileName.getBytes(StandardCharsets.UTF_8);
            names.add(name);
            length += Short.BYTES + name.length + PART_FIXED_LENGTH;
        }
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC_OFFSET, MAGIC);
        b.putShort(MAJOR_OFFSET, (short)MAJOR_VERSION);
        b.putShort(MINOR_OFFSET, (short)MINOR_VERSION);
        b.putInt(LENGTH_OFFSET, length);
        b.putLong(GENERATION_OFFSET, generation);
        b.putLong(EPOCH_OFFSET, epoch);
        b.putLong(TIMELINE_OFFSET, timeline);
        b.putLong(LOCAL_GENERATION_OFFSET, localGeneration);
        b.putLong(LAST_SEQUENCE_OFFSET, lastSequence);
        b.putLong(CREATED_AT_OFFSET, createdAtMillis);
        b.putLong(PUSHED_AT_OFFSET, pushedAtMillis);
        b.putLong(ENTRY_COUNT_OFFSET, entryCount);
        b.putInt(PART_COUNT_OFFSET, parts.size());
        b.putInt(MANIFEST_LENGTH_OFFSET, storeManifest.length);
        b.position(PARTS_OFFSET);
        for (int i = 0; i < parts.size(); i++)
        {
            final Part p = parts.get(i);
            b.putShort((short)names.get(i).length).put(names.get(i));
            b.putLong(p.offset).putLong(p.length).putInt(p.crc);
        }
        b.put(storeManifest);
        b.putInt(crc(b.array(), length - CRC_LENGTH));
        return b.array();
    }

    /**
     * @param key the object's key, for messages.
     * @throws RemoteCorruptException if the bytes do not validate.
     * @throws RemoteFormatException  if they are of a major version this build does not read.
     */
    public static RemoteManifest decode(final byte[] bytes, final String key)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < PARTS_OFFSET + CRC_LENGTH || b.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new RemoteCorruptException(key, "not a memsnap remote manifest (" + bytes.length + " bytes, " +
                "magic " + (bytes.length >= Long.BYTES ? Long.toHexString(b.getLong(0)) : "missing") + ")");
        }
        if (b.getInt(LENGTH_OFFSET) != bytes.length)
        {
            throw new RemoteCorruptException(key, "manifest of " + bytes.length + " bytes records a length of " +
                b.getInt(LENGTH_OFFSET) + ": truncated or extended");
        }
        final int stored = b.getInt(bytes.length - CRC_LENGTH);
        final int actual = crc(bytes, bytes.length - CRC_LENGTH);
        if (stored != actual)
        {
            throw new RemoteCorruptException(key, String.format("manifest checksum 0x%08x does not match its " +
                "content's 0x%08x", stored, actual));
        }
        final int major = Short.toUnsignedInt(b.getShort(MAJOR_OFFSET));
        final int minor = Short.toUnsignedInt(b.getShort(MINOR_OFFSET));
        if (major != MAJOR_VERSION)
        {
            throw new RemoteFormatException(key, major, minor, MAJOR_VERSION, MINOR_VERSION);
        }
        try
        {
            final int count = b.getInt(PART_COUNT_OFFSET);
            final int manifestLength = b.getInt(MANIFEST_LENGTH_OFFSET);
            final List<Part> parts = new ArrayList<>();
            b.position(PARTS_OFFSET);
            for (int i = 0; i < count; i++)
            {
                final byte[] name = new byte[Short.toUnsignedInt(b.getShort())];
                b.get(name);
                parts.add(new Part(new String(name, StandardCharsets.UTF_8), b.getLong(), b.getLong(), b.getInt()));
            }
            final byte[] storeManifest = new byte[manifestLength];
            b.get(storeManifest);
            if (b.position() != bytes.length - CRC_LENGTH)
            {
                throw new RemoteCorruptException(key, "manifest fields end at " + b.position() + ", not at its " +
                    "checksum");
            }
            return new RemoteManifest(b.getLong(GENERATION_OFFSET), b.getLong(EPOCH_OFFSET),
                b.getLong(TIMELINE_OFFSET), b.getLong(LOCAL_GENERATION_OFFSET), b.getLong(LAST_SEQUENCE_OFFSET),
                b.getLong(CREATED_AT_OFFSET), b.getLong(PUSHED_AT_OFFSET), b.getLong(ENTRY_COUNT_OFFSET), parts,
                storeManifest);
        }
        catch (final RuntimeException ex)
        {
            if (ex instanceof RemoteCorruptException)
            {
                throw ex;
            }
            throw new RemoteCorruptException(key, "manifest fields do not fit its length: " + ex);
        }
    }

    private static int crc(final byte[] bytes, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int)crc.getValue();
    }
}
