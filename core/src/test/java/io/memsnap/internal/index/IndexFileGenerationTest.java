package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.StoreFullException;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.memsnap.internal.format.IndexPageDescriptor.*;
import static io.memsnap.internal.index.HashIndexTest.address;
import static io.memsnap.internal.index.HashIndexTest.hash;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A new index file generation, written from a checkpoint with only the pages its root reaches (and every page from
 * the chunk of its watermark on) at the same page numbers, serves the index from then on, while a reader that entered
 * before the switch (and may traverse an older version, whose superseded pages are holes in the new file) keeps
 * reading the old file's mapping until it leaves; page numbers stop at their limit with {@link StoreFullException}.
 *
 * <p>Keys and addresses as in {@link HashIndexTest}.
 */
class IndexFileGenerationTest
{
    private static final int KEYS = 300_000;
    private static final long NS = 0;
    private static final KeyMatcher MATCHER = (address, key, namespace) ->
        (address >>> 20) - 1 == ((HashIndexTest.Key)key).n;

    @TempDir
    Path dir;

    private final ReaderGuard readers = new ReaderGuard();
    private IndexFile file;
    private HashIndex index;

    @BeforeEach
    void create() throws IOException
    {
        file = IndexFile.create(StoreFileSystem.real(), dir);
        file.limitResident(1L << 30, readers);
        index = HashIndex.create(file);
    }

    @AfterEach
    void unmap()
    {
        file.unmapAll();
    }

    @Test
    void aReaderThatEnteredBeforeTheSwitchReadsTheOldFileUntilItLeaves() throws IOException
    {
        putAll(0);
        final int oldRoot = index.rootPage();
        final int watermark = checkpoint(1);
        putAll(1); // copies every bucket, the directory pages and the root: the old version is superseded
        final int base = index.rootPage();
        final int baseWatermark = checkpoint(watermark);
        final int denseFrom = (baseWatermark >>> IndexFile.CHUNK_SHIFT) << IndexFile.CHUNK_SHIFT;
        final int[] reached = ReachablePages.of(file, base, baseWatermark, denseFrom);
        assertTrue(oldRoot < denseFrom && java.util.Arrays.binarySearch(reached, oldRoot) < 0,
            "the old root is superseded, below the dense part: a hole in the new file");

        final IndexFileHeader header = new IndexFileHeader(1, base, denseFrom, reached.length);
        final IndexFileCopy copy = IndexFileCopy.start(StoreFileSystem.real(), dir, file.path(), header, reached, 64);
        while (!copy.step(baseWatermark))
        {
            // step by step, as the checkpoint thread does
        }
        copy.finish(baseWatermark);
        copy.close();

        final int token = readers.enter(); // a reader that may have loaded the old root
        file.switchTo(copy, copy.pagesHeld(baseWatermark), baseWatermark);
        assertEquals(1, file.generation());
        assertFalse(file.remapIfDue(), "a reader that entered before the switch holds the old mapping");
        assertEquals(TYPE_ROOT, typeOf(oldRoot), "it still reads the superseded root");
        readers.exit(token);
        assertTrue(file.remapIfDue(), "remapped once it left");
        assertTrue(file.hasRetiredMappings());
        assertEquals(0, typeOf(oldRoot), "the superseded root is a hole of the new file");
        file.freeRetired();
        assertFalse(file.hasRetiredMappings(), "the old mappings are unmapped once no reader can hold them");

        for (int i = 0; i < KEYS; i += 7)
        {
            assertEquals(address(i, 1), lookup(i), "key " + i + " through the new file");
        }
        putAll(2);
        final int last = checkpoint(baseWatermark);
        assertEquals(last - denseFrom + reached.length, file.verifyPages(last),
            "every page the new file holds, and no hole, is checked");
        final long allocated = io.memsnap.internal.fs.AllocatedBytes.of(file.path())[0];
        assertTrue(allocated < Files.size(file.path()), "sparse: " + allocated + " of " + Files.size(file.path()));

        final IndexFile reopened = IndexFile.open(StoreFileSystem.real(), dir, 1, last, true);
        try
        {
            final HashIndex read = HashIndex.open(reopened, index.rootPage(), last);
            for (int i = 0; i < KEYS; i += 5)
            {
                assertEquals(address(i, 2), read.lookup(hash(i), new HashIndexTest.Key(i), NS, MATCHER));
            }
            assertThrows(CorruptStoreException.class, () -> reopened.checkPage(oldRoot, TYPE_ROOT),
                "a hole reached through a damaged pointer reads as damage");
        }
        finally
        {
            reopened.unmapAll();
        }
        assertThrows(CorruptStoreException.class,
            () -> IndexFile.open(StoreFileSystem.real(), dir, 2, last, false), "a generation that is missing");
        Files.copy(file.path(), dir.resolve(IndexPageDescriptor.fileName(3)));
        assertThrows(CorruptStoreException.class,
            () -> IndexFile.open(StoreFileSystem.real(), dir, 3, last, false), "a header of another generation");
    }

    @Test
    void pageNumbersStopAtTheirLimitAndNothingChanges()
    {
        file.limitPages(4 * IndexFile.CHUNK_PAGES);
        int written = 0;
        final StoreFullException full = assertThrows(StoreFullException.class, () ->
        {
            for (int i = 0; i < KEYS; i++)
            {
                assertTrue(index.tryReserveChange());
                put(i, 0);
            }
        });
        assertTrue(full.getMessage().contains("export"), full.getMessage());
        final int next = file.nextPage();
        for (int i = 0; i < KEYS; i++)
        {
            if (lookup(i) == 0)
            {
                break;
            }
            written++;
        }
        assertTrue(written > 0 && next <= 4 * IndexFile.CHUNK_PAGES, written + " keys in " + next + " pages");
        assertEquals(address(0, 0), lookup(0), "the index stays usable");
    }

    private void putAll(final long version)
    {
        for (int i = 0; i < KEYS; i++)
        {
            put(i, version);
        }
    }

    private void put(final long n, final long version)
    {
        final HashIndexTest.Key key = new HashIndexTest.Key(n);
        final int bucket = index.prepare(hash(n), key, NS, MATCHER);
        index.put(bucket, hash(n), key, NS, MATCHER, address(n, version));
    }

    private long lookup(final long n)
    {
        return index.lookup(hash(n), new HashIndexTest.Key(n), NS, MATCHER);
    }

    /** Freezes and checkpoints the pages since {@code from}. @return the watermark. */
    private int checkpoint(final int from) throws IOException
    {
        index.freeze();
        final int watermark = index.frozenWatermark();
        file.checkpoint(from, watermark, 64, () -> { });
        return watermark;
    }

    private byte typeOf(final int page)
    {
        return file.buffer(page).getByte(IndexFile.pageOffset(page) + TYPE_OFFSET);
    }
}
