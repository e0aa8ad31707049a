package io.memsnap.internal.segment;

import io.memsnap.internal.fs.StoreFile;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Growing and mapping the files memsnap maps. Thread safe: stateless. */
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
    public static void extend(final StoreFile file, final long newLength, final boolean preallocate)
        throws IOException
    {
        final long current = file.size();
        if (current >= newLength)
        {
            return;
        }
        if (!preallocate)
        {
            file.writeFully(ByteBuffer.allocate(1), newLength - 1);
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
                    position += file.write(zeros, position);
                }
            }
        }
        finally
        {
            IoUtil.unmap(zeros);
        }
    }

    /**
     * Maps {@code length} bytes of {@code file} from {@code position}, read-only: nothing is ever stored through a
     * mapping (writes go through the {@link io.memsnap.internal.fs.StoreFileSystem}, flushes too).
     */
    public static MappedByteBuffer mapReadOnly(final Path file, final long position, final long length)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length);
        }
    }
}
