package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * The header page of an index file (layout in {@link io.memsnap.internal.format.IndexPageDescriptor}): its
 * generation and, for a generation written from a checkpoint, which pages it holds. Thread safe: immutable.
 */
public final class IndexFileHeader
{
    /** The header of {@code index.msi}: every page up to the end of the file is in it. */
    public static final IndexFileHeader FIRST = new IndexFileHeader(0, 0, 1, 0);

    public final long generation;
    /** Root page of the checkpoint the file was written from; 0 for {@code index.msi}. */
    public final int baseRoot;
    /** Every page from this one on is in the file (at least 1). */
    public final int denseFrom;
    /** Pages below {@link #denseFrom} the file holds: those the base root reaches. */
    public final int copiedPages;

    public IndexFileHeader(final long generation, final int baseRoot, final int denseFrom, final int copiedPages)
    {
        this.generation = generation;
        this.baseRoot = baseRoot;
        this.denseFrom = Math.max(1, denseFrom);
        this.copiedPages = copiedPages;
    }

    /**
     * @return the pages of a file of {@code length} bytes with this header that hold bytes (the others are holes),
     * header included.
     */
    public long pagesHeld(final long length)
    {
        final long pages = (length + PAGE_SIZE - 1) / PAGE_SIZE;
        return generation == 0 ? pages : 1 + copiedPages + Math.max(0, pages - denseFrom);
    }

    /** @return the header page, checksummed. */
    public ByteBuffer encode()
    {
        final ByteBuffer header = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(FILE_MAGIC_OFFSET, MAGIC)
            .putShort(FILE_MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
            .putShort(FILE_MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
            .putInt(FILE_PAGE_SIZE_OFFSET, PAGE_SIZE);
        if (generation > 0)
        {
            header.putLong(FILE_GENERATION_OFFSET, generation)
                .putInt(FILE_BASE_ROOT_OFFSET, baseRoot)
                .putInt(FILE_DENSE_FROM_OFFSET, denseFrom)
                .putInt(FILE_COPIED_PAGES_OFFSET, copiedPages);
        }
        header.putInt(FILE_CRC_OFFSET, new Checksum().compute(header.array(), 0, FILE_HEADER_CHECKSUMMED_LENGTH));
        return header;
    }

    /**
     * Reads and checks the header of the index file of {@code expectedGeneration}.
     *
     * @throws CorruptStoreException if it is damaged, not an index file's, or of another generation.
     * @throws io.memsnap.IncompatibleFormatException if its format version is not one this build reads.
     */
    public static IndexFileHeader read(final FileChannel channel, final Path path, final long expectedGeneration)
        throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0)
        {
            // read the whole header page
        }
        final int stored = header.getInt(FILE_CRC_OFFSET);
        final int actual = new Checksum().compute(header.array(), 0, FILE_HEADER_CHECKSUMMED_LENGTH);
        if (stored != actual)
        {
            throw new CorruptStoreException("index file header checksum mismatch", path, 0,
                Checksum.unsigned(stored), Checksum.unsigned(actual));
        }
        if (header.getLong(FILE_MAGIC_OFFSET) != MAGIC || header.getInt(FILE_PAGE_SIZE_OFFSET) != PAGE_SIZE)
        {
            throw new CorruptStoreException("not a memsnap index file (bad magic or page size)", path, 0);
        }
        FormatVersion.check(path, header.getShort(FILE_MAJOR_OFFSET) & 0xFFFF,
            header.getShort(FILE_MINOR_OFFSET) & 0xFFFF);
        final long generation = header.getLong(FILE_GENERATION_OFFSET);
        final int denseFrom = header.getInt(FILE_DENSE_FROM_OFFSET);
        final int copied = header.getInt(FILE_COPIED_PAGES_OFFSET);
        if (generation != expectedGeneration || generation > 0 && (denseFrom < 1 || copied < 0 || copied >= denseFrom))
        {
            throw new CorruptStoreException("index file header names generation " + generation + " (dense from " +
                denseFrom + ", " + copied + " pages copied) where generation " + expectedGeneration +
                " was expected", path, FILE_GENERATION_OFFSET);
        }
        return generation == 0 ? FIRST :
            new IndexFileHeader(generation, header.getInt(FILE_BASE_ROOT_OFFSET), denseFrom, copied);
    }
}
