package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.StoreIoException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.segment.MappedFiles;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * The index file: 4 KiB pages that only grow, mapped in chunks of {@link #CHUNK_PAGES} pages. A chunk is mapped once
 * and stays mapped until {@link #unmapAll()}, so a page number, once handed out, stays readable.
 *
 * <p>Concurrency: {@link #allocate()}, {@link #ensureCapacity(int)} are for the single writer. {@link #seal} and
 * {@link #force} are for the snapshot thread, on pages the writer no longer changes. {@link #buffer(int)},
 * {@link #pageOffset(int)} and {@link #checkPage(int, byte)} may be called by any thread.
 *
 * <p>Pages that were on disk when the store opened are checked against their CRC32C the first time they are
 * read ({@link #checkPage}); one byte per such page, off the heap, remembers that it was checked.
 */
public final class IndexFile
{
    public static final int CHUNK_SHIFT = 10;
    public static final int CHUNK_PAGES = 1 << CHUNK_SHIFT;
    public static final long CHUNK_BYTES = (long)CHUNK_PAGES * PAGE_SIZE;

    private final Path path;
    private final boolean readOnly;
    private final boolean preallocate;
    private final int pagesAtOpen;
    private final int firstFreePage;
    private final UnsafeBuffer checkedAtOpen;
    private final ThreadLocal<PageChecker> checkers = ThreadLocal.withInitial(PageChecker::new);

    private volatile UnsafeBuffer[] chunks;
    /** Mapped chunks (and, read-only, anonymous ones for replay), for msync and unmapping; writer only. */
    private volatile ByteBuffer[] mapped;
    private int nextPage;
    /** Times the writer grew the file; the checkpoint thread fsyncs the file when it changed since it last did. */
    private volatile int growths;
    private int growthsSynced;

    private IndexFile(
        final Path path, final boolean readOnly, final boolean preallocate, final int pagesAtOpen, final int nextPage)
    {
        this.path = path;
        this.readOnly = readOnly;
        this.preallocate = preallocate;
        this.pagesAtOpen = pagesAtOpen;
        this.firstFreePage = nextPage;
        this.nextPage = nextPage;
        this.chunks = new UnsafeBuffer[0];
        this.mapped = new ByteBuffer[0];
        this.checkedAtOpen = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, pagesAtOpen)));
    }

    /** Creates a new index file holding only its header page. */
    public static IndexFile create(final Path dir, final boolean preallocate) throws IOException
    {
        final Path path = dir.resolve(FILE_NAME);
        try (FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer header = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(FILE_MAGIC_OFFSET, MAGIC)
                .putShort(FILE_MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
                .putShort(FILE_MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
                .putInt(FILE_PAGE_SIZE_OFFSET, PAGE_SIZE);
            header.putInt(FILE_CRC_OFFSET, new Checksum().compute(header.array(), 0, FILE_HEADER_CHECKSUMMED_LENGTH));
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
            channel.force(true);
        }
        final IndexFile file = new IndexFile(path, false, preallocate, 0, 1);
        file.ensureCapacity(1);
        return file;
    }

    /**
     * Opens the index file of a snapshot whose manifest says {@code committedPages} pages are sealed.
     *
     * @throws CorruptStoreException if the header is damaged or the file is shorter than committed.
     */
    public static IndexFile open(final Path dir, final int committedPages, final boolean readOnly,
        final boolean preallocate) throws IOException
    {
        return open(dir, committedPages, committedPages, readOnly, preallocate);
    }

    /**
     * As {@link #open(Path, int, boolean, boolean)}, for a writer that must not reuse pages below
     * {@code firstFreePage}: when recovery falls back to an older snapshot, the pages that newer snapshots still on
     * disk commit stay untouched until they are discarded, so that an open that ends up refused changes none of
     * them.
     */
    public static IndexFile open(final Path dir, final int committedPages, final int firstFreePage,
        final boolean readOnly, final boolean preallocate) throws IOException
    {
        final Path path = dir.resolve(FILE_NAME);
        final long size = Files.size(path);
        if (size < (long)committedPages * PAGE_SIZE)
        {
            throw new CorruptStoreException("index file is " + size + " bytes but the snapshot needs " +
                committedPages + " pages of " + PAGE_SIZE + " (truncated?)", path, size);
        }
        final ByteBuffer header = ByteBuffer.allocate(PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            while (header.hasRemaining() && channel.read(header, header.position()) >= 0)
            {
                // read the whole header page
            }
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

        // A read-only store replays into anonymous memory from the next chunk boundary; a writer allocates above
        // every page a snapshot still on disk commits.
        final int firstFree = readOnly ? ((committedPages + CHUNK_PAGES - 1) >>> CHUNK_SHIFT) << CHUNK_SHIFT :
            Math.max(committedPages, firstFreePage);
        final IndexFile file = new IndexFile(path, readOnly, preallocate, committedPages, firstFree);
        if (readOnly)
        {
            file.mapReadOnly(committedPages);
        }
        else
        {
            file.ensureCapacity(0);
        }
        return file;
    }

    private void mapReadOnly(final int pages) throws IOException
    {
        final int chunkCount = (pages + CHUNK_PAGES - 1) >>> CHUNK_SHIFT;
        final UnsafeBuffer[] c = new UnsafeBuffer[chunkCount];
        mapped = new ByteBuffer[chunkCount];
        for (int i = 0; i < chunkCount; i++)
        {
            final long start = i * CHUNK_BYTES;
            final long length = Math.min(CHUNK_BYTES, (long)pages * PAGE_SIZE - start);
            mapped[i] = MappedFiles.map(path, true, start, length);
            c[i] = new UnsafeBuffer(mapped[i]);
        }
        chunks = c;
    }

    /**
     * Writer: makes sure that {@code pages} more pages can be allocated without I/O, mapping (and preallocating)
     * chunks as needed. Chunks already in the file beyond the committed length are mapped first.
     *
     * @throws StoreIoException if the file cannot grow; nothing was allocated.
     */
    public void ensureCapacity(final int pages)
    {
        final long needed = (long)nextPage + pages;
        int chunkCount = chunks.length;
        if (needed <= (long)chunkCount * CHUNK_PAGES)
        {
            return;
        }
        if (readOnly)
        {
            // A read-only store replays into memory of its own, after the chunks it maps read-only.
            final int target = (int)((needed + CHUNK_PAGES - 1) >>> CHUNK_SHIFT);
            final UnsafeBuffer[] c = Arrays.copyOf(chunks, target);
            final ByteBuffer[] m = Arrays.copyOf(mapped, target);
            for (; chunkCount < target; chunkCount++)
            {
                m[chunkCount] = ByteBuffer.allocateDirect((int)CHUNK_BYTES);
                c[chunkCount] = new UnsafeBuffer(m[chunkCount]);
            }
            mapped = m;
            chunks = c;
            return;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long fileChunks = (channel.size() + CHUNK_BYTES - 1) / CHUNK_BYTES;
            final int target = (int)Math.max(fileChunks, (needed + CHUNK_PAGES - 1) >>> CHUNK_SHIFT);
            final long newLength = target * CHUNK_BYTES;
            if (channel.size() < newLength)
            {
                MappedFiles.extend(channel, newLength, preallocate);
                growths++;
            }
            final UnsafeBuffer[] c = Arrays.copyOf(chunks, target);
            final ByteBuffer[] m = Arrays.copyOf(mapped, target);
            for (; chunkCount < target; chunkCount++)
            {
                m[chunkCount] = channel.map(FileChannel.MapMode.READ_WRITE, chunkCount * CHUNK_BYTES, CHUNK_BYTES);
                c[chunkCount] = new UnsafeBuffer(m[chunkCount]);
            }
            mapped = m;
            chunks = c;
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not grow index file " + path, ex);
        }
    }

    /** Writer: hands out a zeroed page. {@link #ensureCapacity} must have made room. */
    public int allocate()
    {
        final int page = nextPage++;
        buffer(page).setMemory(pageOffset(page), PAGE_SIZE, (byte)0);
        return page;
    }

    /** @return pages handed out so far, header page included: the next page number. */
    public int nextPage()
    {
        return nextPage;
    }

    /** @return the mapped chunk holding {@code page}. Any thread. */
    public UnsafeBuffer buffer(final int page)
    {
        return chunks[page >>> CHUNK_SHIFT];
    }

    /** @return the offset of {@code page} within {@link #buffer(int)}. */
    public static int pageOffset(final int page)
    {
        return (page & (CHUNK_PAGES - 1)) << PAGE_SHIFT;
    }

    /**
     * Any thread: before reading a page, checks that it exists and has the expected type, and, for a page that
     * was on disk when the store opened, its CRC32C (once).
     *
     * @throws CorruptStoreException if not.
     */
    public void checkPage(final int page, final byte expectedType)
    {
        if (page <= 0 || page >= nextPageVisible() || readOnly && page >= pagesAtOpen && page < firstFreePage)
        {
            throw new CorruptStoreException("index refers to page " + page + " outside the file", path,
                (long)page * PAGE_SIZE);
        }
        if (page < pagesAtOpen && checkedAtOpen.getByteVolatile(page) == 0)
        {
            checkers.get().check(page);
            checkedAtOpen.putByteVolatile(page, (byte)1);
        }
        final byte type = buffer(page).getByte(pageOffset(page) + TYPE_OFFSET);
        if (type != expectedType)
        {
            throw new CorruptStoreException("index page " + page + " has type " + type + " where " + expectedType +
                " was expected", path, (long)page * PAGE_SIZE);
        }
    }

    private int nextPageVisible()
    {
        return chunks.length * CHUNK_PAGES;
    }

    /**
     * Snapshot thread: writes the CRC32C of every page in [from, to), which the writer no longer changes.
     *
     * @return the CRC32C of the sequence of page checksums, recorded in the manifest.
     */
    public int seal(final int from, final int to)
    {
        final CRC32C all = new CRC32C();
        final Checksum checksum = new Checksum();
        ByteBuffer view = null;
        int viewChunk = -1;
        for (int page = from; page < to; page++)
        {
            final int chunk = page >>> CHUNK_SHIFT;
            if (chunk != viewChunk)
            {
                viewChunk = chunk;
                view = mapped[chunk].duplicate();
            }
            final int offset = pageOffset(page);
            final int crc = checksum.compute(view, offset + CHECKSUMMED_FROM, PAGE_SIZE - CHECKSUMMED_FROM);
            chunks[chunk].putInt(offset + CRC_OFFSET, crc);
            all.update(crc);
            all.update(crc >>> 8);
            all.update(crc >>> 16);
            all.update(crc >>> 24);
        }
        return (int)all.getValue();
    }

    /** Snapshot thread: msyncs pages [from, to), and the file's length if it grew. */
    public void force(final int from, final int to) throws IOException
    {
        for (int page = from; page < to; )
        {
            final int chunk = page >>> CHUNK_SHIFT;
            final int end = Math.min(to, (chunk + 1) << CHUNK_SHIFT);
            ((MappedByteBuffer)mapped[chunk]).force(pageOffset(page), (end - page) << PAGE_SHIFT);
            page = end;
        }
        final int grown = growths;
        if (grown != growthsSynced)
        {
            MappedFiles.syncFile(path);
            growthsSynced = grown; // only once the length is durable: a failed fsync is retried next time
        }
    }

    /**
     * Verification: compares every page in [from, to), all sealed, with its CRC32C.
     *
     * @throws CorruptStoreException at the first that does not match.
     */
    public void verifyRange(final int from, final int to)
    {
        final PageChecker checker = new PageChecker();
        for (int page = from; page < to; page++)
        {
            checker.check(page);
        }
    }

    public Path path()
    {
        return path;
    }

    /** Releases every mapping. The caller guarantees no reader is left. */
    public void unmapAll()
    {
        for (final ByteBuffer m : mapped)
        {
            IoUtil.unmap(m);
        }
    }

    private final class PageChecker
    {
        private final Checksum checksum = new Checksum();
        private ByteBuffer[] views = new ByteBuffer[0];

        void check(final int page)
        {
            final int chunk = page >>> CHUNK_SHIFT;
            final UnsafeBuffer[] c = chunks;
            if (chunk >= views.length)
            {
                views = Arrays.copyOf(views, c.length);
            }
            if (views[chunk] == null)
            {
                views[chunk] = c[chunk].byteBuffer().duplicate();
            }
            final int offset = pageOffset(page);
            final int stored = c[chunk].getInt(offset + CRC_OFFSET);
            final int actual = checksum.compute(views[chunk], offset + CHECKSUMMED_FROM, PAGE_SIZE - CHECKSUMMED_FROM);
            if (stored != actual)
            {
                throw new CorruptStoreException("index page " + page + " checksum mismatch", path,
                    (long)page * PAGE_SIZE, Checksum.unsigned(stored), Checksum.unsigned(actual));
            }
        }
    }
}
