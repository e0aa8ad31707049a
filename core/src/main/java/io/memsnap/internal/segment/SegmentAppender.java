package io.memsnap.internal.segment;

import io.memsnap.StoreIoException;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;

/**
 * The writer's positional writes into the tail segment, through a file handle kept open for that segment only (a
 * store holds one open file handle for writing, whatever its number of segments; at a roll, the handle its
 * preparation left open, while the {@link SegmentPreparer} closes the previous one).
 *
 * <p>A thread interrupted inside a {@link FileChannel} operation closes the channel
 * ({@link ClosedByInterruptException}). A storage engine must not turn a caller's interrupt into a dead store, so
 * the write clears the interrupt, reopens the file and writes again (a positional write of the same bytes at the
 * same place is idempotent), then restores the interrupt status for the caller to see.
 *
 * <p>Not thread safe: the single writer's (under the store's write lock). Allocates nothing per write.
 */
final class SegmentAppender
{
    private final StoreFileSystem fs;
    private Segment segment;
    private StoreFile channel;
    /** Told of every write, or null. */
    private Writeback writeback;

    SegmentAppender(final StoreFileSystem fs)
    {
        this.fs = fs;
    }

    /**
     * Writes {@code src} (from its position to its limit) into {@code target} at {@code offset}.
     *
     * @throws StoreIoException if the write fails; nothing after {@code offset} is then part of the log.
     */
    void write(final Segment target, final ByteBuffer src, final int offset)
    {
        final int bytes = src.remaining();
        try
        {
            writeFully(target, src, offset);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not append to " + target.path(), ex);
        }
        if (writeback != null)
        {
            writeback.appended(target, bytes);
        }
    }

    /** {@code segment}, every write into which returned, will never be written again: the write-back may flush it. */
    void sealed(final Segment segment)
    {
        if (writeback != null)
        {
            writeback.sealed(segment);
        }
    }

    /** From now on {@code writeback} is told of every write. */
    void writeBackWith(final Writeback writeback)
    {
        this.writeback = writeback;
    }

    /**
     * The roll into a file made ahead ({@link PreparedSegment}): from now on the writes go to {@code target} through
     * {@code file}, the file as its creation left it open, and the first is {@code header}, at its start.
     *
     * @return the previous segment's handle, for the caller to close (off the write lock), or null.
     * @throws IOException if the write fails (both handles are then closed).
     */
    StoreFile startIn(final Segment target, final StoreFile file, final ByteBuffer header) throws IOException
    {
        final StoreFile previous = channel;
        channel = file;
        segment = target;
        try
        {
            writeFully(target, header, 0);
        }
        catch (final IOException ex)
        {
            MappedFiles.closeAfter(previous, ex);
            throw ex;
        }
        return previous;
    }

    private void writeFully(final Segment target, final ByteBuffer src, final int offset) throws IOException
    {
        final int start = src.position();
        boolean interrupted = false;
        try
        {
            while (src.hasRemaining())
            {
                try
                {
                    channel(target).write(src, offset + (long)(src.position() - start));
                }
                catch (final ClosedByInterruptException ex)
                {
                    interrupted |= Thread.interrupted();
                    channel = null;
                }
                catch (final IOException ex)
                {
                    close();
                    throw ex;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private StoreFile channel(final Segment target) throws IOException
    {
        if (segment != target || channel == null || !channel.isOpen())
        {
            close();
            channel = fs.open(target.path());
            segment = target;
        }
        return channel;
    }

    /**
     * Makes every byte written to {@code target} so far durable (fdatasync), through the handle the writes use, once
     * its file is ({@link Segment#awaitFileSynced}). Interrupts are handled as in {@link #write}: a flush interrupted
     * is done again.
     *
     * @throws IOException if the flush fails.
     */
    void force(final Segment target) throws IOException
    {
        target.awaitFileSynced();
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    channel(target).force(false);
                    return;
                }
                catch (final ClosedByInterruptException ex)
                {
                    interrupted |= Thread.interrupted();
                    channel = null;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the file handle if it is open on {@code target}. */
    void closeIfOn(final Segment target)
    {
        if (segment == target)
        {
            close();
        }
    }

    /** Closes the file handle (the mappings stay). Idempotent. */
    void close()
    {
        final StoreFile c = channel;
        channel = null;
        segment = null;
        if (c != null)
        {
            try
            {
                c.close();
            }
            catch (final IOException ignored)
            {
                // Nothing was written through it that a close could lose: writes are in the page cache already.
            }
        }
    }
}
