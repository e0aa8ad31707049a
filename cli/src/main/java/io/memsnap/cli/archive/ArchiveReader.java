package io.memsnap.cli.archive;

import io.memsnap.IncompatibleFormatException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * Reads an archive from start to end, checking everything: magic, header CRC and fields, every frame's lengths,
 * CRC and decompression, every record's fields (lengths within the format's limits, indices strictly increasing
 * and below the dimension, values and importance finite, ids and names valid UTF-8 in strictly increasing order,
 * so no duplicates), the counts against header and trailer, the SHA-256 of the whole file, and that nothing follows
 * the trailer. What it reads goes to an {@link ArchiveVisitor} as it goes.
 *
 * <p>Memory: two buffers of the block size (at most 8 MiB each) plus the record being read, whose arrays grow
 * only as its bytes actually arrive, so a record that claims more than the file holds fails before allocating it.
 *
 * <p>Errors: {@link CorruptArchiveException} (file and offset) for any damage, {@link IncompatibleFormatException}
 * for another major version, {@link IOException} when the file system fails. Not thread safe; one use only.
 */
public final class ArchiveReader
{
    private static final int GROWTH_START = 4096;

    private final Path file;
    private final LongConsumer progress;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private ArchiveInput in;
    private FrameReader frames;
    private ArchiveHeader header;
    private long entries;
    private long states;
    private long recordFrameOffset;
    private long recordStreamOffset;

    /** @param progress told the file position now and then (may be null). */
    public ArchiveReader(final Path file, final LongConsumer progress)
    {
        this.file = file;
        this.progress = progress == null ? p -> { } : progress;
    }

    /** Reads and checks the whole archive in {@code file}. */
    public static ArchiveSummary verify(final Path file) throws IOException
    {
        return new ArchiveReader(file, null).read(new ArchiveVisitor() { });
    }

    /** Reads the whole archive, handing its parts to {@code visitor}. */
    public ArchiveSummary read(final ArchiveVisitor visitor) throws IOException
    {
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(file), 1 << 16))
        {
            return read(stream, visitor);
        }
    }

    /** Reads the whole archive from {@code stream} (named {@code file} in errors), handing its parts on. */
    public ArchiveSummary read(final InputStream stream, final ArchiveVisitor visitor) throws IOException
    {
        if (in != null)
        {
            throw new IllegalStateException("an ArchiveReader reads once");
        }
        in = new ArchiveInput(stream, file);
        header = readHeader();
        visitor.header(header);
        frames = new FrameReader(in, header.blockSize());
        final byte[][] previous = new byte[1][];
        while (!frames.atEnd())
        {
            recordFrameOffset = frames.frameOffset();
            recordStreamOffset = frames.streamPosition();
            final int type = frames.readUnsignedByte("a record type");
            if (type == TYPE_ENTRY)
            {
                if (states > 0)
                {
                    throw recordCorrupt("an entry record follows a named state");
                }
                readEntry(visitor, previous);
            }
            else if (type == TYPE_STATE)
            {
                if (states == 0)
                {
                    previous[0] = null;
                }
                readState(visitor, previous);
            }
            else
            {
                throw recordCorrupt("unknown record type " + type);
            }
            progress.accept(in.position());
        }
        return readTrailer();
    }

    // ------------------------------------------------------------------------------------------------ header

    private ArchiveHeader readHeader() throws IOException
    {
        final byte[] prefix = new byte[HEADER_PREFIX_LENGTH];
        in.readFully(prefix, 0, HEADER_PREFIX_LENGTH, "the header");
        if (!hasMagic(prefix, prefix.length))
        {
            throw in.corrupt("not a memsnap archive, or its magic is damaged: it starts with " +
                java.util.HexFormat.of().formatHex(prefix, 0, MAGIC.length) + ", not " +
                java.util.HexFormat.of().formatHex(MAGIC) + " (\"MSNPARC\")", MAGIC_OFFSET);
        }
        final ByteBuffer p = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
        final int length = p.getInt(HEADER_LENGTH_OFFSET);
        if (length < HEADER_PREFIX_LENGTH + 4 || length > MAX_HEADER_LENGTH)
        {
            throw in.corrupt("impossible header length " + Integer.toUnsignedString(length) + " (at most " +
                MAX_HEADER_LENGTH + ")", HEADER_LENGTH_OFFSET);
        }
        final byte[] bytes = Arrays.copyOf(prefix, length);
        in.readFully(bytes, HEADER_PREFIX_LENGTH, length - HEADER_PREFIX_LENGTH, "the header");
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length - 4);
        final int stored = b.getInt(length - 4);
        if ((int)crc.getValue() != stored)
        {
            throw in.corrupt("header checksum mismatch (stored 0x" + Integer.toHexString(stored) + ", computed 0x" +
                Integer.toHexString((int)crc.getValue()) + " over the " + length + "-byte header)", 0);
        }
        final int major = b.getShort(MAJOR_OFFSET) & 0xFFFF;
        final int minor = b.getShort(MINOR_OFFSET) & 0xFFFF;
        if (major != MAJOR)
        {
            throw new IncompatibleFormatException(file, major, minor, MAJOR, MINOR);
        }
        if (length < HEADER_MIN_LENGTH)
        {
            throw in.corrupt("header length " + length + " is below the " + HEADER_MIN_LENGTH + " of version " +
                major + "." + minor, HEADER_LENGTH_OFFSET);
        }
        final int dimension = b.getInt(DIMENSION_OFFSET);
        if (dimension < 1)
        {
            throw in.corrupt("impossible dimension " + dimension, DIMENSION_OFFSET);
        }
        final int blockSize = b.getInt(BLOCK_SIZE_OFFSET);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE)
        {
            throw in.corrupt("impossible block size " + blockSize + " (" + MIN_BLOCK_SIZE + " to " + MAX_BLOCK_SIZE +
                ")", BLOCK_SIZE_OFFSET);
        }
        final long entryCount = b.getLong(ENTRY_COUNT_OFFSET);
        final long stateCount = b.getLong(STATE_COUNT_OFFSET);
        if (entryCount < 0 || stateCount < 0)
        {
            throw in.corrupt("negative count (" + entryCount + " entries, " + stateCount + " states)",
                entryCount < 0 ? ENTRY_COUNT_OFFSET : STATE_COUNT_OFFSET);
        }
        final Map<String, String> labels = readLabels(b, length - 4);
        return new ArchiveHeader(major, minor, dimension, blockSize, entryCount, stateCount,
            b.getLong(SOURCE_GENERATION_OFFSET), b.getLong(SOURCE_SEQUENCE_OFFSET), b.getLong(CREATED_AT_OFFSET),
            b.getLong(EXPORTED_AT_OFFSET), labels);
    }

    private Map<String, String> readLabels(final ByteBuffer b, final int end) throws IOException
    {
        final int count = b.getInt(LABEL_COUNT_OFFSET);
        if (count < 0 || count > MAX_LABELS)
        {
            throw in.corrupt("impossible label count " + count, LABEL_COUNT_OFFSET);
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        int at = LABELS_OFFSET;
        long payload = 0;
        String previous = null;
        for (int i = 0; i < count; i++)
        {
            final int labelAt = at;
            if (end - at < 2)
            {
                throw in.corrupt("label " + i + " runs past the header", labelAt);
            }
            final int keyLength = b.getShort(at) & 0xFFFF;
            at += 2;
            if (keyLength == 0 || end - at < keyLength + 4L)
            {
                throw in.corrupt("label " + i + " has an impossible key length " + keyLength, labelAt);
            }
            final String key = decodeHeaderText(b, at, keyLength, labelAt);
            at += keyLength;
            final int valueLength = b.getInt(at);
            at += 4;
            if (valueLength < 0 || valueLength > end - at)
            {
                throw in.corrupt("label '" + key + "' has an impossible value length " + valueLength, labelAt);
            }
            final String value = decodeHeaderText(b, at, valueLength, labelAt);
            at += valueLength;
            payload += keyLength + valueLength;
            if (payload > MAX_LABEL_BYTES)
            {
                throw in.corrupt("labels exceed " + MAX_LABEL_BYTES + " bytes", labelAt);
            }
            if (previous != null && previous.compareTo(key) >= 0)
            {
                throw in.corrupt("label '" + key + "' is out of order or repeated", labelAt);
            }
            labels.put(key, value);
            previous = key;
        }
        return labels;
    }

    private String decodeHeaderText(final ByteBuffer b, final int at, final int length, final long offset)
        throws IOException
    {
        try
        {
            return utf8.decode(ByteBuffer.wrap(b.array(), at, length)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw in.corrupt("label text is not valid UTF-8", offset);
        }
    }

    // ------------------------------------------------------------------------------------------------ records

    private void readEntry(final ArchiveVisitor visitor, final byte[][] previous) throws IOException
    {
        final long n = entries;
        if (entries == header.entryCount())
        {
            throw recordCorrupt("more entry records than the " + header.entryCount() + " the header promises");
        }
        requireReservedZero();
        final int idLength = frames.readUnsignedShort("an entry header");
        final int nnz = frames.readInt("an entry header");
        final int metadataLength = frames.readInt("an entry header");
        final float importance = Float.intBitsToFloat(frames.readInt("an entry header"));
        final long storedAt = frames.readLong("an entry header");
        if (idLength == 0)
        {
            throw recordCorrupt("entry " + n + " has an empty id");
        }
        if (nnz < 0 || nnz > Math.min(header.dimension(), MAX_NNZ))
        {
            throw recordCorrupt("entry " + n + " claims " + Integer.toUnsignedString(nnz) + " non-zeros; at most " +
                Math.min(header.dimension(), MAX_NNZ));
        }
        if (metadataLength < 0 || metadataLength > MAX_METADATA_BYTES)
        {
            throw recordCorrupt("entry " + n + " claims " + Integer.toUnsignedString(metadataLength) +
                " bytes of metadata; at most " + MAX_METADATA_BYTES);
        }
        if (!Float.isFinite(importance))
        {
            throw recordCorrupt("entry " + n + " has importance " + importance);
        }
        int[] idx = new int[Math.min(nnz, GROWTH_START)];
        int previousIndex = -1;
        final String indices = "the indices of entry " + n; // once an entry: a message only if it ends early
        for (int i = 0; i < nnz; i++)
        {
            if (i == idx.length)
            {
                idx = Arrays.copyOf(idx, (int)Math.min(nnz, 2L * idx.length));
            }
            final int index = frames.readInt(indices);
            if (index <= previousIndex || index >= header.dimension())
            {
                throw recordCorrupt("entry " + n + " index " + i + " is " + index + " after " + previousIndex +
                    ": indices must increase strictly and stay below the dimension " + header.dimension());
            }
            idx[i] = index;
            previousIndex = index;
        }
        final float[] values = new float[nnz];
        final String valuesOf = "the values of entry " + n;
        for (int i = 0; i < nnz; i++)
        {
            final float value = Float.intBitsToFloat(frames.readInt(valuesOf));
            if (!Float.isFinite(value))
            {
                throw recordCorrupt("entry " + n + " value " + i + " is " + value);
            }
            values[i] = value;
        }
        final byte[] idBytes = readBytes(idLength, "the id of entry " + n);
        final String id = decode(idBytes, "the id of entry " + n);
        if (previous[0] != null && Arrays.compareUnsigned(previous[0], idBytes) >= 0)
        {
            throw recordCorrupt("entry " + n + " id '" + abbreviate(id) + "' " +
                (Arrays.equals(previous[0], idBytes) ? "is a duplicate" : "is out of order") +
                ": ids must increase strictly");
        }
        previous[0] = idBytes;
        final byte[] metadata = readBytes(metadataLength, "the metadata of entry " + n);
        entries++;
        visitor.entry(id, idx, values, importance, storedAt, metadata);
    }

    private void readState(final ArchiveVisitor visitor, final byte[][] previous) throws IOException
    {
        final long n = states;
        if (states == header.stateCount())
        {
            throw recordCorrupt("more named states than the " + header.stateCount() + " the header promises");
        }
        requireReservedZero();
        final int nameLength = frames.readUnsignedShort("a state header");
        final int valueLength = frames.readInt("a state header");
        if (nameLength == 0)
        {
            throw recordCorrupt("state " + n + " has an empty name");
        }
        if (valueLength < 0 || valueLength > MAX_STATE_BYTES)
        {
            throw recordCorrupt("state " + n + " claims " + Integer.toUnsignedString(valueLength) +
                " bytes; at most " + MAX_STATE_BYTES);
        }
        final byte[] nameBytes = readBytes(nameLength, "the name of state " + n);
        final String name = decode(nameBytes, "the name of state " + n);
        if (previous[0] != null && Arrays.compareUnsigned(previous[0], nameBytes) >= 0)
        {
            throw recordCorrupt("state '" + abbreviate(name) + "' " +
                (Arrays.equals(previous[0], nameBytes) ? "is a duplicate" : "is out of order") +
                ": names must increase strictly");
        }
        previous[0] = nameBytes;
        final byte[] value = readBytes(valueLength, "the value of state '" + abbreviate(name) + "'");
        states++;
        visitor.state(name, value);
    }

    private void requireReservedZero() throws IOException
    {
        final int reserved = frames.readUnsignedByte("a record header");
        if (reserved != 0)
        {
            throw recordCorrupt("reserved byte is " + reserved + ", not 0");
        }
    }

    /** Reads {@code length} bytes, growing the array only as bytes arrive. */
    private byte[] readBytes(final int length, final String what) throws IOException
    {
        byte[] bytes = new byte[Math.min(length, 1 << 16)];
        int done = 0;
        while (done < length)
        {
            if (done == bytes.length)
            {
                bytes = Arrays.copyOf(bytes, (int)Math.min(length, 2L * bytes.length));
            }
            final int n = bytes.length - done;
            frames.readFully(bytes, done, n, what);
            done += n;
        }
        return bytes;
    }

    private String decode(final byte[] bytes, final String what) throws IOException
    {
        try
        {
            final CharBuffer chars = utf8.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw recordCorrupt(what + " is not valid UTF-8");
        }
    }

    private CorruptArchiveException recordCorrupt(final String problem)
    {
        return in.corrupt(problem + " (record at stream offset " + recordStreamOffset + ", in the frame at file " +
            "offset " + recordFrameOffset + ")", recordFrameOffset);
    }

    private static String abbreviate(final String s)
    {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    // ------------------------------------------------------------------------------------------------ trailer

    private ArchiveSummary readTrailer() throws IOException
    {
        final long offset = in.position();
        if (entries != header.entryCount() || states != header.stateCount())
        {
            throw in.corrupt("the record stream holds " + entries + " entries and " + states + " states; the header " +
                "promises " + header.entryCount() + " and " + header.stateCount(), frames.frameOffset());
        }
        final byte[] bytes = new byte[TRAILER_LENGTH];
        in.readFully(bytes, 0, TRAILER_SHA256_OFFSET, "the trailer");
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < END_MAGIC.length; i++)
        {
            if (bytes[i] != END_MAGIC[i])
            {
                throw in.corrupt("trailer magic is damaged (expected \"MSNPEND\")", offset);
            }
        }
        final long trailerEntries = b.getLong(TRAILER_ENTRY_COUNT_OFFSET);
        final long trailerStates = b.getLong(TRAILER_STATE_COUNT_OFFSET);
        final long trailerFrames = b.getLong(TRAILER_FRAME_COUNT_OFFSET);
        final long streamLength = b.getLong(TRAILER_STREAM_LENGTH_OFFSET);
        if (trailerEntries != entries || trailerStates != states)
        {
            throw in.corrupt("trailer counts " + trailerEntries + " entries and " + trailerStates + " states; the " +
                "archive holds " + entries + " and " + states, offset + TRAILER_ENTRY_COUNT_OFFSET);
        }
        if (trailerFrames != frames.frames() || streamLength != frames.streamPosition())
        {
            throw in.corrupt("trailer counts " + trailerFrames + " frames and " + streamLength + " stream bytes; the " +
                "archive holds " + frames.frames() + " and " + frames.streamPosition(),
                offset + TRAILER_FRAME_COUNT_OFFSET);
        }
        final byte[] computed = in.digest();
        in.readUndigested(bytes, TRAILER_SHA256_OFFSET, SHA256_LENGTH, "the trailer's SHA-256");
        final byte[] stored = Arrays.copyOfRange(bytes, TRAILER_SHA256_OFFSET, TRAILER_LENGTH);
        if (!java.security.MessageDigest.isEqual(stored, computed))
        {
            throw in.corrupt("SHA-256 mismatch: the trailer says " + java.util.HexFormat.of().formatHex(stored) +
                ", the file's bytes hash to " + java.util.HexFormat.of().formatHex(computed),
                offset + TRAILER_SHA256_OFFSET);
        }
        final long extra = in.remaining(1 << 20);
        if (extra > 0)
        {
            throw in.corrupt((extra == 1 << 20 ? "more than " : "") + extra + " unexpected bytes after the trailer",
                in.position());
        }
        progress.accept(in.position());
        return new ArchiveSummary(header, entries, states, frames.frames(), frames.streamPosition(), in.position(),
            stored);
    }
}
