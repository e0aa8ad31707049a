package io.memsnap.internal.index;

import io.memsnap.StoreFullException;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.memsnap.internal.format.IndexPageDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves the copy-on-write extendible hash on its own, over a real {@link IndexFile}: it keeps every key through
 * thousands of splits and directory doublings past the single-page directory (depth 9); it compacts a bucket of
 * tombstones instead of splitting it; a frozen version (root and watermark) reads the old values, byte for byte
 * untouched, while the live version moves on; {@code forEach} visits each live key exactly once, also while a
 * writer splits buckets on another thread and over a directory caught half-way through a split; and keys that share
 * one 64-bit hash fill a bucket and then fail with {@link StoreFullException} instead of splitting forever, leaving
 * the index usable.
 *
 * <p>Keys are numbers; a record address is {@code (n + 1) << 20 | version}, so the matcher needs no records.
 */
class HashIndexTest
{
    private static final int VERSION_BITS = 20;
    private static final long NS = 0;
    private static final KeyMatcher MATCHER = (address, key, namespace) ->
        (address >>> VERSION_BITS) - 1 == ((Key)key).n;

    @TempDir
    Path dir;

    IndexFile file;
    HashIndex index;
    private final Key key = new Key();
    private long probe;

    @BeforeEach
    void create() throws IOException
    {
        file = IndexFile.create(io.memsnap.internal.fs.StoreFileSystem.real(), dir);
        index = HashIndex.create(file, placement());
    }

    @AfterEach
    void unmap()
    {
        file.unmapAll();
    }

    @Test
    void manyKeysSplitPastTheSinglePageDirectoryAndAllStayFindable()
    {
        final int n = 300_000;
        for (int i = 0; i < n; i++)
        {
            assertEquals(0, put(hash(i), i, 0), "new key " + i);
        }
        assertTrue(globalDepth(index) >= 10, "depth " + globalDepth(index) + ": the directory must span pages");
        assertEquals(1 << (globalDepth(index) - FANOUT_SHIFT), directoryPages(index));

        for (int i = 0; i < n; i += 3)
        {
            assertEquals(address(i, 0), put(hash(i), i, 1), "overwrite returns the previous address");
        }
        for (int i = 0; i < n; i += 5)
        {
            assertEquals(address(i, i % 3 == 0 ? 1 : 0), remove(hash(i), i));
        }
        assertEquals(0, remove(hash(5), 5), "removing twice finds nothing");

        final BitSet live = new BitSet();
        for (int i = 0; i < n; i++)
        {
            final long expected = i % 5 == 0 ? 0 : address(i, i % 3 == 0 ? 1 : 0);
            assertEquals(expected, lookup(index, i), "key " + i);
            if (expected != 0)
            {
                live.set(i);
            }
        }
        for (int i = n; i < n + 20_000; i++)
        {
            assertEquals(0, lookup(index, i), "absent key " + i);
        }
        assertEquals(live, visitOnce(index));
    }

    /**
     * Pages live in memory of the process until a checkpoint writes them; the checkpoint writes exactly the pages of
     * the frozen version to the file, then replaces every chunk it completed by a read-only mapping, so what stays
     * resident is the chunk being filled, not the index; lookups read the same through the mapping.
     */
    @Test
    void aCheckpointWritesTheFrozenPagesAndMapsTheChunksItCompleted() throws IOException
    {
        final int n = 600_000;
        for (int i = 0; i < n; i++)
        {
            put(hash(i), i, 0);
        }
        assertEquals(0, java.nio.file.Files.size(dir.resolve(FILE_NAME)) - PAGE_SIZE, "nothing written but the header");
        index.freeze();
        final int watermark = index.frozenWatermark();
        assertTrue(watermark > 3 * IndexFile.CHUNK_PAGES, "the index spans chunks: " + watermark + " pages");
        assertTrue(file.residentBytes() >= (long)(watermark >>> IndexFile.CHUNK_SHIFT) * IndexFile.CHUNK_BYTES);

        final int[] steps = new int[1];
        file.checkpoint(1, watermark, 64, () -> steps[0]++);
        assertEquals((watermark - 1 + 63) / 64, steps[0], "one step per 64 pages");
        assertEquals((long)watermark * PAGE_SIZE, java.nio.file.Files.size(dir.resolve(FILE_NAME)));
        for (int page = 1; page < watermark; page++)
        {
            assertEquals(page >= (watermark & -IndexFile.CHUNK_PAGES), file.isResident(page), "page " + page +
                ": only the chunk still being filled stays in memory");
        }
        assertTrue(file.residentBytes() <= 3 * IndexFile.CHUNK_BYTES, "the chunk being filled and the writer's " +
            "reserve for one split: " + file.residentBytes());
        final byte[] inMemory = copyPages(1, watermark);
        final byte[] onDisk = new byte[inMemory.length];
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(FILE_NAME)))
        {
            final java.nio.ByteBuffer into = java.nio.ByteBuffer.wrap(onDisk);
            while (into.hasRemaining() && ch.read(into, PAGE_SIZE + into.position()) >= 0)
            {
                // the written pages
            }
        }
        assertArrayEquals(inMemory, onDisk, "the file holds the sealed pages byte for byte");
        assertEquals(watermark - 1, file.verifyPages(watermark));
        for (int i = 0; i < n; i += 7)
        {
            assertEquals(address(i, 0), lookup(index, i), "key " + i + " through the mapping");
        }
        for (int i = 0; i < n; i += 11)
        {
            assertEquals(address(i, 0), put(hash(i), i, 1), "copy-on-write from mapped pages");
        }
        for (int i = 0; i < n; i += 11)
        {
            assertEquals(address(i, 1), lookup(index, i));
        }
    }

    /**
     * The direct buffer of a chunk a checkpoint replaced by a mapping is freed explicitly, but only once no reader
     * that entered before the swap is left: a reader inside still reads its bytes (the same as the file's).
     */
    @Test
    void aReplacedChunkIsFreedOnlyOnceTheReadersThatMayHoldItHaveLeft() throws IOException
    {
        final ReaderGuard readers = new ReaderGuard();
        file.limitResident(1L << 30, readers);
        for (int i = 0; i < 600_000; i++)
        {
            put(hash(i), i, 0);
        }
        index.freeze();
        final int watermark = index.frozenWatermark();
        final int token = readers.enter();
        final MemoryRegion held = file.buffer(1); // loaded by a reader before the swap
        final byte[] page = new byte[PAGE_SIZE];
        held.getBytes(IndexFile.pageOffset(1), page, 0, PAGE_SIZE);
        final long before = file.directBytes();

        file.checkpoint(1, watermark, 64, () -> { });
        assertFalse(file.isResident(1));
        assertTrue(file.hasRetired());
        assertEquals(0, file.freeRetired(), "a reader that may hold the replaced chunks is inside");
        assertEquals(before, file.directBytes());
        final byte[] stillThere = new byte[PAGE_SIZE];
        held.getBytes(IndexFile.pageOffset(1), stillThere, 0, PAGE_SIZE);
        final byte[] mapped = new byte[PAGE_SIZE];
        file.buffer(1).getBytes(IndexFile.pageOffset(1), mapped, 0, PAGE_SIZE);
        assertArrayEquals(mapped, stillThere, "the reader's chunk reads as the file does (the CRC sealed in both)");

        readers.exit(token);
        final int whole = watermark >>> IndexFile.CHUNK_SHIFT;
        assertEquals(whole, file.freeRetired(), "every replaced chunk is freed once the reader left");
        assertFalse(file.hasRetired());
        assertEquals(before - whole * IndexFile.CHUNK_BYTES, file.directBytes());
        assertEquals(whole, file.freedChunks());
        if (MemoryRegion.implementation().equals("java.lang.foreign"))
        {
            // On JDK 17 to 21 the read would be of freed memory; the other version fails it in the reader's thread.
            assertThrows(IllegalStateException.class, () -> held.getLong(IndexFile.pageOffset(1)));
        }
        for (int i = 0; i < 600_000; i += 7)
        {
            assertEquals(address(i, 0), lookup(index, i), "key " + i);
        }
    }

    /**
     * The resident limit counts the chunks being filled and the replaced ones not yet freed: the writer is refused a
     * chunk past it (nothing changes), and gets it once a checkpoint wrote the pages and the readers left.
     */
    @Test
    void theResidentLimitRefusesGrowthUntilACheckpointAndTheReadersFreeRoom() throws IOException
    {
        final ReaderGuard readers = new ReaderGuard();
        final long limit = IndexFile.MIN_DIRECT_BYTES;
        file.limitResident(limit, readers);
        int n = 0;
        while (index.tryReserveChange())
        {
            assertTrue(file.directBytes() <= limit, file.directBytes() + " bytes");
            put(hash(n), n, 0);
            n++;
            assertTrue(n < 2_000_000, "never refused");
        }
        final int nextPage = file.nextPage();
        assertThrows(IllegalStateException.class, () -> file.ensureCapacity(2 * IndexFile.CHUNK_PAGES));
        assertEquals(nextPage, file.nextPage(), "a refusal changes nothing");
        assertTrue(file.directBytes() <= limit);

        final int token = readers.enter();
        index.freeze();
        file.checkpoint(1, index.frozenWatermark(), 64, () -> { });
        assertFalse(index.tryReserveChange(), "the replaced chunks still count while a reader may hold them");
        readers.exit(token);
        assertTrue(index.tryReserveChange(), "room once they are freed");
        put(hash(n), n, 0);
        for (int i = 0; i <= n; i += 5)
        {
            assertEquals(address(i, 0), lookup(index, i), "key " + i);
        }
    }

    @Test
    void aFullBucketOfTombstonesIsCompactedNotSplit()
    {
        // 254 keys, 200 of them removed (removals keep their slot as a tombstone), and one more key. With slots in
        // the order keys came, the removals come first, while the bucket has room, and the last key still takes the
        // last slot; a probed bucket would give it a tombstone's slot, so there the last key comes before the
        // removals.
        final boolean probed = IndexPlacement.isProbed(placement());
        for (int i = 0; i < BUCKET_SLOTS - 1; i++)
        {
            put(hash(i), i, 0);
        }
        if (probed)
        {
            put(hash(999), 999, 0);
        }
        for (int i = 0; i < 200; i++)
        {
            remove(hash(i), i);
        }
        if (!probed)
        {
            put(hash(999), 999, 0);
        }
        assertEquals(0, globalDepth(index), "255 slots fit the first bucket");
        final int before = bucketPage(index, 0);
        assertEquals(BUCKET_SLOTS, bucketCount(before), "removals leave tombstones");
        final int frozenRoot = index.freeze();
        final int watermark = index.frozenWatermark();

        put(hash(1000), 1000, 0);

        assertEquals(0, globalDepth(index), "compacted, not split");
        final int after = bucketPage(index, 0);
        assertNotEquals(before, after);
        assertEquals(BUCKET_SLOTS - 1 - 200 + 2, bucketCount(after), "54 survivors, 999 and 1000");
        assertEquals(BUCKET_SLOTS, bucketCount(before), "the frozen bucket is not touched");
        final HashIndex frozen = HashIndex.open(file, placement(), frozenRoot, watermark);
        for (int i = 0; i < BUCKET_SLOTS - 1; i++)
        {
            final long expected = i < 200 ? 0 : address(i, 0);
            assertEquals(expected, lookup(index, i), "live key " + i);
            assertEquals(expected, lookup(frozen, i), "frozen key " + i);
        }
        assertEquals(address(999, 0), lookup(frozen, 999));
        assertEquals(address(1000, 0), lookup(index, 1000));
        assertEquals(0, lookup(frozen, 1000));

        // Few tombstones: a full bucket splits instead.
        for (int i = 2000; bucketCount(bucketPage(index, 0)) < BUCKET_SLOTS; i++)
        {
            put(hash(i), i, 0);
        }
        remove(hash(1000), 1000);
        put(hash(5000), 5000, 0);
        assertEquals(1, globalDepth(index), "a bucket with 254 of 255 slots live splits");
    }

    @Test
    void aFrozenVersionKeepsItsValuesAndItsPagesWhileTheLiveOneChanges()
    {
        final int first = 60_000;
        for (int i = 0; i < first; i++)
        {
            put(hash(i), i, 0);
        }
        final int root1 = index.freeze();
        final int watermark1 = index.frozenWatermark();
        final byte[] pages1 = copyPages(1, watermark1);
        assertTrue(globalDepth(index) < 10, "the next writes must double the directory past one page");

        for (int i = 0; i < first; i++)
        {
            put(hash(i), i, 1);
        }
        for (int i = 0; i < first; i += 4)
        {
            remove(hash(i), i);
        }
        final int second = 200_000;
        for (int i = first; i < second; i++)
        {
            put(hash(i), i, 0);
        }
        assertTrue(globalDepth(index) >= 10, "depth " + globalDepth(index));
        final int root2 = index.freeze();
        final int watermark2 = index.frozenWatermark();
        final byte[] pages2 = copyPages(1, watermark2);

        for (int i = 0; i < second; i += 2)
        {
            put(hash(i), i, 2);
        }
        for (int i = second; i < second + 60_000; i++)
        {
            put(hash(i), i, 0);
        }

        assertArrayEquals(pages1, copyPages(1, watermark1), "a page below the first watermark changed");
        assertArrayEquals(pages2, copyPages(1, watermark2), "a page below the second watermark changed");

        final HashIndex frozen1 = HashIndex.open(file, placement(), root1, watermark1);
        final HashIndex frozen2 = HashIndex.open(file, placement(), root2, watermark2);
        final BitSet keys1 = new BitSet();
        final BitSet keys2 = new BitSet();
        for (int i = 0; i < second + 60_000; i++)
        {
            final long v1 = i < first ? address(i, 0) : 0;
            final long v2 = i < first ? (i % 4 == 0 ? 0 : address(i, 1)) : i < second ? address(i, 0) : 0;
            final long live = i < second && i % 2 == 0 ? address(i, 2) : i < first ? address(i, 1) : address(i, 0);
            assertEquals(v1, lookup(frozen1, i), "first frozen version, key " + i);
            assertEquals(v2, lookup(frozen2, i), "second frozen version, key " + i);
            assertEquals(live, lookup(index, i), "live version, key " + i);
            if (v1 != 0)
            {
                keys1.set(i);
            }
            if (v2 != 0)
            {
                keys2.set(i);
            }
        }
        assertEquals(keys1, visitOnce(frozen1));
        assertEquals(keys2, visitOnce(frozen2));
    }

    @Test
    void forEachOverADirectoryCaughtHalfWayThroughASplitVisitsEachKeyOnce()
    {
        // Even positions with bit 1 clear drive the global depth to 3 and leave the odd half in one bucket of
        // local depth 1, named by directory entries 1, 3, 5 and 7.
        long next = 0;
        for (int i = 0; i < BUCKET_SLOTS + 45; i++)
        {
            put(hashAt(3, 0), next++, 0);
        }
        assertEquals(3, globalDepth(index));
        final int odd = bucketPage(index, 1);
        assertEquals(1, bucketDepth(odd));
        while (bucketCount(odd) < BUCKET_SLOTS)
        {
            put(hashAt(1, 1), next++, 0);
        }

        // One more odd key, whose position's bit 1 is clear, splits the odd bucket: relink points entries 1 and 5 at the
        // new bucket of ...01 and entries 3 and 7 at that of ...11, one release store after the other.
        put(hashAt(3, 1), next++, 0);
        final int zero = bucketPage(index, 1);
        final int one = bucketPage(index, 3);
        assertNotEquals(odd, zero);
        assertNotEquals(odd, one);
        assertEquals(2, bucketDepth(zero));

        // A reader may see the directory between those stores: entry 1 already new, entries 3, 5, 7 still old.
        setBucketPage(index, 3, odd);
        setBucketPage(index, 5, odd);
        setBucketPage(index, 7, odd);

        final BitSet all = new BitSet();
        all.set(0, (int)next);
        assertEquals(all, visitOnce(index));
        for (int i = 0; i < next - 1; i++)
        {
            assertNotEquals(0, lookupAnyHash(index, i), "key " + i + ", written before the split");
        }
    }

    @Test
    void forEachVisitsEachKeyOnceWhileAWriterSplitsAndFreezes() throws Exception
    {
        final int stable = 50_000;
        final int added = 250_000;
        for (int i = 0; i < stable; i++)
        {
            put(hash(i), i, 0);
        }
        final AtomicBoolean writing = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong passes = new AtomicLong();
        final AtomicLong lookups = new AtomicLong();
        final CountDownLatch started = new CountDownLatch(2);
        final List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++)
        {
            final int seed = r;
            readers.add(new Thread(() ->
            {
                final Key readerKey = new Key();
                final SplittableRandom random = new SplittableRandom(seed);
                final BitSet seen = new BitSet(stable + added);
                started.countDown();
                try
                {
                    do
                    {
                        seen.clear();
                        index.forEach((hash, address) ->
                        {
                            final long n = (address >>> VERSION_BITS) - 1;
                            if (hash != hash(n))
                            {
                                throw new AssertionError("slot of key " + n + " holds hash " + hash);
                            }
                            if (seen.get((int)n))
                            {
                                throw new AssertionError("forEach visited key " + n + " twice in one pass");
                            }
                            seen.set((int)n);
                        });
                        final int missing = seen.nextClearBit(0);
                        if (missing < stable)
                        {
                            throw new AssertionError("forEach missed key " + missing + ", present throughout");
                        }
                        passes.incrementAndGet();
                        for (int i = 0; i < 2_000; i++)
                        {
                            readerKey.n = random.nextInt(stable);
                            final long address = index.lookup(hash(readerKey.n), readerKey, NS, MATCHER);
                            if ((address >>> VERSION_BITS) - 1 != readerKey.n)
                            {
                                throw new AssertionError("lookup of key " + readerKey.n + " gave " + address);
                            }
                        }
                        lookups.addAndGet(2_000);
                    }
                    while (writing.get());
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "index-reader-" + r));
        }
        readers.forEach(Thread::start);
        started.await();
        final int depthBefore = globalDepth(index);
        try
        {
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = stable; i < stable + added && failure.get() == null; i++)
            {
                put(hash(i), i, 0);
                final int s = random.nextInt(stable);
                put(hash(s), s, 1 + (i & 0xFFFF));
                if (i % 3 == 0 && i - 100 >= stable)
                {
                    remove(hash(i - 100), i - 100);
                }
                if (i % 20_000 == 0)
                {
                    index.freeze();
                }
            }
        }
        finally
        {
            writing.set(false);
            for (final Thread t : readers)
            {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        for (final Thread t : readers)
        {
            assertFalse(t.isAlive(), t.getName() + " did not finish");
        }
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        assertTrue(globalDepth(index) > depthBefore + 1, "the writer must have doubled the directory");
        assertTrue(passes.get() >= 2 && lookups.get() > 0, "forEach passes: " + passes.get());
    }

    @Test
    void keysSharingOneHashFillABucketThenFailWithStoreFullAndLeaveTheIndexUsable()
    {
        final long hash = 0x1234_5678_9ABC_DEF0L;
        for (int i = 0; i < BUCKET_SLOTS; i++)
        {
            assertEquals(0, put(hash, i, 0), "colliding key " + i);
        }
        for (int i = 0; i < BUCKET_SLOTS; i++)
        {
            assertEquals(address(i, 0), lookupHash(index, hash, i), "colliding key " + i);
        }

        assertTimeoutPreemptively(Duration.ofSeconds(20),
            () -> assertThrows(StoreFullException.class, () -> put(hash, BUCKET_SLOTS, 0)),
            "a bucket whose keys share every bit must stop splitting at MAX_DEPTH");
        assertEquals(MAX_DEPTH, globalDepth(index));
        assertThrows(StoreFullException.class, () -> put(hash, BUCKET_SLOTS, 0), "and again, the same way");
        assertEquals(0, lookupHash(index, hash, BUCKET_SLOTS), "the refused key is not there");

        // Still usable: the colliding keys are found, updated and removed; other keys come and go.
        for (int i = 0; i < BUCKET_SLOTS; i++)
        {
            assertEquals(address(i, 0), lookupHash(index, hash, i), "colliding key " + i);
        }
        for (int i = 1000; i < 21_000; i++)
        {
            put(hash(i), i, 0);
        }
        assertEquals(address(7, 0), put(hash, 7, 1), "an existing key of a full deepest bucket can be updated");
        assertEquals(address(7, 1), lookupHash(index, hash, 7));
        assertEquals(address(8, 0), remove(hash, 8), "and removed");
        assertEquals(0, lookupHash(index, hash, 8));
        assertEquals(0, put(hash, BUCKET_SLOTS, 0), "the freed slot takes a new colliding key");
        assertEquals(address(BUCKET_SLOTS, 0), lookupHash(index, hash, BUCKET_SLOTS));
        assertThrows(StoreFullException.class, () -> put(hash, BUCKET_SLOTS + 1, 0));

        final BitSet expected = new BitSet();
        expected.set(0, BUCKET_SLOTS + 1);
        expected.clear(8);
        expected.set(1000, 21_000);
        final BitSet seen = new BitSet();
        index.forEach((h, address) ->
        {
            final int n = (int)((address >>> VERSION_BITS) - 1);
            assertFalse(seen.get(n), "visited twice: " + n);
            seen.set(n);
        });
        assertEquals(expected, seen);
    }

    /**
     * The current version reaches exactly the pages its keys need, however many versions were frozen (and their
     * pages copied) on the way: one bucket for each part of the coarsest partition of the keys by their low hash bits
     * in which no part holds more than {@value io.memsnap.internal.format.IndexPageDescriptor#BUCKET_SLOTS} keys
     * (counted here from the hashes alone), the directory pages of the deepest part's depth and the root. The index's
     * bytes per key are therefore set by the key count and the hash, not by the writer: superseded copies, empty
     * halves beyond the partition's and extra directory pages would all show here.
     */
    @Test
    void theCurrentVersionReachesOnlyThePagesItsKeysNeed()
    {
        final int n = 400_000;
        for (int i = 0; i < n; i++)
        {
            put(hash(i), i, 0);
            if (i % 50_000 == 49_999)
            {
                index.freeze();
                for (int k = 0; k < i; k += 97)
                {
                    put(hash(k), k, 1); // copies the frozen buckets, directory pages and root it changes
                }
            }
        }
        final long[] positions = new long[n];
        for (int i = 0; i < n; i++)
        {
            positions[i] = Integer.reverse(index.position(hash(i))) & 0xFFFF_FFFFL; // the low bits first
        }
        java.util.Arrays.sort(positions);
        final int[] needed = new int[2]; // buckets, deepest depth
        partition(positions, 0, n, 0, 0, needed);

        final int[] reached = ReachablePages.of(file, index.rootPage(), file.nextPage(), Integer.MAX_VALUE);
        assertEquals(needed[1], globalDepth(index), "the directory is as deep as the deepest bucket");
        final int directoryPages = Math.max(1, (1 << needed[1]) >>> FANOUT_SHIFT);
        assertEquals(1 + directoryPages + needed[0], reached.length, "root, directory pages and " + needed[0] +
            " buckets");
        assertTrue(file.nextPage() > 2 * reached.length, "the copies are in the file (" + file.nextPage() +
            " pages) but not reached");
        assertEquals(n, visitOnce(index).cardinality());
    }

    /** Counts into {@code needed} the parts of the sorted {@code positions[from, to)}, which share a prefix. */
    private static void partition(final long[] positions, final int from, final int to, final int depth,
        final long start, final int[] needed)
    {
        if (to - from <= BUCKET_SLOTS)
        {
            needed[0]++;
            needed[1] = Math.max(needed[1], depth);
            return;
        }
        final long half = start + (1L << (31 - depth));
        int mid = java.util.Arrays.binarySearch(positions, from, to, half);
        mid = mid < 0 ? -mid - 1 : mid;
        while (mid > from && positions[mid - 1] == half)
        {
            mid--;
        }
        partition(positions, from, mid, depth + 1, start, needed);
        partition(positions, mid, to, depth + 1, half, needed);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A key that is just a number; only the test's matcher looks inside. */
    static final class Key implements CharSequence
    {
        long n;

        Key()
        {
        }

        Key(final long n)
        {
            this.n = n;
        }

        @Override
        public int length()
        {
            return 0;
        }

        @Override
        public char charAt(final int i)
        {
            throw new IndexOutOfBoundsException(i);
        }

        @Override
        public CharSequence subSequence(final int start, final int end)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public String toString()
        {
            return "key-" + n;
        }
    }

    /**
     * The walk compaction makes: stepping through the buckets while a writer splits them and doubles the directory
     * between the steps, and copy-on-write freezes come and go, it collects every slot that points into one segment
     * exactly once, and the slots it collected take new addresses in place.
     */
    @Test
    void sweepCollectsEverySlotOfASegmentOnceWhileBucketsSplitBetweenSteps()
    {
        final int n = 60_000;
        for (int i = 0; i < n; i++)
        {
            put(hash(i), i, 0);
        }
        final int depthBefore = globalDepth(index);
        final int segment = 3; // keys 12,287 to 16,382: address(n, v) >>> 32 == (n + 1) >> 12
        final BitSet collected = new BitSet();
        final BucketSweep sweep = new BucketSweep();
        sweep.restart();
        long next = 1_000_000; // new keys, in segments far above
        int steps = 0;
        while (!sweep.done())
        {
            index.sweep(sweep, segment);
            if (sweep.count() > 0)
            {
                final int bucket = index.prepareInPlace(sweep.hash(0));
                for (int i = 0; i < sweep.count(); i++)
                {
                    final long address = sweep.address(i);
                    final int key = (int)((address >>> VERSION_BITS) - 1);
                    assertEquals(segment, (int)(address >>> 32), "slot of another segment collected");
                    assertFalse(collected.get(key), "key " + key + " collected twice");
                    collected.set(key);
                    assertEquals(address(key, 0), index.putAt(bucket, sweep.slot(i), sweep.hash(i), address(key, 1)));
                }
            }
            for (int i = 0; i < 200; i++, next++)
            {
                put(hash(next), next, 0);
            }
            if (++steps % 7 == 0)
            {
                index.freeze();
            }
        }
        for (int key = 0; key < n; key++)
        {
            final boolean inSegment = (key + 1) >> 12 == segment;
            assertEquals(inSegment, collected.get(key), "key " + key);
            assertEquals(address(key, inSegment ? 1 : 0), lookup(index, key), "key " + key);
        }
        assertTrue(next - 1_000_000 > n, "the writer between the steps must have split buckets many times");
        assertTrue(globalDepth(index) > depthBefore, "and doubled the directory");
    }

    static long address(final long n, final long version)
    {
        return ((n + 1) << VERSION_BITS) | version;
    }

    /** @return the {@link IndexPlacement} of the index under test. */
    int placement()
    {
        return IndexPlacement.LOW_BITS;
    }

    /** @return the next of the test's hashes whose position has {@code bits} under {@code mask}. */
    private long hashAt(final int mask, final int bits)
    {
        while (true)
        {
            final long h = hash(1_000_000_000L + probe++);
            if ((index.position(h) & mask) == bits)
            {
                return h;
            }
        }
    }

    /** SplitMix64's finaliser: a well mixed, reproducible 64-bit hash of a key number. */
    static long hash(final long n)
    {
        long z = n * 0x9E37_79B9_7F4A_7C15L + 0x632B_E59B_D9B4_E019L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    long put(final long hash, final long n, final long version)
    {
        key.n = n;
        final int bucket = index.prepare(hash, key, NS, MATCHER);
        return index.put(bucket, hash, key, NS, MATCHER, address(n, version));
    }

    long remove(final long hash, final long n)
    {
        key.n = n;
        final int bucket = index.prepare(hash, key, NS, MATCHER);
        return index.remove(bucket, hash, key, NS, MATCHER);
    }

    private static long lookup(final HashIndex index, final long n)
    {
        return index.lookup(hash(n), new Key(n), NS, MATCHER);
    }

    static long lookupHash(final HashIndex index, final long hash, final long n)
    {
        return index.lookup(hash, new Key(n), NS, MATCHER);
    }

    /** Lookup of a key whose hash the test altered: finds it through forEach's hash. */
    private static long lookupAnyHash(final HashIndex index, final long n)
    {
        final long[] hash = {0};
        index.forEach((h, address) ->
        {
            if ((address >>> VERSION_BITS) - 1 == n)
            {
                hash[0] = h;
            }
        });
        return index.lookup(hash[0], new Key(n), NS, MATCHER);
    }

    /** @return the keys {@code forEach} visits; fails if one is visited twice. */
    private static BitSet visitOnce(final HashIndex index)
    {
        final BitSet seen = new BitSet();
        index.forEach((hash, address) ->
        {
            final int n = (int)((address >>> VERSION_BITS) - 1);
            if (seen.get(n))
            {
                fail("forEach visited key " + n + " twice");
            }
            seen.set(n);
        });
        return seen;
    }

    private int globalDepth(final HashIndex index)
    {
        final int root = index.rootPage();
        return file.buffer(root).getByte(IndexFile.pageOffset(root) + DEPTH_OFFSET);
    }

    private int directoryPages(final HashIndex index)
    {
        final int root = index.rootPage();
        return file.buffer(root).getInt(IndexFile.pageOffset(root) + COUNT_OFFSET);
    }

    private int directoryPage(final HashIndex index, final int entry)
    {
        final int root = index.rootPage();
        return file.buffer(root).getInt(IndexFile.pageOffset(root) + entryOffset(entry >>> FANOUT_SHIFT));
    }

    int bucketPage(final HashIndex index, final int entry)
    {
        final int dirPage = directoryPage(index, entry);
        return file.buffer(dirPage).getInt(IndexFile.pageOffset(dirPage) + entryOffset(entry & (FANOUT - 1)));
    }

    private void setBucketPage(final HashIndex index, final int entry, final int bucket)
    {
        final int dirPage = directoryPage(index, entry);
        file.buffer(dirPage).putIntRelease(IndexFile.pageOffset(dirPage) + entryOffset(entry & (FANOUT - 1)), bucket);
    }

    int bucketCount(final int bucket)
    {
        return file.buffer(bucket).getInt(IndexFile.pageOffset(bucket) + COUNT_OFFSET);
    }

    private int bucketDepth(final int bucket)
    {
        return file.buffer(bucket).getByte(IndexFile.pageOffset(bucket) + DEPTH_OFFSET);
    }

    private byte[] copyPages(final int from, final int to)
    {
        final byte[] bytes = new byte[(to - from) * PAGE_SIZE];
        for (int page = from; page < to; page++)
        {
            final MemoryRegion b = file.buffer(page);
            b.getBytes(IndexFile.pageOffset(page), bytes, (page - from) * PAGE_SIZE, PAGE_SIZE);
        }
        return bytes;
    }
}
