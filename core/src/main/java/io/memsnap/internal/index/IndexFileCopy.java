package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.MappedFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * Writes a new index file generation from the current file: its header, then the pages a checkpoint's root (the
 * base) reaches, then every page from the base's watermark (the file's dense start) on, up to wherever the durable
 * checkpoints have reached when it catches up. Each page goes to the same page number (file offset) it has in the
 * source, so no page number or pointer changes; the pages left out, superseded before the base, are holes of a sparse
 * file. Each page is read from the source file (where it is durable) and checked against its CRC32C before it is
 * written; writes go through the {@link StoreFileSystem} in steps of a few pages, each synced.
 *
 * <p>Nothing names the new file until {@link #finish} made it durable (and its name): an interrupted copy leaves a
 * file no manifest names, which the next open deletes. Not thread safe: one checkpointing thread at a time.
 */
public final class IndexFileCopy implements AutoCloseable
{
    private final StoreFileSystem fs;
    private final Path dir;
    private final Path target;
    private final Path source;
    private final IndexFileHeader header;
    private final int[] listed;
    private final StoreFile out;
    private final FileChannel in;
    private final Checksum checksum = new Checksum();
    private final ByteBuffer buffer;
    private int nextListed;
    private int nextDense;

    private IndexFileCopy(final StoreFileSystem fs, final Path dir, final Path source, final IndexFileHeader header,
        final int[] listed, final StoreFile out, final FileChannel in, final int stepPages)
    {
        this.fs = fs;
        this.dir = dir;
        this.target = out.path();
        this.source = source;
        this.header = header;
        this.listed = listed;
        this.out = out;
        this.in = in;
        this.buffer = ByteBuffer.allocate(stepPages * PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        this.nextDense = header.denseFrom;
    }

    /**
     * Creates the file of {@code header.generation} (replacing one an interrupted copy left) and writes its header.
     *
     * @param source    the current index file, which holds every page to copy, durably.
     * @param reached   the pages below {@code header.denseFrom} to copy, in increasing order.
     * @param stepPages the most pages read, written and synced at a time.
     */
    public static IndexFileCopy start(final StoreFileSystem fs, final Path dir, final Path source,
        final IndexFileHeader header, final int[] reached, final int stepPages) throws IOException
    {
        final Path target = dir.resolve(IndexPageDescriptor.fileName(header.generation));
        fs.deleteIfExists(target);
        final StoreFile out = fs.create(target);
        FileChannel in = null;
        try
        {
            in = FileChannel.open(source, StandardOpenOption.READ);
            out.writeFully(header.encode(), 0);
            return new IndexFileCopy(fs, dir, source, header, reached, out, in, stepPages);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (in != null)
            {
                in.close();
            }
            out.close();
            fs.deleteIfExists(target);
            throw ex;
        }
    }

    /**
     * Copies one step: the next listed pages, or, once they are done, the next pages of the dense range, up to
     * {@code upTo} (the durable checkpoint's watermark, which checkpoints between steps move on); syncs what it wrote.
     *
     * @return whether every page below {@code upTo} is copied.
     * @throws CorruptStoreException if a page read does not match its CRC32C (nothing is copied past damage).
     */
    public boolean step(final int upTo) throws IOException
    {
        final int stepPages = buffer.capacity() / PAGE_SIZE;
        if (nextListed < listed.length)
        {
            int copied = 0;
            while (nextListed < listed.length && copied < stepPages)
            {
                int end = nextListed + 1;
                while (end < listed.length && listed[end] == listed[end - 1] + 1 && end - nextListed < stepPages - copied)
                {
                    end++;
                }
                copyRun(listed[nextListed], end - nextListed);
                copied += end - nextListed;
                nextListed = end;
            }
        }
        else if (nextDense < upTo)
        {
            final int count = Math.min(stepPages, upTo - nextDense);
            copyRun(nextDense, count);
            nextDense += count;
        }
        out.force(false);
        return nextListed == listed.length && nextDense >= upTo;
    }

    /**
     * Makes the file durable once every page below {@code upTo} is copied: its length (at least {@code upTo} pages,
     * which a manifest's checkpoint may span), its bytes, and its name in the directory.
     */
    public void finish(final int upTo) throws IOException
    {
        if (out.size() < (long)upTo * PAGE_SIZE)
        {
            MappedFiles.extend(out, (long)upTo * PAGE_SIZE, false);
        }
        out.force(true);
        fs.syncDirectory(dir);
    }

    /** @return the pages the file holds once copied up to {@code upTo}, header included. */
    public long pagesHeld(final int upTo)
    {
        return header.pagesHeld((long)upTo * PAGE_SIZE);
    }

    public IndexFileHeader header()
    {
        return header;
    }

    public Path path()
    {
        return target;
    }

    /** Deletes the file: a copy given up (a failure, or the store closing). Not durable: the next open deletes it. */
    public void abandon() throws IOException
    {
        close();
        fs.deleteIfExists(target);
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            in.close();
        }
        finally
        {
            out.close();
        }
    }

    private void copyRun(final int first, final int count) throws IOException
    {
        buffer.clear().limit(count * PAGE_SIZE);
        final long position = (long)first * PAGE_SIZE;
        while (buffer.hasRemaining())
        {
            if (in.read(buffer, position + buffer.position()) < 0)
            {
                throw new CorruptStoreException("index file ends inside page " + (first + buffer.position() /
                    PAGE_SIZE) + ", which a durable checkpoint holds", source, position + buffer.position());
            }
        }
        for (int i = 0; i < count; i++)
        {
            final int offset = i * PAGE_SIZE;
            final int stored = buffer.getInt(offset + CRC_OFFSET);
            final int actual = checksum.compute(buffer.array(), offset + CHECKSUMMED_FROM,
                PAGE_SIZE - CHECKSUMMED_FROM);
            if (stored != actual)
            {
                throw new CorruptStoreException("index page " + (first + i) + " checksum mismatch", source,
                    position + offset, Checksum.unsigned(stored), Checksum.unsigned(actual));
            }
        }
        buffer.position(0).limit(count * PAGE_SIZE);
        out.writeFully(buffer, position);
    }
}
