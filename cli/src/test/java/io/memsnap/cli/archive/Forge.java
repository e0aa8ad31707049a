package io.memsnap.cli.archive;

import net.jpountz.lz4.LZ4Factory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * Takes archives apart and puts (possibly altered) parts back together with valid CRCs and SHA-256, so that tests
 * reach the checks behind the checksums. Trusts its input; for tests only.
 */
public final class Forge
{
    /** The parts of an archive. */
    public static final class Parts
    {
        public byte[] header;
        public byte[] stream;
        public int blockSize;
        public long entries;
        public long states;
    }

    private Forge()
    {
    }

    public static Parts split(final byte[] archive)
    {
        final ByteBuffer b = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
        final Parts parts = new Parts();
        final int headerLength = b.getInt(HEADER_LENGTH_OFFSET);
        parts.header = Arrays.copyOf(archive, headerLength);
        parts.blockSize = b.getInt(BLOCK_SIZE_OFFSET);
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int at = headerLength;
        while (true)
        {
            final int c = b.getInt(at);
            final int u = b.getInt(at + 4);
            if (c == 0)
            {
                at += FRAME_HEADER_LENGTH;
                break;
            }
            final byte[] block = LZ4Factory.safeInstance().safeDecompressor()
                .decompress(archive, at + FRAME_HEADER_LENGTH, c, u);
            stream.writeBytes(block);
            at += FRAME_HEADER_LENGTH + c;
        }
        parts.stream = stream.toByteArray();
        parts.entries = b.getLong(at + TRAILER_ENTRY_COUNT_OFFSET);
        parts.states = b.getLong(at + TRAILER_STATE_COUNT_OFFSET);
        return parts;
    }

    /** Sets the header's CRC to match its bytes. */
    public static byte[] recrc(final byte[] header)
    {
        final byte[] h = header.clone();
        final CRC32C crc = new CRC32C();
        crc.update(h, 0, h.length - 4);
        ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putInt(h.length - 4, (int)crc.getValue());
        return h;
    }

    /** @return an archive of these parts: the stream LZ4-compressed in blocks, valid CRCs, counts and SHA-256. */
    public static byte[] join(final Parts p)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(p.header);
        long frames = 0;
        for (int at = 0; at < p.stream.length; at += p.blockSize)
        {
            final int n = Math.min(p.blockSize, p.stream.length - at);
            final byte[] compressed = LZ4Factory.safeInstance().fastCompressor().compress(p.stream, at, n);
            out.writeBytes(frame(compressed, n));
            frames++;
        }
        out.writeBytes(frame(new byte[0], 0));
        final ByteBuffer t = ByteBuffer.allocate(TRAILER_SHA256_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        t.put(END_MAGIC).putLong(p.entries).putLong(p.states).putLong(frames).putLong(p.stream.length);
        out.writeBytes(t.array());
        return seal(out.toByteArray());
    }

    /** @return one frame with a valid CRC around {@code payload}, claiming {@code decompressed} bytes. */
    public static byte[] frame(final byte[] payload, final int decompressed)
    {
        final ByteBuffer f = ByteBuffer.allocate(FRAME_HEADER_LENGTH + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(payload.length).putInt(decompressed);
        final CRC32C crc = new CRC32C();
        crc.update(f.array(), 0, FRAME_CRC_OFFSET);
        crc.update(payload);
        f.putInt((int)crc.getValue()).put(payload);
        return f.array();
    }

    /** @return {@code withoutSha} followed by its SHA-256. */
    public static byte[] seal(final byte[] withoutSha)
    {
        try
        {
            final byte[] sha = MessageDigest.getInstance("SHA-256").digest(withoutSha);
            final byte[] out = Arrays.copyOf(withoutSha, withoutSha.length + sha.length);
            System.arraycopy(sha, 0, out, withoutSha.length, sha.length);
            return out;
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** @return the archive with its SHA-256 recomputed (after an edit of the bytes before it). */
    public static byte[] reseal(final byte[] archive)
    {
        return seal(Arrays.copyOf(archive, archive.length - SHA256_LENGTH));
    }
}
