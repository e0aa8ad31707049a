package io.memsnap.internal.segment;

import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Creating, mapping and syncing the files memsnap maps. Thread safe: stateless. */
public final class MappedFiles
{
    private static final int ZERO_CHUNK = 1024 * 1024;

    private MappedFiles()
    {
    }

    /**
     * Grows {@code channel} to {@code newLength}. With {@code preallocate} the new bytes are written as zeros so that
     * the file system allocates blocks now: a full disk is an {@link IOException} here, not a fault inside a
     * mapped write later.
     */
    public static void extend(final FileChannel channel, final long newLength, final boolean preallocate)
        throws IOException
    {
        final long current = channel.size();
        if (current >= newLength)
        {
            return;
        }
        if (!preallocate)
        {
            channel.write(ByteBuffer.allocate(1), newLength - 1);
            return;
        }
        final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        try
        {
            long position = current;
            while (position < newLength)
            {
                zeros.clear().limit((int)Math.min(ZERO_CHUNK, newLength - position));
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
        }
        finally
        {
            IoUtil.unmap(zeros);
        }
    }

    public static MappedByteBuffer map(final Path file, final boolean readOnly, final long position, final long length)
        throws IOException
    {
        try (FileChannel channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ) :
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return channel.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                position, length);
        }
    }

    /** fsyncs a directory so that names created, renamed or deleted in it are durable. */
    public static void syncDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /** fsyncs a file's data and metadata (its length). */
    public static void syncFile(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.force(true);
        }
    }
}
