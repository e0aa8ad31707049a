package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.StoreFullException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;
import org.agrona.collections.IntArrayList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * The index file: 4 KiB pages, numbered in the order they are handed out, in chunks of {@link #CHUNK_PAGES} pages. A chunk is <i>resident</i>
 * (an off-heap buffer of the process, which the writer changes) until a checkpoint has written every page of it to
 * the file; then it is replaced by a read-only mapping of the file, which stays mapped until {@link #unmapAll()}.
 * So a page number, once handed out, stays readable, and nothing is ever stored through a shared mapping of the
 * file.
 *
 * <p>Why not write the pages through a writable mapping: a flush of pages dirtied through a shared mapping must
 * write-protect them again, with a TLB shoot-down to every CPU running a thread of the process (readers and the
 * writer included), and a store into a page under write-back waits for it. A checkpoint instead writes the sealed
 * pages of the resident chunks with positional writes and fdatasyncs them ({@link #checkpoint}): the kernel copies
 * the bytes, no page-table entry of the process changes, and the writer never faults on a page being written back.
 * The file also grows only there, so a full disk fails a checkpoint (which is retried), and a put only once the
 * resident chunks reach their limit.
 *
 * <p>Memory: every chunk is a {@link MemoryRegion}. Resident chunks hold the pages created since the last checkpoint,
 * plus the chunk being filled and the writer's reserve. Their memory of the process (<i>direct</i> memory below;
 * from JDK 22 on an arena's, which {@code -XX:MaxDirectMemorySize} does not count) is allocated and freed here
 * ({@link MemoryRegion#close()}), never left to the garbage collector: a resident chunk replaced by a mapping is
 * <i>retired</i> (a reader that loaded it before the swap reads it safely to the end of its lookup: its bytes are the
 * same as the file's) and freed explicitly by {@link #freeRetired()} once the {@link GracePeriods} of the readers say
 * that none can still hold it, which is after the checkpoint that wrote it finished its writes, so that no channel
 * reads a retired chunk while it is freed. The direct memory held, resident and retired chunks together, never
 * exceeds the limit set by {@link #limitResident}: {@link #tryEnsureCapacity} refuses to grow past it, and the writer
 * then waits for a checkpoint.
 *
 * <p>A reader that breaks the grace periods, and reads a chunk after it was freed or unmapped (by
 * {@link #freeRetired()} or {@link #unmapAll()}), gets an {@link IllegalStateException} on JDK 22 and later, in its
 * own thread, the JVM going on; on JDK 17 to 21 it reads unmapped memory, which crashes the JVM (or gets a
 * {@link NullPointerException} if it sees the close).
 *
 * <p>Generations: the file the writer appends to can be replaced by a new generation that a checkpointing thread
 * wrote with the same pages at the same page numbers (holes where a page is no longer reachable; see
 * {@link IndexFileCopy}). {@link #switchTo} makes checkpoints write to the new file from then on; the chunks mapped
 * from the old file stay until every reader that entered before the switch has left (such a reader may traverse an
 * older version, whose superseded pages are holes in the new file), and {@link #remapIfDue} then replaces them by
 * mappings of the new file, retiring the old mappings like resident chunks: unmapped by {@link #freeRetired()} once
 * no reader can still hold them. For the same reason, until then a checkpoint does not replace the resident chunk
 * that holds pages below the new file's dense start by a mapping of the new file.
 *
 * <p>Concurrency: {@link #allocate()}, {@link #ensureCapacity(int)}, {@link #tryEnsureCapacity(int)} and
 * {@link #limitResident} are for the single writer. {@link #checkpoint} and {@link #switchTo} are for the
 * checkpointing thread, under the checkpoint lock, on pages the writer no longer changes; {@link #remapIfDue} for
 * any thread. {@link #freeRetired()} is for the writer between two changes of the index, or for a thread that has
 * held the writer's lock since the chunks were retired. {@link #buffer(int)}, {@link #pageOffset(int)} and
 * {@link #checkPage(int, byte)} may be called by any thread; a reader that uses a chunk it loaded must be inside
 * the grace periods given to {@link #limitResident}.
 *
 * <p>Pages that were on disk when the store opened are checked against their CRC32C the first time they are
 * read ({@link #checkPage}); one bit per such page, off the heap, remembers that it was checked.
 */
public final class IndexFile
{
    public static final int CHUNK_SHIFT = 10;
    public static final int CHUNK_PAGES = 1 << CHUNK_SHIFT;
    public static final long CHUNK_BYTES = (long)CHUNK_PAGES * PAGE_SIZE;
    /**
     * The least direct memory a writer's chunks may be limited to: once a checkpoint wrote every page but the last
     * few, up to two chunks stay resident (those past its last whole chunk), and one change of the index may need
     * two more. (One more stays while the chunks of an old index file wait to be remapped: a writer at the limit then
     * waits for the readers that hold them back, as for a chunk not freed yet.)
     */
    public static final long MIN_DIRECT_BYTES = 4 * CHUNK_BYTES;
    /** The most chunks one mapping of {@link #spans} covers: 1 GiB, below the 2 GiB a buffer can address. */
    static final int SPAN_CHUNKS = 256;
    private static final MemoryRegion[] NO_SPANS = new MemoryRegion[0];

    private final StoreFileSystem fs;
    private final Path dir;
    private final boolean readOnly;
    private final int pagesAtOpen;
    private final int firstFreePage;
    /**
     * One bit per page on disk at open, set once the page was checked against its CRC32C; off the heap, and freed by
     * {@link #unmapAll()}.
     */
    private final MemoryRegion checkedAtOpen;
    private final ThreadLocal<PageChecker> checkers = ThreadLocal.withInitial(PageChecker::new);
    /** Serialises replacing {@link #chunks}: the writer adds chunks, a checkpoint swaps resident ones for mappings. */
    private final Object chunkLock = new Object();

    /** Each chunk's memory: a read-only mapping of the file (of its own or a slice of a span) or a resident region. */
    private volatile MemoryRegion[] chunks;
    /**
     * A buffer over each chunk, made once with the chunk, for the channel's reads and writes and the checksums: a
     * user changes the position and limit of a duplicate only.
     */
    private volatile ByteBuffer[] views;
    /** Whether each chunk is resident (changed by the writer, written by checkpoints); guarded by chunkLock. */
    private volatile boolean[] resident;
    private int nextPage;
    /** Chunks replaced by mappings whose direct buffers are not freed yet, oldest first; guarded by chunkLock. */
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();
    /** Chunks whose direct buffers are allocated and not yet freed, resident and retired; written under chunkLock. */
    private volatile int directChunks;
    /** Direct buffers freed so far; written under chunkLock. */
    private volatile long freedChunks;
    /** The most bytes of direct buffers {@link #tryEnsureCapacity} lets the chunks hold; guarded by chunkLock. */
    private long maxDirectBytes = Long.MAX_VALUE;
    private GracePeriods readers = GracePeriods.NO_READERS;
    /** Retired chunks whose direct buffers are not freed yet; guarded by chunkLock. */
    private int retiredDirect;

    /** The file checkpoints write to and chunks are mapped from; changed by {@link #switchTo} under chunkLock. */
    private volatile Path path;
    private volatile IndexFileHeader header;
    /** Pages the file holds (the rest are holes), header included. Checkpointing thread. */
    private volatile long pagesHeld;
    /** Pages up to which the file extends. Checkpointing thread. */
    private long fileEndPage;
    /** Chunks [0, mappedBelow) are all mapped (none resident); checkpointing thread, written under chunkLock. */
    private int mappedBelow;
    /** Chunks [0, remapChunks) map the file of before the last switch until remapped; guarded by chunkLock. */
    private int remapChunks;
    private long remapStamp;
    /** The file those chunks map, or null when no remapping waits; guarded by chunkLock. */
    private Path remapFrom;
    /** The most pages ever handed out (see {@link IndexPageDescriptor#MAX_PAGES}); lowered by tests. */
    private int maxPages = IndexPageDescriptor.MAX_PAGES;
    /**
     * The mappings behind chunks [0, spanChunks), of up to {@link #SPAN_CHUNKS} chunks each, whose chunks' regions are
     * slices of them (closing a slice releases nothing; closing its span unmaps them all): the chunks mapped at open
     * and when the chunks of an old file are remapped. One mapping per chunk would cost a map (and, at close, an
     * unmap) per 4 MiB of the file's length, and page numbers only grow, so that length is the store's history, not
     * its index: thousands of system calls for a large store. Chunks mapped by a checkpoint are mapped one by one,
     * after these. Only written under chunkLock.
     */
    private MemoryRegion[] spans = NO_SPANS;
    private int spanChunks;
    /** A read-only store's pin of its file, held until {@link #unmapAll()}; null for a writer. */
    private ReaderPins.Pin pin;

    private IndexFile(final StoreFileSystem fs, final Path dir, final IndexFileHeader header, final boolean readOnly,
        final int pagesAtOpen, final int nextPage)
    {
        this.fs = fs;
        this.dir = dir;
        this.path = dir.resolve(IndexPageDescriptor.fileName(header.generation));
        this.header = header;
        this.readOnly = readOnly;
        this.pagesAtOpen = pagesAtOpen;
        this.firstFreePage = nextPage;
        this.nextPage = nextPage;
        this.chunks = new MemoryRegion[0];
        this.views = new ByteBuffer[0];
        this.resident = new boolean[0];
        this.checkedAtOpen = MemoryRegion.allocate(Long.BYTES * ((pagesAtOpen >>> 6) + 1));
    }

    /** Creates a new index file ({@code index.msi}, generation 0) holding only its header page. */
    public static IndexFile create(final StoreFileSystem fs, final Path dir) throws IOException
    {
        try (StoreFile channel = fs.create(dir.resolve(FILE_NAME)))
        {
            channel.writeFully(IndexFileHeader.FIRST.encode(), 0);
            channel.force(true);
        }
        final IndexFile file = new IndexFile(fs, dir, IndexFileHeader.FIRST, false, 0, 1);
        file.fileEndPage = 1;
        file.pagesHeld = 1;
        try
        {
            file.mapForWriter(PAGE_SIZE);
            file.ensureCapacity(1);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            file.unmapAll();
            throw ex;
        }
        return file;
    }

    /**
     * Opens the index file of {@code generation} for a snapshot whose manifest says {@code committedPages} pages are
     * sealed. A read-only open pins the file ({@link ReaderPins}) until {@link #unmapAll()}.
     *
     * @throws CorruptStoreException if the header is damaged, names another generation, or the file is shorter than
     *                               committed; for a writer, also if the file is missing.
     * @throws NoSuchFileException   (read-only) if the file is missing: a writer deleted it after retiring every
     *                               snapshot that names it.
     */
    public static IndexFile open(final StoreFileSystem fs, final Path dir, final long generation,
        final int committedPages, final boolean readOnly) throws IOException
    {
        return open(fs, dir, generation, committedPages, committedPages, readOnly);
    }

    /**
     * As {@link #open(StoreFileSystem, Path, long, int, boolean)}, for a writer that must not reuse pages below
     * {@code firstFreePage}: when recovery falls back to an older snapshot, the pages that newer snapshots still on
     * disk commit in this file stay untouched until they are discarded, so that an open that ends up refused changes
     * none of them.
     */
    public static IndexFile open(final StoreFileSystem fs, final Path dir, final long generation,
        final int committedPages, final int firstFreePage, final boolean readOnly) throws IOException
    {
        final Path path = dir.resolve(IndexPageDescriptor.fileName(generation));
        final ReaderPins.Pin pin = readOnly ? ReaderPins.pin(path) : null;
        try
        {
            return open(fs, dir, path, generation, committedPages, firstFreePage, pin);
        }
        catch (final NoSuchFileException ex)
        {
            throw new CorruptStoreException("the index file the snapshot names is missing", path, 0);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (pin != null)
            {
                pin.close();
            }
            throw ex;
        }
    }

    private static IndexFile open(final StoreFileSystem fs, final Path dir, final Path path, final long generation,
        final int committedPages, final int firstFreePage, final ReaderPins.Pin pin) throws IOException
    {
        final boolean readOnly = pin != null;
        final long size;
        final IndexFileHeader header;
        try (FileChannel own = readOnly ? null : FileChannel.open(path, StandardOpenOption.READ))
        {
            // A read-only store reads through its pin's channel: closing another one would drop the pin's lock.
            final FileChannel channel = readOnly ? pin.channel() : own;
            size = channel.size();
            header = IndexFileHeader.read(channel, path, generation);
        }
        if (size < (long)committedPages * PAGE_SIZE)
        {
            throw new CorruptStoreException("index file is " + size + " bytes but the snapshot needs " +
                committedPages + " pages of " + PAGE_SIZE + " (truncated?)", path, size);
        }

        // A read-only store replays into memory of its own from the next chunk boundary; a writer allocates above
        // every page a snapshot still on disk commits.
        final int firstFree = readOnly ? ((committedPages + CHUNK_PAGES - 1) >>> CHUNK_SHIFT) << CHUNK_SHIFT :
            Math.max(committedPages, firstFreePage);
        final IndexFile file = new IndexFile(fs, dir, header, readOnly, committedPages, firstFree);
        file.fileEndPage = (int)((size + PAGE_SIZE - 1) / PAGE_SIZE);
        file.pagesHeld = header.pagesHeld(size);
        try
        {
            if (readOnly)
            {
                file.mapReadOnly(pin.channel(), committedPages);
            }
            else
            {
                file.mapForWriter(size);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            file.unmapAll(); // the marks of the pages checked; the caller releases the pin
            throw ex;
        }
        file.pin = pin;
        return file;
    }

    private void mapReadOnly(final FileChannel channel, final int pages) throws IOException
    {
        final int chunkCount = (pages + CHUNK_PAGES - 1) >>> CHUNK_SHIFT;
        final MemoryRegion[] c = new MemoryRegion[chunkCount];
        final ByteBuffer[] v = new ByteBuffer[chunkCount];
        final MemoryRegion[] s = mapSpans(channel, (long)pages * PAGE_SIZE, c);
        for (int i = 0; i < chunkCount; i++)
        {
            v[i] = view(c[i]);
        }
        synchronized (chunkLock)
        {
            spans = s;
            spanChunks = chunkCount;
            views = v;
            resident = new boolean[chunkCount];
            chunks = c;
        }
    }

    /**
     * Maps the first {@code bytes} bytes of the file of {@code channel} read-only, {@link #SPAN_CHUNKS} chunks to a
     * mapping, and puts a slice of the mapping for each of those chunks into {@code into} (the last one may be short).
     * A slice's close releases nothing: the span's does, for all of them.
     *
     * @return the mappings; if one fails, those made before it are unmapped.
     */
    private static MemoryRegion[] mapSpans(final FileChannel channel, final long bytes, final MemoryRegion[] into)
        throws IOException
    {
        final long spanBytes = SPAN_CHUNKS * CHUNK_BYTES;
        final MemoryRegion[] mapped = new MemoryRegion[(int)((bytes + spanBytes - 1) / spanBytes)];
        try
        {
            for (int k = 0; k < mapped.length; k++)
            {
                final MemoryRegion span = MemoryRegion.mapReadOnly(channel, k * spanBytes,
                    (int)Math.min(spanBytes, bytes - k * spanBytes));
                mapped[k] = span;
                for (int i = 0; i * CHUNK_BYTES < span.length(); i++)
                {
                    final int offset = (int)(i * CHUNK_BYTES);
                    into[k * SPAN_CHUNKS + i] = span.slice(offset, Math.min((int)CHUNK_BYTES, span.length() - offset));
                }
            }
            return mapped;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeAll(mapped, 0, mapped.length);
            throw ex;
        }
    }

    /** Closes the regions of {@code regions} in [from, to) that are not null. */
    private static void closeAll(final MemoryRegion[] regions, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (regions[i] != null)
            {
                regions[i].close();
            }
        }
    }

    /** @return a buffer over the whole of {@code chunk}, for {@link #views}. */
    private static ByteBuffer view(final MemoryRegion chunk)
    {
        return chunk.byteBuffer(0, chunk.length());
    }

    /**
     * A writer's chunks up to the first free page: those the file holds whole and that lie wholly below the first
     * free page are mapped read-only (nobody changes them again), together ({@link #spans}); the one the first free
     * page falls in is made resident, with the file's bytes read into it.
     */
    private void mapForWriter(final long fileSize) throws IOException
    {
        final int chunkCount = (nextPage + CHUNK_PAGES - 1) >>> CHUNK_SHIFT;
        final int mapped = (int)Math.min(nextPage >>> CHUNK_SHIFT, fileSize / CHUNK_BYTES);
        final MemoryRegion[] c = new MemoryRegion[chunkCount];
        final ByteBuffer[] v = new ByteBuffer[chunkCount];
        final boolean[] r = new boolean[chunkCount];
        MemoryRegion[] s = NO_SPANS;
        int direct = 0;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            s = mapSpans(channel, mapped * CHUNK_BYTES, c);
            for (int i = 0; i < chunkCount; i++)
            {
                final long start = i * CHUNK_BYTES;
                if (i >= mapped)
                {
                    c[i] = MemoryRegion.allocate((int)CHUNK_BYTES);
                    r[i] = true;
                    direct++;
                }
                v[i] = view(c[i]);
                if (i >= mapped)
                {
                    final ByteBuffer into = v[i].duplicate();
                    into.limit((int)Math.max(0, Math.min(CHUNK_BYTES, fileSize - start)));
                    while (into.hasRemaining() && channel.read(into, start + into.position()) >= 0)
                    {
                        // the file's bytes of this chunk
                    }
                }
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            closeAll(c, mapped, chunkCount); // resident regions, published nowhere
            closeAll(s, 0, s.length);
            throw ex;
        }
        synchronized (chunkLock)
        {
            spans = s;
            spanChunks = mapped;
            views = v;
            resident = r;
            chunks = c;
            directChunks = direct;
            while (mappedBelow < r.length && !r[mappedBelow])
            {
                mappedBelow++;
            }
        }
    }

    /**
     * Writer, before the store is shared: from now on the direct buffers of the chunks (resident and retired) may
     * hold at most {@code maxBytes}, and retired chunks are freed only once {@code readers} say so. Chunks retired so
     * far (by checkpoints during the open, when no reader existed) are freed now.
     *
     * @param maxBytes at least {@link #MIN_DIRECT_BYTES}.
     */
    public void limitResident(final long maxBytes, final GracePeriods readers)
    {
        if (maxBytes < MIN_DIRECT_BYTES)
        {
            throw new IllegalArgumentException("at least " + MIN_DIRECT_BYTES + " bytes, was " + maxBytes);
        }
        freeRetired();
        synchronized (chunkLock)
        {
            this.maxDirectBytes = maxBytes;
            this.readers = readers;
        }
    }

    /**
     * Writer: makes sure that {@code pages} more pages can be allocated, adding resident (zeroed, off-heap) chunks
     * as needed. No I/O: the file grows when a checkpoint writes the pages.
     *
     * @throws IllegalStateException if that would take the direct buffers past the limit set by
     *                               {@link #limitResident}; nothing changed then. A writer asks
     *                               {@link #tryEnsureCapacity} first.
     * @throws StoreFullException    as {@link #tryEnsureCapacity}.
     */
    public void ensureCapacity(final int pages)
    {
        if (!tryEnsureCapacity(pages))
        {
            throw new IllegalStateException("index pages waiting for a checkpoint would take more than " +
                maxDirectBytes + " bytes of direct memory");
        }
    }

    /**
     * Writer, between two changes of the index: as {@link #ensureCapacity}, unless the chunks it would add took the
     * direct buffers past the limit set by {@link #limitResident}, once the retired chunks that no reader can still
     * hold were freed.
     *
     * @return whether {@code pages} more pages can be allocated; nothing changed if not.
     * @throws StoreFullException if the page numbers would pass {@link IndexPageDescriptor#MAX_PAGES}.
     */
    public boolean tryEnsureCapacity(final int pages)
    {
        final long needed = (long)nextPage + pages;
        if (needed <= (long)chunks.length * CHUNK_PAGES)
        {
            return true;
        }
        if (needed > maxPages)
        {
            throw new StoreFullException("the index has handed out " + nextPage + " page numbers, and a change may " +
                "need " + pages + " more, past the most one store can hand out in its life (" + maxPages + ", as " +
                "page numbers are 32-bit and only grow). Nothing was written. Export the newest snapshot and import " +
                "it into a new store (memsnap export, memsnap import), which numbers the pages from 1 again");
        }
        final int target = (int)((needed + CHUNK_PAGES - 1) >>> CHUNK_SHIFT);
        if (!fitsDirect(target - chunks.length))
        {
            freeRetired();
            if (!fitsDirect(target - chunks.length))
            {
                return false;
            }
        }
        synchronized (chunkLock)
        {
            int chunkCount = chunks.length;
            final MemoryRegion[] c = Arrays.copyOf(chunks, target);
            final ByteBuffer[] v = Arrays.copyOf(views, target);
            final boolean[] r = Arrays.copyOf(resident, target);
            try
            {
                for (; chunkCount < target; chunkCount++)
                {
                    c[chunkCount] = MemoryRegion.allocate((int)CHUNK_BYTES);
                    v[chunkCount] = view(c[chunkCount]);
                    r[chunkCount] = true;
                }
            }
            catch (final RuntimeException | Error ex)
            {
                closeAll(c, chunks.length, target); // published nowhere
                throw ex;
            }
            directChunks += target - chunks.length;
            views = v;
            resident = r;
            chunks = c;
        }
        return true;
    }

    private boolean fitsDirect(final int moreChunks)
    {
        synchronized (chunkLock)
        {
            return (long)(directChunks + moreChunks) * CHUNK_BYTES <= maxDirectBytes;
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

    /**
     * @return the chunk holding {@code page}: readable until the grace periods given to {@link #limitResident} end
     * for a reader that loaded it (see the class's javadoc for a read after that). Any thread.
     */
    public MemoryRegion buffer(final int page)
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
        final int word = (page >>> 6) * Long.BYTES;
        final long bit = 1L << page;
        if (page < pagesAtOpen && (checkedAtOpen.getLongVolatile(word) & bit) == 0)
        {
            checkers.get().check(page);
            long bits;
            do
            {
                bits = checkedAtOpen.getLongVolatile(word);
            }
            while (!checkedAtOpen.compareAndSetLong(word, bits, bits | bit));
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
     * Checkpointing thread: seals (writes the CRC32C of) every page in [from, to), which the writer no longer
     * changes, writes those of resident chunks to the file with positional writes and fdatasyncs them, in steps of
     * {@code stepPages} pages with {@code betweenSteps} run after each; then replaces each resident chunk that lies
     * wholly below {@code to} by a read-only mapping of the file. Pages of chunks already mapped (below the first
     * free page of an open that fell back) are on disk as they are: only a CRC that does not match is written.
     *
     * @return the CRC32C of the sequence of page checksums, recorded in the manifest.
     * @throws IOException if a write or a sync fails: nothing is swapped, and a later checkpoint writes the same
     *                     pages again.
     */
    public int checkpoint(final int from, final int to, final int stepPages, final Runnable betweenSteps)
        throws IOException
    {
        final IntArrayList resealed = new IntArrayList();
        final int crc = seal(from, to, resealed);
        // fdatasync alone: it makes the file's new length durable with the pages (what reading them back needs).
        try (StoreFile channel = fs.open(path))
        {
            for (int page = from; page < to; page += stepPages)
            {
                writeResident(channel, page, Math.min(to, page + stepPages));
                channel.force(false);
                betweenSteps.run();
            }
            if (!resealed.isEmpty())
            {
                writeCrcs(channel, resealed);
                channel.force(false);
            }
        }
        if (to > fileEndPage)
        {
            pagesHeld += to - Math.max(fileEndPage, header.denseFrom);
            fileEndPage = to;
        }
        swapWrittenChunks(to);
        return crc;
    }

    /**
     * Computes the CRC32C of every page in [from, to) and writes it into the page where the page is resident. A page
     * of a mapped chunk in the range (a page of a newer snapshot that an open fell back past) is on disk already;
     * where its stored CRC differs it is added to {@code resealed}, for its CRC to be written to the file, as every
     * sealed page's CRC matches its bytes.
     */
    private int seal(final int from, final int to, final IntArrayList resealed)
    {
        final CRC32C all = new CRC32C();
        final Checksum checksum = new Checksum();
        final MemoryRegion[] c = chunks;
        final ByteBuffer[] v = views;
        final boolean[] r = resident;
        ByteBuffer view = null;
        int viewChunk = -1;
        for (int page = from; page < to; page++)
        {
            final int chunk = page >>> CHUNK_SHIFT;
            if (chunk != viewChunk)
            {
                viewChunk = chunk;
                view = v[chunk].duplicate();
            }
            final int offset = pageOffset(page);
            final int crc = checksum.compute(view, offset + CHECKSUMMED_FROM, PAGE_SIZE - CHECKSUMMED_FROM);
            if (r[chunk])
            {
                c[chunk].putInt(offset + CRC_OFFSET, crc);
            }
            else if (c[chunk].getInt(offset + CRC_OFFSET) != crc)
            {
                resealed.addInt(page);
                resealed.addInt(crc);
            }
            all.update(crc);
            all.update(crc >>> 8);
            all.update(crc >>> 16);
            all.update(crc >>> 24);
        }
        return (int)all.getValue();
    }

    private void writeResident(final StoreFile channel, final int from, final int to) throws IOException
    {
        final ByteBuffer[] v = views;
        final boolean[] r = resident;
        for (int page = from; page < to; )
        {
            final int chunk = page >>> CHUNK_SHIFT;
            final int end = Math.min(to, (chunk + 1) << CHUNK_SHIFT);
            if (r[chunk])
            {
                final ByteBuffer src = v[chunk].duplicate(); // one run of pages: one write
                src.limit(pageOffset(end - 1) + PAGE_SIZE).position(pageOffset(page));
                channel.writeFully(src, (long)page * PAGE_SIZE);
            }
            page = end;
        }
    }

    /** Writes the CRCs {@link #seal} computed for pages of mapped chunks (pairs of page, CRC) into the file. */
    private static void writeCrcs(final StoreFile channel, final IntArrayList resealed) throws IOException
    {
        final ByteBuffer crc = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < resealed.size(); i += 2)
        {
            crc.clear();
            crc.putInt(0, resealed.getInt(i + 1));
            channel.writeFully(crc, (long)resealed.getInt(i) * PAGE_SIZE + CRC_OFFSET);
        }
    }

    /**
     * Replaces the resident chunks that lie wholly below {@code to} by mappings of the file, except, until the chunks
     * of the old file are remapped, one that holds pages below the new file's dense start: those the new file does
     * not hold would be holes to a reader still traversing a version older than its base.
     */
    private void swapWrittenChunks(final int to) throws IOException
    {
        final int whole = to >>> CHUNK_SHIFT;
        if (whole <= mappedBelow)
        {
            return; // every chunk below is mapped already
        }
        synchronized (chunkLock)
        {
            final MemoryRegion[] c = chunks.clone();
            final ByteBuffer[] v = views.clone();
            final boolean[] r = resident.clone();
            final List<MemoryRegion> replaced = new ArrayList<>();
            final int held = remapFrom == null ? 0 : (header.denseFrom + CHUNK_PAGES - 1) >>> CHUNK_SHIFT;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
            {
                for (int chunk = mappedBelow; chunk < whole; chunk++)
                {
                    if (r[chunk] && chunk >= held)
                    {
                        c[chunk] = MemoryRegion.mapReadOnly(channel, chunk * CHUNK_BYTES, (int)CHUNK_BYTES);
                        replaced.add(chunks[chunk]);
                        v[chunk] = view(c[chunk]);
                        r[chunk] = false;
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                for (int chunk = mappedBelow; chunk < whole; chunk++)
                {
                    if (c[chunk] != chunks[chunk])
                    {
                        c[chunk].close(); // published nowhere
                    }
                }
                throw ex;
            }
            views = v;
            resident = r;
            chunks = c;
            while (mappedBelow < r.length && !r[mappedBelow])
            {
                mappedBelow++;
            }
            // Taken after the new table is published: a reader that loaded an old chunk entered before it.
            final long stamp = readers.stamp();
            for (final MemoryRegion region : replaced)
            {
                retired.addLast(new Retired(region, stamp, false));
            }
            retiredDirect += replaced.size();
        }
    }

    /**
     * Writer, under the checkpoint lock with no new file being copied, for a rewind to a snapshot whose checkpoint
     * lives in another index file generation: writes {@code pages} of {@code source} (that generation, opened
     * read-only) into this file at the same page numbers, where this file has holes (a page number names the same
     * bytes in every file that holds it), resident chunks included, and fdatasyncs them; so a version built on that
     * checkpoint reads here what it reads there, and a checkpoint of it here names only pages this file holds. Each
     * page is checked against its CRC32C first.
     *
     * @return false, with nothing written, if a chunk holding one of them still maps the file of before the last
     * switch ({@link #remapIfDue}), whose bytes a version would read instead.
     * @throws CorruptStoreException if a page of {@code source} does not match its CRC32C; nothing was written.
     */
    public boolean restorePages(final IndexFile source, final int[] pages) throws IOException
    {
        for (final int page : pages)
        {
            source.checkPage(page, source.buffer(page).getByte(pageOffset(page) + TYPE_OFFSET));
        }
        final boolean[] r;
        final MemoryRegion[] c;
        synchronized (chunkLock)
        {
            for (final int page : pages)
            {
                final int chunk = page >>> CHUNK_SHIFT;
                if (chunk >= chunks.length || remapFrom != null && chunk < remapChunks && !resident[chunk])
                {
                    return false;
                }
            }
            r = resident;
            c = chunks;
        }
        long written = 0;
        try (StoreFile channel = fs.open(path))
        {
            for (final int page : pages)
            {
                final int chunk = page >>> CHUNK_SHIFT;
                if (c[chunk].getByte(pageOffset(page) + TYPE_OFFSET) != 0)
                {
                    continue; // held here too
                }
                final ByteBuffer bytes = source.views[chunk].duplicate();
                bytes.limit(pageOffset(page) + PAGE_SIZE).position(pageOffset(page));
                channel.writeFully(bytes, (long)page * PAGE_SIZE);
                if (r[chunk])
                {
                    source.buffer(page).copyTo(pageOffset(page), c[chunk], pageOffset(page), PAGE_SIZE);
                }
                written++;
            }
            if (written > 0)
            {
                channel.force(false);
            }
        }
        pagesHeld += written;
        return true;
    }

    /**
     * Checkpointing thread, under the checkpoint lock, once {@code copy} holds every page of the durable checkpoint
     * and is durable: checkpoints write to the new file from now on, and the chunks mapped from the old one are
     * replaced by mappings of the new one once every reader that entered before this call has left
     * ({@link #remapIfDue}). Nothing else changes: the new file holds every page a version from the copy's base on
     * reaches, at the same page number.
     *
     * @param pagesHeld the pages the new file holds.
     * @param fileEndPage the pages up to which it extends.
     */
    public void switchTo(final IndexFileCopy copy, final long pagesHeld, final int fileEndPage)
    {
        synchronized (chunkLock)
        {
            if (remapFrom != null)
            {
                throw new IllegalStateException("the chunks of " + remapFrom + " are not remapped yet");
            }
            remapFrom = path;
            remapChunks = mappedBelow;
            header = copy.header();
            this.pagesHeld = pagesHeld;
            this.fileEndPage = fileEndPage;
            path = copy.path();
            // Taken after the new file is published: a reader that may traverse a version older than the copy's
            // base (and so reach pages that are holes in the new file) entered before it.
            remapStamp = readers.stamp();
        }
    }

    /**
     * Any thread: once every reader that entered before the last {@link #switchTo} has left, replaces the chunks
     * still mapped from the old file by mappings of the new one, and retires the old mappings (unmapped by
     * {@link #freeRetired()} once no reader can hold them).
     *
     * @return whether no chunk maps an old file any more.
     */
    public boolean remapIfDue() throws IOException
    {
        synchronized (chunkLock)
        {
            if (remapFrom == null)
            {
                return true;
            }
            if (!readers.hasElapsed(remapStamp))
            {
                return false;
            }
            final MemoryRegion[] c = chunks.clone();
            final ByteBuffer[] v = views.clone();
            // The old spans go whole: they lie within [0, remapChunks), as every chunk they back is mapped.
            final List<MemoryRegion> replaced = new ArrayList<>(Arrays.asList(spans));
            int together = 0;
            while (together < remapChunks && !resident[together])
            {
                together++;
            }
            MemoryRegion[] s = NO_SPANS;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
            {
                s = mapSpans(channel, together * CHUNK_BYTES, c);
                for (int chunk = 0; chunk < remapChunks; chunk++)
                {
                    if (!resident[chunk])
                    {
                        if (chunk >= spanChunks)
                        {
                            replaced.add(chunks[chunk]); // a mapping of its own
                        }
                        if (chunk >= together)
                        {
                            c[chunk] = MemoryRegion.mapReadOnly(channel, chunk * CHUNK_BYTES, (int)CHUNK_BYTES);
                        }
                        v[chunk] = view(c[chunk]);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                for (int chunk = together; chunk < remapChunks; chunk++)
                {
                    if (c[chunk] != chunks[chunk])
                    {
                        c[chunk].close(); // published nowhere
                    }
                }
                closeAll(s, 0, s.length);
                throw ex;
            }
            spans = s;
            spanChunks = together;
            views = v;
            chunks = c;
            final long stamp = readers.stamp();
            for (final MemoryRegion region : replaced)
            {
                retired.addLast(new Retired(region, stamp, true));
            }
            remapFrom = null;
            remapChunks = 0;
            return true;
        }
    }

    /** @return whether chunks still map the file of before the last switch. */
    public boolean remapPending()
    {
        synchronized (chunkLock)
        {
            return remapFrom != null;
        }
    }

    /**
     * Frees the direct buffers of retired chunks (resident chunks a checkpoint replaced by mappings), and unmaps the
     * retired mappings of an old file, that no reader can still hold. The caller is the writer, between two changes of
     * the index, or a thread that took and released the writer's lock after the chunks were retired: either way no
     * change of the index that could hold one of them is in flight, and every later one loads the new chunk table.
     *
     * @return the number of direct buffers freed.
     */
    public int freeRetired()
    {
        final List<Retired> free = new ArrayList<>();
        synchronized (chunkLock)
        {
            // Stamps only grow: the first whose grace has not elapsed ends the run.
            while (!retired.isEmpty() && readers.hasElapsed(retired.peekFirst().stamp))
            {
                free.add(retired.removeFirst());
            }
        }
        // Outside the lock: freeing the 4 MiB of a chunk takes a hundred microseconds or so, and on JDK 22 and later
        // a handshake with every thread of the JVM.
        int direct = 0;
        for (final Retired r : free)
        {
            r.region.close();
            direct += r.mapping ? 0 : 1;
        }
        synchronized (chunkLock)
        {
            directChunks -= direct;
            retiredDirect -= direct;
            freedChunks += direct;
        }
        return direct;
    }

    /** @return whether retired chunks wait for readers to leave before their direct buffers can be freed. */
    public boolean hasRetired()
    {
        synchronized (chunkLock)
        {
            return retiredDirect > 0;
        }
    }

    /** @return whether mappings of an old file wait for readers to leave before they are unmapped. */
    public boolean hasRetiredMappings()
    {
        synchronized (chunkLock)
        {
            return retired.size() > retiredDirect;
        }
    }

    /** @return the bytes of direct buffers the chunks hold: resident chunks and retired ones not yet freed. */
    public long directBytes()
    {
        return (long)directChunks * CHUNK_BYTES;
    }

    /**
     * @return the bytes of the file the chunks map (those not resident), O(chunks). Any thread, without a lock: a
     * checkpoint that maps chunks meanwhile may be seen half done; mappings of an old file that wait for readers are
     * not counted.
     */
    public long mappedBytes()
    {
        final MemoryRegion[] c = chunks;
        final boolean[] r = resident;
        long bytes = 0;
        for (int i = 0; i < Math.min(c.length, r.length); i++)
        {
            bytes += r[i] || c[i] == null ? 0 : c[i].length();
        }
        return bytes;
    }

    /** @return the number of chunks whose direct buffers were freed so far (retired ones, and all at close). */
    public long freedChunks()
    {
        return freedChunks;
    }

    /** Tests: whether the chunk of {@code page} is resident (not yet replaced by a mapping of the file). */
    boolean isResident(final int page)
    {
        return resident[page >>> CHUNK_SHIFT];
    }

    /** Tests: the bytes of resident chunks (off the heap, for pages not yet written by a checkpoint). */
    long residentBytes()
    {
        long bytes = 0;
        for (final boolean r : resident)
        {
            bytes += r ? CHUNK_BYTES : 0;
        }
        return bytes;
    }

    /**
     * Verification, by a reader: compares every page the file holds below {@code pages}, all sealed, with its CRC32C:
     * in a file written from a checkpoint, the pages its base root reaches below its dense start, then every page
     * from there; in {@code index.msi}, every page.
     *
     * @return the number of pages checked.
     * @throws CorruptStoreException at the first that does not match.
     */
    public long verifyPages(final int pages)
    {
        final IndexFileHeader h = header;
        final PageChecker checker = new PageChecker();
        long checked = 0;
        if (h.denseFrom > 1)
        {
            for (final int page : ReachablePages.of(this, h.baseRoot, pages, h.denseFrom, checker::check))
            {
                checker.check(page);
                checked++;
            }
        }
        for (int page = h.denseFrom; page < pages; page++)
        {
            checker.check(page);
            checked++;
        }
        return checked;
    }

    /** @return the file checkpoints write to (the newest generation). */
    public Path path()
    {
        return path;
    }

    /** @return the generation of the file checkpoints write to. */
    public long generation()
    {
        return header.generation;
    }

    /** @return the header of the file checkpoints write to. */
    public IndexFileHeader header()
    {
        return header;
    }

    /** @return the pages the file checkpoints write to holds (the others are holes), header included. */
    public long pagesHeld()
    {
        return pagesHeld;
    }

    /** @return the file system the file's writes go through. */
    public StoreFileSystem fileSystem()
    {
        return fs;
    }

    /** @return the store directory. */
    public Path directory()
    {
        return dir;
    }

    /** Tests: lowers the most page numbers the file hands out, to reach the limit without writing terabytes. */
    void limitPages(final int pages)
    {
        this.maxPages = pages;
    }

    /**
     * Releases every mapping, frees every direct buffer (the marks of the pages checked included) and, read-only,
     * releases the pin of the file. The caller guarantees no reader is left.
     */
    public void unmapAll()
    {
        synchronized (chunkLock)
        {
            final MemoryRegion[] c = chunks;
            closeAll(c, spanChunks, c.length); // a mapping or a resident region: both are released now
            closeAll(spans, 0, spans.length); // and the slices below spanChunks with them
            spans = NO_SPANS;
            spanChunks = 0;
            views = new ByteBuffer[0];
            chunks = new MemoryRegion[0];
            resident = new boolean[0];
            for (final Retired r : retired)
            {
                r.region.close();
            }
            retired.clear();
            retiredDirect = 0;
            remapFrom = null;
            freedChunks += directChunks;
            directChunks = 0;
            checkedAtOpen.close();
            if (pin != null)
            {
                try
                {
                    pin.close();
                }
                catch (final IOException ex)
                {
                    // the lock goes with the channel, which is closed either way
                }
                pin = null;
            }
        }
    }

    /**
     * The buffer of a chunk replaced by another (a resident buffer replaced by a mapping, or a mapping of an old file
     * replaced by one of the new file), and the grace-period stamp taken when it was replaced.
     */
    private static final class Retired
    {
        final MemoryRegion region;
        final long stamp;
        final boolean mapping;

        Retired(final MemoryRegion region, final long stamp, final boolean mapping)
        {
            this.region = region;
            this.stamp = stamp;
            this.mapping = mapping;
        }
    }

    private final class PageChecker
    {
        private final Checksum checksum = new Checksum();
        private MemoryRegion[] sources = new MemoryRegion[0];
        private ByteBuffer[] views = new ByteBuffer[0];

        void check(final int page)
        {
            final int chunk = page >>> CHUNK_SHIFT;
            final MemoryRegion[] c = chunks;
            if (chunk >= views.length)
            {
                views = Arrays.copyOf(views, c.length);
                sources = Arrays.copyOf(sources, c.length);
            }
            final ByteBuffer view;
            if (resident[chunk] || c != chunks)
            {
                // Not cached: a checkpoint replaces a resident chunk by a mapping, and a cached view would keep the
                // old buffer alive for as long as this thread lives. Only pages on disk at open are checked, once
                // each, and at most one chunk holding such pages is resident (the one the first free page is in). A
                // swap between reading the chunks and the flags also leaves this view uncached.
                view = view(c[chunk]);
            }
            else
            {
                if (sources[chunk] != c[chunk])
                {
                    sources[chunk] = c[chunk];
                    views[chunk] = view(c[chunk]);
                }
                view = views[chunk];
            }
            final int offset = pageOffset(page);
            final int stored = c[chunk].getInt(offset + CRC_OFFSET);
            final int actual = checksum.compute(view, offset + CHECKSUMMED_FROM, PAGE_SIZE - CHECKSUMMED_FROM);
            if (stored != actual)
            {
                throw new CorruptStoreException("index page " + page + " checksum mismatch", path,
                    (long)page * PAGE_SIZE, Checksum.unsigned(stored), Checksum.unsigned(actual));
            }
        }
    }
}
