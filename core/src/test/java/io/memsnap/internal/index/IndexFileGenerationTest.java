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
import java.util.Arrays;

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
    private static final int SOME = 3;
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
        index = HashIndex.create(file, IndexPlacement.DEFAULT);
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
        int watermark = checkpoint(1);
        putAll(1); // copies every bucket, the directory pages and the root: the old version is superseded
        watermark = checkpoint(watermark);
        putSome(2);
        watermark = checkpoint(watermark);
        final int lateRoot = index.rootPage(); // created just now, in the chunk still resident
        putSome(3);
        final int base = index.rootPage();
        final int baseWatermark = checkpoint(watermark);
        final int[] reached = ReachablePages.of(file, base, baseWatermark, baseWatermark);
        assertTrue(Arrays.binarySearch(reached, oldRoot) < 0 && Arrays.binarySearch(reached, lateRoot) < 0,
            "both roots are superseded: holes in the new file");
        assertTrue(file.isResident(lateRoot) && lateRoot >>> IndexFile.CHUNK_SHIFT ==
            baseWatermark >>> IndexFile.CHUNK_SHIFT, "the late root is in the chunk the base watermark falls in");

        final IndexFileHeader header = new IndexFileHeader(1, base, baseWatermark, reached.length);
        final IndexFileCopy copy = IndexFileCopy.start(StoreFileSystem.real(), dir, file.path(), header, reached, 64);
        while (!copy.step(baseWatermark))
        {
            // step by step, as the checkpoint thread does
        }
        copy.finish(baseWatermark);
        copy.close();

        final int token = readers.enter(); // a reader that may have loaded an old root
        file.switchTo(copy, copy.pagesHeld(baseWatermark), baseWatermark);
        assertEquals(1, file.generation());
        assertFalse(file.remapIfDue(), "a reader that entered before the switch holds the old mapping");
        putAll(4); // past the end of the late root's chunk, which a checkpoint would now map from the new file
        watermark = checkpoint(baseWatermark);
        assertTrue(watermark >>> IndexFile.CHUNK_SHIFT > lateRoot >>> IndexFile.CHUNK_SHIFT);
        assertTrue(file.isResident(lateRoot), "the chunk with pages the new file does not hold stays resident");
        assertEquals(TYPE_ROOT, typeOf(oldRoot), "the reader still reads the root superseded long ago");
        assertEquals(TYPE_ROOT, typeOf(lateRoot), "and the one superseded just before the base");
        readers.exit(token);
        assertTrue(file.remapIfDue(), "remapped once it left");
        assertTrue(file.hasRetiredMappings());
        assertEquals(0, typeOf(oldRoot), "the root superseded long ago is a hole of the new file");
        file.freeRetired();
        assertFalse(file.hasRetiredMappings(), "the old mappings are unmapped once no reader can hold them");
        putSome(5);
        final int last = checkpoint(watermark);
        assertFalse(file.isResident(lateRoot), "mapped from the new file by the next checkpoint");
        assertEquals(0, typeOf(lateRoot), "a hole too");

        for (int i = 0; i < KEYS; i += 7)
        {
            assertEquals(address(i, i < SOME ? 5 : 4), lookup(i), "key " + i + " through the new file");
        }
        assertEquals(last - baseWatermark + reached.length, file.verifyPages(last),
            "every page the new file holds, and no hole, is checked");
        final long allocated = io.memsnap.internal.fs.AllocatedBytes.of(file.path())[0];
        assertTrue(allocated < Files.size(file.path()), "sparse: " + allocated + " of " + Files.size(file.path()));

        final IndexFile reopened = IndexFile.open(StoreFileSystem.real(), dir, 1, last, true);
        try
        {
            final HashIndex read = HashIndex.open(reopened, index.placement(), index.rootPage(), last);
            for (int i = 0; i < KEYS; i += 5)
            {
                assertEquals(address(i, i < SOME ? 5 : 4), read.lookup(hash(i), new HashIndexTest.Key(i), NS,
                    MATCHER));
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

    /** Puts the first {@value #SOME} keys: a few pages. */
    private void putSome(final long version)
    {
        for (int i = 0; i < SOME; i++)
        {
            put(i, version);
        }
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
