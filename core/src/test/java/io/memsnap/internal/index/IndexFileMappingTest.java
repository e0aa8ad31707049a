package io.memsnap.internal.index;

import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.memsnap.internal.format.IndexPageDescriptor.*;
import static io.memsnap.internal.index.HashIndexTest.address;
import static io.memsnap.internal.index.HashIndexTest.hash;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An open maps the chunks of the index file it reads together, {@value IndexFile#SPAN_CHUNKS} chunks to a mapping:
 * page numbers only grow over a store's life, so the file's length is the store's history rather than its index, and
 * one mapping per 4 MiB chunk made the open (and the close) of a large store thousands of system calls. Checked for a
 * writer's and a read-only open of a file of {@value #CHUNKS} chunks, most of it a hole: three mappings each, every
 * page number reading its own bytes of the file (a marker at the edges of each span), and every key found; and what
 * an open allocates off the heap is freed by {@link IndexFile#unmapAll()}.
 */
class IndexFileMappingTest
{
    private static final int CHUNKS = 600;
    private static final int KEYS = 20_000;
    private static final int MARKER_OFFSET = 64;

    @TempDir
    Path dir;

    @Test
    void anOpenMapsTheFileInSpansOfChunks() throws IOException
    {
        final int root = writeKeysAndLengthen();
        final int pages = CHUNKS * IndexFile.CHUNK_PAGES;
        for (final boolean readOnly : new boolean[] {false, true})
        {
            final long mappingsBefore = mappedBuffers();
            final IndexFile file = IndexFile.open(StoreFileSystem.real(), dir, 0, pages, readOnly);
            try
            {
                final long mappings = mappedBuffers() - mappingsBefore;
                assertTrue(mappings <= 3, mappings + " mappings for " + CHUNKS + " chunks of 4 MiB, where spans of " +
                    "1 GiB need 3 (read-only " + readOnly + ")");
                for (final int page : markedPages())
                {
                    assertEquals(page, file.buffer(page).getLong(IndexFile.pageOffset(page) + MARKER_OFFSET),
                        "page " + page + " reads its own bytes (read-only " + readOnly + ")");
                }
                final HashIndex index = HashIndex.open(file, IndexPlacement.DEFAULT, root, pages);
                for (int i = 0; i < KEYS; i++)
                {
                    assertEquals(address(i, 0), index.lookup(hash(i), new HashIndexTest.Key(i), 0,
                        (address, key, namespace) -> (address >>> 20) - 1 == ((HashIndexTest.Key)key).n));
                }
            }
            finally
            {
                file.unmapAll();
            }
        }
    }

    /**
     * What an open allocates off the heap (a bit for each page on disk at open, which the first read of the page
     * checks against its CRC32C, and the writer's resident chunk) is freed by {@link IndexFile#unmapAll()}, not left
     * to the garbage collector: a process that opens and closes stores without allocating, or with
     * {@code -XX:+DisableExplicitGC}, would otherwise run out of direct memory. The JVM's direct buffer pool counts
     * that memory in the {@code java.nio} version of {@link MemoryRegion} only (an arena's memory is not a buffer's);
     * in the other, the mappings are seen closed.
     */
    @Test
    void unmapAllFreesWhatTheOpenAllocated() throws IOException
    {
        writeKeysAndLengthen();
        final int pages = CHUNKS * IndexFile.CHUNK_PAGES;
        final boolean counted = MemoryRegion.implementation().equals("java.nio");
        for (final boolean readOnly : new boolean[] {false, true})
        {
            final long before = pool("direct").getMemoryUsed();
            final IndexFile file = IndexFile.open(StoreFileSystem.real(), dir, 0, pages, readOnly);
            if (counted)
            {
                assertTrue(pool("direct").getMemoryUsed() >= before + pages / Byte.SIZE, "a bit a page");
            }
            final MemoryRegion last = file.buffer(pages - 1);
            file.unmapAll();
            assertEquals(before, pool("direct").getMemoryUsed(), "read-only " + readOnly);
            // The java.nio version's slice does not see its span's close; a slice of a segment does.
            assertTrue(counted || last.isClosed(), "the spans are unmapped (read-only " + readOnly + ")");
        }
    }

    /**
     * Writes {@value #KEYS} keys and checkpoints them, then lengthens the file to {@value #CHUNKS} chunks with a hole
     * and writes the page number into pages at the edges of each span, as markers.
     *
     * @return the root page of the checkpoint.
     */
    private int writeKeysAndLengthen() throws IOException
    {
        final IndexFile file = IndexFile.create(StoreFileSystem.real(), dir);
        final int root;
        try
        {
            final HashIndex index = HashIndex.create(file, IndexPlacement.DEFAULT);
            final HashIndexTest.Key key = new HashIndexTest.Key();
            final KeyMatcher never = (address, k, namespace) -> false;
            for (int i = 0; i < KEYS; i++)
            {
                key.n = i;
                final int bucket = index.prepare(hash(i), key, 0, never);
                index.put(bucket, hash(i), key, 0, never, address(i, 0));
            }
            root = index.freeze();
            file.checkpoint(1, index.frozenWatermark(), 1024, () -> { });
        }
        finally
        {
            file.unmapAll();
        }
        try (FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.WRITE))
        {
            final ByteBuffer marker = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (final int page : markedPages())
            {
                marker.clear();
                marker.putLong(0, page);
                channel.write(marker, (long)page * PAGE_SIZE + MARKER_OFFSET);
            }
            channel.write(ByteBuffer.allocate(1), (long)CHUNKS * IndexFile.CHUNK_BYTES - 1); // the length: a hole
        }
        return root;
    }

    /** @return pages at the edges of each span and of the file, past the pages the keys take. */
    private static int[] markedPages()
    {
        final int spanPages = IndexFile.SPAN_CHUNKS * IndexFile.CHUNK_PAGES;
        return new int[] {spanPages - 1, spanPages, 2 * spanPages - 1, 2 * spanPages, 2 * spanPages + 1,
            CHUNKS * IndexFile.CHUNK_PAGES - 1};
    }

    private static long mappedBuffers()
    {
        return pool("mapped").getCount();
    }

    private static BufferPoolMXBean pool(final String name)
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals(name))
            {
                return pool;
            }
        }
        throw new AssertionError("no buffer pool " + name);
    }
}
