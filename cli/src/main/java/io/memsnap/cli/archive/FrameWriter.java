package io.memsnap.cli.archive;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import static io.memsnap.cli.archive.ArchiveDescriptor.*;

/**
 * The record stream of an archive, cut into blocks of the block size, each compressed with LZ4 and written as one
 * frame with its lengths and CRC32C. Not thread safe.
 */
final class FrameWriter
{
    private final DigestOutput out;
    private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
    private final byte[] block;
    private final byte[] compressed;
    private final ByteBuffer scratch = ByteBuffer.allocate(FRAME_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private int position;
    private long frames;
    private long streamLength;

    FrameWriter(final DigestOutput out, final int blockSize)
    {
        this.out = out;
        this.block = new byte[blockSize];
        final int bound = compressor.maxCompressedLength(blockSize);
        if (bound > maxCompressedLength(blockSize))
        {
            throw new IllegalStateException("LZ4 bound " + bound + " exceeds the format's bound");
        }
        this.compressed = new byte[bound];
    }

    void writeByte(final int value) throws IOException
    {
        if (position == block.length)
        {
            flushBlock();
        }
        block[position++] = (byte)value;
        streamLength++;
    }

    void writeShort(final int value) throws IOException
    {
        writeByte(value);
        writeByte(value >>> 8);
    }

    void writeInt(final int value) throws IOException
    {
        if (block.length - position >= 4)
        {
            block[position] = (byte)value;
            block[position + 1] = (byte)(value >>> 8);
            block[position + 2] = (byte)(value >>> 16);
            block[position + 3] = (byte)(value >>> 24);
            position += 4;
            streamLength += 4;
        }
        else
        {
            writeShort(value);
            writeShort(value >>> 16);
        }
    }

    void writeLong(final long value) throws IOException
    {
        writeInt((int)value);
        writeInt((int)(value >>> 32));
    }

    void writeBytes(final byte[] bytes, final int offset, final int length) throws IOException
    {
        int done = 0;
        while (done < length)
        {
            if (position == block.length)
            {
                flushBlock();
            }
            final int n = Math.min(length - done, block.length - position);
            System.arraycopy(bytes, offset + done, block, position, n);
            position += n;
            done += n;
        }
        streamLength += length;
    }

    private void flushBlock() throws IOException
    {
        if (position == 0)
        {
            return;
        }
        final int length = compressor.compress(block, 0, position, compressed, 0, compressed.length);
        scratch.clear();
        scratch.putInt(length).putInt(position);
        crc.reset();
        crc.update(scratch.array(), 0, FRAME_CRC_OFFSET);
        crc.update(compressed, 0, length);
        scratch.putInt((int)crc.getValue());
        out.write(scratch.array(), 0, FRAME_HEADER_LENGTH);
        out.write(compressed, 0, length);
        frames++;
        position = 0;
    }

    /** Writes the last partial block and the end frame. */
    void finish() throws IOException
    {
        flushBlock();
        scratch.clear();
        scratch.putInt(0).putInt(0);
        crc.reset();
        crc.update(scratch.array(), 0, FRAME_CRC_OFFSET);
        scratch.putInt((int)crc.getValue());
        out.write(scratch.array(), 0, FRAME_HEADER_LENGTH);
    }

    long frames()
    {
        return frames;
    }

    long streamLength()
    {
        return streamLength;
    }
}
