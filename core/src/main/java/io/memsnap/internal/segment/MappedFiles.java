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
     * Grows {@code file} to {@code newLength}. Without {@code preallocate} the file is only given its length
     * ({@link StoreFile#extend}, {@code ftruncate}): the new bytes are a hole that reads as zeros and takes no space
     * until written, so this is O(1) and never fails for want of space; a later positional write into the hole may (an
     * {@link IOException}, never a fault: nothing is stored through a mapping). With {@code preallocate} the new bytes
     * are written as zeros, so that the file system allocates their blocks now: a full disk is an {@link IOException}
     * here, and writes into them need no space later (on file systems that overwrite in place; not on copy-on-write
     * ones such as btrfs or ZFS). That costs a write of every byte.
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
            file.extend(newLength);
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
