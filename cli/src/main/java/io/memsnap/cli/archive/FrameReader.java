package io.memsnap.cli.archive;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * The record stream of an archive, read frame by frame. Each frame's lengths are bounded before anything is
 * allocated or read (a frame may not claim more than the header's block size, so a decompression bomb fails at its
 * frame header), its CRC32C is checked before it is decompressed, and it is decompressed only with LZ4's safe
 * decompressor into a buffer of exactly the claimed size, which it must fill. Memory: two buffers of about the
 * block size. Not thread safe.
 */
final class FrameReader
{
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();

    private final ArchiveInput in;
    private final int blockSize;
    private final byte[] compressed;
    private final byte[] block;
    private final byte[] headerBytes = new byte[FRAME_HEADER_LENGTH];
    private final ByteBuffer header = ByteBuffer.wrap(headerBytes).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private int limit;
    private int position;
    private long frameOffset = -1;
    private long frames;
    private long streamPosition;
    private boolean ended;

    FrameReader(final ArchiveInput in, final int blockSize)
    {
        this.in = in;
        this.blockSize = blockSize;
        this.compressed = new byte[maxCompressedLength(blockSize)];
        this.block = new byte[blockSize];
    }

    /** @return whether the record stream is over: this block is used up and the next frame is the end frame. */
    boolean atEnd() throws IOException
    {
        if (position < limit)
        {
            return false;
        }
        if (!ended)
        {
            nextFrame();
        }
        return ended;
    }

    private void nextFrame() throws IOException
    {
        final long offset = in.position();
        in.readFully(headerBytes, 0, FRAME_HEADER_LENGTH, "the header of frame " + frames);
        final int compressedLength = header.getInt(FRAME_COMPRESSED_LENGTH_OFFSET);
        final int decompressedLength = header.getInt(FRAME_DECOMPRESSED_LENGTH_OFFSET);
        final int stored = header.getInt(FRAME_CRC_OFFSET);
        if (compressedLength == 0 && decompressedLength == 0)
        {
            crc.reset();
            crc.update(headerBytes, 0, FRAME_CRC_OFFSET);
            if ((int)crc.getValue() != stored)
            {
                throw in.corrupt("end frame checksum mismatch (stored 0x" + Integer.toHexString(stored) +
                    ", computed 0x" + Integer.toHexString((int)crc.getValue()) + ")", offset);
            }
            ended = true;
            frameOffset = offset;
            return;
        }
        if (decompressedLength < 1 || decompressedLength > blockSize)
        {
            throw in.corrupt("frame " + frames + " claims " + Integer.toUnsignedString(decompressedLength) +
                " decompressed bytes; a frame holds 1 to " + blockSize + " (the header's block size), so it is " +
                "damaged or a decompression bomb", offset + FRAME_DECOMPRESSED_LENGTH_OFFSET);
        }
        if (compressedLength < 1 || compressedLength > maxCompressedLength(decompressedLength))
        {
            throw in.corrupt("frame " + frames + " claims " + Integer.toUnsignedString(compressedLength) +
                " compressed bytes for " + decompressedLength + " decompressed; at most " +
                maxCompressedLength(decompressedLength) + " are possible", offset + FRAME_COMPRESSED_LENGTH_OFFSET);
        }
        in.readFully(compressed, 0, compressedLength, "the payload of frame " + frames + " (from offset " +
            offset + ")");
        crc.reset();
        crc.update(headerBytes, 0, FRAME_CRC_OFFSET);
        crc.update(compressed, 0, compressedLength);
        if ((int)crc.getValue() != stored)
        {
            throw in.corrupt("frame " + frames + " checksum mismatch (stored 0x" + Integer.toHexString(stored) +
                ", computed 0x" + Integer.toHexString((int)crc.getValue()) + ")", offset);
        }
        final int n;
        try
        {
            n = DECOMPRESSOR.decompress(compressed, 0, compressedLength, block, 0, decompressedLength);
        }
        catch (final LZ4Exception ex)
        {
            throw in.corrupt("frame " + frames + " does not decompress: " + ex.getMessage(), offset);
        }
        if (n != decompressedLength)
        {
            throw in.corrupt("frame " + frames + " decompresses to " + n + " bytes, not the " + decompressedLength +
                " it claims", offset);
        }
        frameOffset = offset;
        frames++;
        position = 0;
        limit = n;
    }

    private void require(final String what) throws IOException
    {
        if (atEnd())
        {
            throw in.corrupt("the record stream ends (end frame) at stream offset " + streamPosition + " inside " +
                what, frameOffset);
        }
    }

    int readUnsignedByte(final String what) throws IOException
    {
        require(what);
        streamPosition++;
        return block[position++] & 0xFF;
    }

    int readUnsignedShort(final String what) throws IOException
    {
        return readUnsignedByte(what) | readUnsignedByte(what) << 8;
    }

    int readInt(final String what) throws IOException
    {
        if (limit - position >= 4)
        {
            final int v = (block[position] & 0xFF) | (block[position + 1] & 0xFF) << 8 |
                (block[position + 2] & 0xFF) << 16 | (block[position + 3] & 0xFF) << 24;
            position += 4;
            streamPosition += 4;
            return v;
        }
        return readUnsignedShort(what) | readUnsignedShort(what) << 16;
    }

    long readLong(final String what) throws IOException
    {
        return (readInt(what) & 0xFFFF_FFFFL) | (long)readInt(what) << 32;
    }

    void readFully(final byte[] dst, final int offset, final int length, final String what) throws IOException
    {
        int done = 0;
        while (done < length)
        {
            require(what);
            final int n = Math.min(length - done, limit - position);
            System.arraycopy(block, position, dst, offset + done, n);
            position += n;
            done += n;
            streamPosition += n;
        }
    }

    /** @return the file offset of the frame the next byte comes from (or of the end frame). */
    long frameOffset()
    {
        return frameOffset;
    }

    /** @return the data frames read so far. */
    long frames()
    {
        return frames;
    }

    /** @return the offset in the decompressed record stream of the next byte. */
    long streamPosition()
    {
        return streamPosition;
    }
}
