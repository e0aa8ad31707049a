package io.memsnap.cloud.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** Reads a range of a local file, and its CRC32C. Thread safe: stateless. */
public final class FileRanges
{
    private FileRanges()
    {
    }

    /** @return bytes {@code [offset, offset + length)} of the file. */
    public static byte[] read(final Path file, final long offset, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining())
            {
                if (channel.read(b, offset + b.position()) < 0)
                {
                    throw new EOFException(file + " ends before " + (offset + length));
                }
            }
            return b.array();
        }
    }

    public static int crc(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int)crc.getValue();
    }
}
