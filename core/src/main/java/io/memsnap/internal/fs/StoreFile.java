package io.memsnap.internal.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * An open file of a store, for positional writes and flushes (see {@link StoreFileSystem}).
 *
 * <p>Not thread safe: one owner at a time. A thread interrupted inside an operation may close the file (a
 * {@link java.nio.channels.ClosedByInterruptException}, as {@link java.nio.channels.FileChannel} does); the owner
 * opens it again.
 */
public interface StoreFile extends Closeable
{
    Path path();

    /**
     * Writes bytes of {@code src} (from its position to its limit) at {@code position}; may write fewer, as
     * {@link java.nio.channels.FileChannel#write(ByteBuffer, long)}.
     *
     * @return the number of bytes written; {@code src}'s position moves by as many.
     */
    int write(ByteBuffer src, long position) throws IOException;

    /** Writes all of {@code src} at {@code position}. */
    default void writeFully(final ByteBuffer src, final long position) throws IOException
    {
        final int start = src.position();
        while (src.hasRemaining())
        {
            write(src, position + (src.position() - start));
        }
    }

    /** Reads into {@code dst} from {@code position}, as {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    /** Cuts the file to {@code size} bytes (nothing if it is not longer). */
    void truncate(long size) throws IOException;

    /**
     * Grows the file to {@code size} bytes without writing them ({@code ftruncate}): the new bytes read as zeros and,
     * on a file system with sparse files, take no space until they are written, so this needs no free space and a
     * later write into them may fail for want of it. Nothing if the file is not shorter. Durable, like a write, only
     * after {@link #force}.
     */
    void extend(long size) throws IOException;

    /**
     * Makes every byte written to this file so far durable, with its length: fdatasync, or fsync with
     * {@code metadata}.
     */
    void force(boolean metadata) throws IOException;

    boolean isOpen();

    /**
     * Closes {@code file} (nothing if null), ignoring a failure: for a handle whose writes were all forced through it,
     * so that a failed close loses nothing.
     */
    static void closeQuietly(final StoreFile file)
    {
        if (file != null)
        {
            try
            {
                file.close();
            }
            catch (final IOException ignored)
            {
                // every write through it was forced: nothing is lost
            }
        }
    }
}
