package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.InvalidEntryException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.format.Utf8;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.memsnap.internal.format.ManifestDescriptor.*;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/** Encodes and decodes manifests (layout in {@link io.memsnap.internal.format.ManifestDescriptor}). Stateless. */
public final class ManifestCodec
{
    private ManifestCodec()
    {
    }

    /**
     * @throws InvalidEntryException if the labels are too large.
     */
    public static void validateLabels(final Map<String, String> labels)
    {
        long bytes = 0;
        for (final Map.Entry<String, String> e : labels.entrySet())
        {
            if (e.getKey() == null || e.getValue() == null || e.getKey().isEmpty())
            {
                throw new InvalidEntryException("snapshot label keys must be non-empty and values non-null");
            }
            final int keyLength = Utf8.encodedLength(e.getKey(), "snapshot label key");
            if (keyLength > 0xFFFF)
            {
                throw new InvalidEntryException("snapshot label key is " + keyLength + " bytes; at most 65535");
            }
            bytes += keyLength + Utf8.encodedLength(e.getValue(), "snapshot label value");
        }
        if (bytes > MAX_LABEL_BYTES)
        {
            throw new InvalidEntryException("snapshot labels take " + bytes + " bytes; at most " + MAX_LABEL_BYTES +
                " are allowed: keep large configuration in named state (putState) instead");
        }
    }

    /**
     * @return the bytes of {@code m} in its own version (3.0 and later share a layout: a migration step writes the
     * version it upgrades to, which may be older than this build's).
     * @throws IllegalArgumentException if {@code m} is of a version before 3.0, which this build never writes.
     */
    public static byte[] encode(final Manifest m)
    {
        if (!FormatVersion.hasManifestExtensions(m.majorVersion))
        {
            throw new IllegalArgumentException("manifests of format " + m.majorVersion + "." + m.minorVersion +
                " are not written by this build");
        }
        final byte[][] keys = new byte[m.labels.size()][];
        final byte[][] values = new byte[m.labels.size()][];
        int labelBytes = 0;
        int i = 0;
        for (final Map.Entry<String, String> e : m.labels.entrySet())
        {
            keys[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            values[i] = e.getValue().getBytes(StandardCharsets.UTF_8);
            labelBytes += 2 + keys[i].length + 4 + values[i].length;
            i++;
        }
        int extensionBytes = SIZE_OF_INT;
        for (final ManifestExtension e : m.extensions)
        {
            extensionBytes += EXTENSION_HEADER_LENGTH + e.length();
        }
        final int length = V3_SHIFT + FIXED_LENGTH + m.segments.length * FILE_ENTRY_LENGTH + INDEX_ENTRY_LENGTH +
            labelBytes + extensionBytes + 4;
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putShort((short)m.majorVersion).putShort((short)m.minorVersion)
            .putInt(length)
            .putShort((short)m.oldestReader.major).putShort((short)m.oldestReader.minor)
            .putShort((short)m.oldestReader.patch).putShort((short)0)
            .putLong(m.generation).putLong(m.lastSequence).putLong(m.createdAtMillis)
            .putLong(m.entryCount).putLong(m.stateCount).putLong(m.seed)
            .putInt(m.dimension).putInt(m.hashFunction)
            .putInt(m.tailSegment).putInt(m.tailOffset)
            .putLong(m.bytesFlushed).putLong(m.durationNanos);
        final Checkpoint c = m.checkpoint;
        b.putInt(c.rootPage).putInt(c.indexPages).putInt(c.replaySegment).putInt(c.replayOffset)
            .putLong(c.lastSequence).putLong(c.entryCount).putLong(c.stateCount)
            .putInt(m.segments.length).putInt(m.labels.size());
        for (final Manifest.FileEntry f : m.segments)
        {
            b.putInt(f.segmentId).putInt(f.committedLength).putInt(f.flushedFrom).putInt(f.flushedCrc);
        }
        b.putInt(c.indexPages).putInt(c.sealedFromPage).putInt(c.sealedCrc).putInt(0);
        for (int k = 0; k < keys.length; k++)
        {
            b.putShort((short)keys[k].length).put(keys[k]).putInt(values[k].length).put(values[k]);
        }
        b.putInt(m.extensions.size());
        for (final ManifestExtension e : m.extensions)
        {
            b.putShort((short)e.tag).putShort((short)e.flags).putInt(e.length()).put(e.body());
        }
        b.putInt(new Checksum().compute(b.array(), 0, length - 4));
        return b.array();
    }

    /**
     * @throws CorruptStoreException if the bytes are not a whole, valid manifest.
     * @throws io.memsnap.IncompatibleFormatException if the major version is not one this build reads.
     */
    public static Manifest decode(final byte[] bytes, final Path file)
    {
        if (bytes.length < FIXED_LENGTH + INDEX_ENTRY_LENGTH + 4)
        {
            throw new CorruptStoreException("manifest is " + bytes.length + " bytes, too short", file, 0);
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new CorruptStoreException("not a memsnap manifest (bad magic)", file, 0);
        }
        final int length = b.getInt(TOTAL_LENGTH_OFFSET);
        final int stored = length == bytes.length ? b.getInt(length - 4) : 0;
        final int actual = new Checksum().compute(bytes, 0, Math.max(0, Math.min(length, bytes.length) - 4));
        if (length != bytes.length || stored != actual)
        {
            // Check the checksum before trusting the version: a flipped bit must read as damage, not as a
            // format this build does not know.
            throw new CorruptStoreException("manifest checksum mismatch or truncated (length field " + length +
                ", file " + bytes.length + " bytes)", file, Math.max(0, bytes.length - 4),
                Checksum.unsigned(stored), Checksum.unsigned(actual));
        }
        final int major = b.getShort(MAJOR_OFFSET) & 0xFFFF;
        final int minor = b.getShort(MINOR_OFFSET) & 0xFFFF;
        if (major > FormatVersion.CURRENT_MAJOR && bytes.length >= OLDEST_READER_OFFSET + OLDEST_READER_LENGTH)
        {
            // Every major from 3.0 on keeps the oldest reader's version at the same place: name it.
            throw new IncompatibleFormatException(file, major, minor, FormatVersion.CURRENT_MAJOR,
                FormatVersion.CURRENT_MINOR, "memsnap " + oldestReader(b) + " or later");
        }
        FormatVersion.check(file, major, minor);
        final boolean v3 = FormatVersion.hasManifestExtensions(major);
        final int shift = v3 ? V3_SHIFT : 0;
        try
        {
            final LibraryVersion oldestReader = v3 ? oldestReader(b) : LibraryVersion.derivedOldestReader(major);
            b.position(GENERATION_OFFSET + shift);
            final long generation = b.getLong();
            final long lastSequence = b.getLong();
            final long createdAt = b.getLong();
            final long entryCount = b.getLong();
            final long stateCount = b.getLong();
            final long seed = b.getLong();
            final int dimension = b.getInt();
            final int hashFunction = b.getInt();
            final int tailSegment = b.getInt();
            final int tailOffset = b.getInt();
            final long bytesFlushed = b.getLong();
            final long duration = b.getLong();
            final int rootPage = b.getInt();
            final int indexPages = b.getInt();
            final int replaySegment = b.getInt();
            final int replayOffset = b.getInt();
            final long checkpointSequence = b.getLong();
            final long checkpointEntries = b.getLong();
            final long checkpointStates = b.getLong();
            final int segmentCount = b.getInt();
            final int labelCount = b.getInt();
            if (segmentCount < 0 || segmentCount > (bytes.length - FIXED_LENGTH - shift) / FILE_ENTRY_LENGTH ||
                labelCount < 0 || labelCount > bytes.length)
            {
                throw new CorruptStoreException("manifest counts are impossible (" + segmentCount + " segments, " +
                    labelCount + " labels)", file, SEGMENT_COUNT_OFFSET + shift);
            }
            final Manifest.FileEntry[] segments = new Manifest.FileEntry[segmentCount];
            for (int i = 0; i < segmentCount; i++)
            {
                segments[i] = new Manifest.FileEntry(b.getInt(), b.getInt(), b.getInt(), b.getInt());
            }
            if (b.getInt() != indexPages)
            {
                throw new CorruptStoreException("manifest names two different index lengths", file, b.position() - 4);
            }
            final int sealedFrom = b.getInt();
            final int sealedCrc = b.getInt();
            b.getInt();
            final Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < labelCount; i++)
            {
                final byte[] key = new byte[b.getShort() & 0xFFFF];
                b.get(key);
                final int valueLength = b.getInt();
                if (valueLength < 0 || valueLength > b.remaining())
                {
                    throw new CorruptStoreException("manifest label has impossible length " + valueLength, file,
                        b.position());
                }
                final byte[] value = new byte[valueLength];
                b.get(value);
                labels.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            }
            final List<ManifestExtension> extensions = v3 ? readExtensions(b, file, major, minor) : List.of();
            if (b.position() != length - 4)
            {
                throw new CorruptStoreException("manifest has " + (length - 4 - b.position()) + " unexplained bytes",
                    file, b.position());
            }
            if (checkpointSequence > lastSequence || rootPage <= 0 || indexPages <= rootPage || replaySegment <= 0 ||
                tailSegment < replaySegment)
            {
                throw new CorruptStoreException("manifest fields are inconsistent (checkpoint sequence " +
                    checkpointSequence + " after last sequence " + lastSequence + ", root page " + rootPage +
                    " of " + indexPages + ", replay segment " + replaySegment + ", tail segment " + tailSegment + ")",
                    file, CHECKPOINT_ROOT_OFFSET + shift);
            }
            final Checkpoint checkpoint = new Checkpoint(rootPage, indexPages, sealedFrom, sealedCrc, replaySegment,
                replayOffset, checkpointSequence, checkpointEntries, checkpointStates, null,
                IndexFileExtension.generation(extensions, file));
            return new Manifest(major, minor, oldestReader, generation, lastSequence, createdAt, entryCount,
                stateCount, seed, dimension, hashFunction, checkpoint, tailSegment, tailOffset, bytesFlushed, duration,
                segments, labels, extensions);
        }
        catch (final BufferUnderflowException ex)
        {
            throw new CorruptStoreException("manifest ends inside a field", file, bytes.length);
        }
    }

    private static LibraryVersion oldestReader(final ByteBuffer b)
    {
        return new LibraryVersion(b.getShort(OLDEST_READER_OFFSET) & 0xFFFF,
            b.getShort(OLDEST_READER_OFFSET + SIZE_OF_SHORT) & 0xFFFF,
            b.getShort(OLDEST_READER_OFFSET + 2 * SIZE_OF_SHORT) & 0xFFFF);
    }

    private static List<ManifestExtension> readExtensions(final ByteBuffer b, final Path file, final int major,
        final int minor)
    {
        final int count = b.getInt();
        if (count < 0 || count > b.remaining() / EXTENSION_HEADER_LENGTH)
        {
            throw new CorruptStoreException("manifest has an impossible extension count " + count, file,
                b.position() - SIZE_OF_INT);
        }
        final List<ManifestExtension> extensions = new ArrayList<>(count);
        int previousTag = 0;
        for (int i = 0; i < count; i++)
        {
            final int at = b.position();
            final int tag = b.getShort() & 0xFFFF;
            final int flags = b.getShort() & 0xFFFF;
            final int length = b.getInt();
            if (tag <= previousTag || length < 0 || length > b.remaining() || length > ManifestExtension.MAX_LENGTH)
            {
                throw new CorruptStoreException("manifest extension " + i + " is malformed (tag " + tag +
                    " after " + previousTag + ", " + length + " bytes)", file, at);
            }
            previousTag = tag;
            if ((flags & EXTENSION_READERS_MUST_KNOW) != 0 && !isKnownExtension(tag))
            {
                throw new IncompatibleFormatException(file, major, minor, FormatVersion.CURRENT_MAJOR,
                    FormatVersion.CURRENT_MINOR, "extension " + tag + ", which this build does not know");
            }
            final byte[] body = new byte[length];
            b.get(body);
            extensions.add(new ManifestExtension(tag, flags, body));
        }
        return extensions;
    }
}
