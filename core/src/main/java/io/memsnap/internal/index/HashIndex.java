package io.memsnap.internal.index;

import io.memsnap.StoreFullException;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.memory.MemoryRegion;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * The index from key hash to record address: an extendible hash table in the pages of an {@link IndexFile}, kept
 * off the heap and copy-on-write.
 *
 * <p>A root page holds the global depth {@code g} and the directory pages; {@code 2^g} directory entries name
 * bucket pages; a bucket of local depth {@code l} holds the keys whose positions ({@link IndexPlacement}: a function
 * of the hash that the store's format fixes) share their low {@code l} bits. A full bucket splits in two, doubling the
 * directory when {@code l == g}. Within a bucket, slots are in the order keys came, or, with a probed placement
 * ({@link IndexPlacement#isProbed}), a key's slot is the first free one from its home slot on, so that a lookup reads
 * a few slots instead of half the bucket (the layouts: {@link IndexPageDescriptor}).
 *
 * <p><b>Copy-on-write.</b> {@link #freeze()} records the root and the page watermark in O(1). Every page below the
 * watermark is immutable from then on: the writer copies a frozen page before changing it and relinks the copy,
 * copying the path up to the root. So a frozen version stays readable and can be written to disk while writers go
 * on, and only pages created since the last freeze reach the disk at the next snapshot.
 *
 * <p><b>Concurrency.</b> One writer at a time ({@link #prepare}, {@link #put}, {@link #remove}, {@link #freeze});
 * the store serialises them. Any number of readers ({@link #lookup}, {@link #forEach}) run without locks: slots are
 * filled before a bucket's count is published (in a probed bucket, a slot's hash before its address, which readers
 * load first, and no used slot ever becomes unused, so that no probe stops short of a key), addresses and directory
 * entries are published with release stores and read with acquire loads, a lookup loads the global depth again
 * after the directory entries (and starts again if a doubling changed it), a new root is published through a volatile
 * field, and a page stays readable while the store is open to every reader that may still reach it (a new index file
 * generation leaves out the pages superseded before its base only once the readers that entered before it left; see
 * {@link IndexFile}). A reader therefore sees, for each key, either the state before or after a concurrent write.
 */
public final class HashIndex
{
    private static final int BUCKET_COUNT_OFFSET = COUNT_OFFSET;
    /** A full bucket with fewer live slots than this is compacted instead of split. */
    private static final int COMPACT_BELOW = BUCKET_SLOTS * 3 / 4;
    /**
     * The most pages one put or remove allocates: a compaction and a split of the bucket, a doubling of the directory
     * (a copy of every directory page), copies of the frozen pages on the path, with room to spare.
     */
    private static final int PAGES_PER_CHANGE = 2 * FANOUT + 4 * MAX_DEPTH + 8;

    private final IndexFile file;
    /** {@link IndexPlacement}: where a hash goes. */
    private final int placement;
    /** Whether slots are found by probing from a home slot ({@link IndexPlacement#isProbed}). */
    private final boolean probed;
    private volatile int rootPage;
    private int frozenWatermark;

    private HashIndex(final IndexFile file, final int placement, final int rootPage, final int frozenWatermark)
    {
        if (!IndexPlacement.isKnown(placement))
        {
            throw new IllegalArgumentException("unknown index placement " + placement);
        }
        this.file = file;
        this.placement = placement;
        this.probed = IndexPlacement.isProbed(placement);
        this.rootPage = rootPage;
        this.frozenWatermark = frozenWatermark;
    }

    /**
     * Writer: lays out an empty index (root, one directory page, one bucket) in a new file.
     *
     * @param placement the {@link IndexPlacement} its keys go by.
     */
    public static HashIndex create(final IndexFile file, final int placement)
    {
        file.ensureCapacity(3);
        final int root = file.allocate();
        final int dir = file.allocate();
        final int bucket = file.allocate();
        initPage(file, bucket, TYPE_BUCKET, 0);
        initPage(file, dir, TYPE_DIRECTORY, 0);
        file.buffer(dir).putInt(IndexFile.pageOffset(dir) + entryOffset(0), bucket);
        initPage(file, root, TYPE_ROOT, 0);
        file.buffer(root).putInt(IndexFile.pageOffset(root) + COUNT_OFFSET, 1);
        file.buffer(root).putInt(IndexFile.pageOffset(root) + entryOffset(0), dir);
        return new HashIndex(file, placement, root, 1);
    }

    /**
     * Opens the index of a snapshot: its root page and its sealed length, placed by {@code placement} (the store's,
     * from its manifest).
     */
    public static HashIndex open(final IndexFile file, final int placement, final int rootPage,
        final int committedPages)
    {
        file.checkPage(rootPage, TYPE_ROOT);
        return new HashIndex(file, placement, rootPage, committedPages);
    }

    /**
     * Writer: another version of the index in the same file, built from the frozen version of {@code rootPage} (an
     * older snapshot's checkpoint): every page handed out so far is frozen for it, so that changes to it copy them
     * into new pages and the version readers see stays as it is. A rewind builds one and {@link #adopt}s it.
     */
    public HashIndex version(final int rootPage)
    {
        file.checkPage(rootPage, TYPE_ROOT);
        return new HashIndex(file, placement, rootPage, file.nextPage());
    }

    /**
     * Writer: makes {@code version} (of the same file, see {@link #version}) this index: readers see its root from
     * now on (each lookup the old version or the new, as with any write), and the writer changes it from now on.
     */
    public void adopt(final HashIndex version)
    {
        if (version.file != file || version.placement != placement)
        {
            throw new IllegalArgumentException("a version of another index file");
        }
        frozenWatermark = version.frozenWatermark;
        rootPage = version.rootPage;
    }

    private static void initPage(final IndexFile file, final int page, final byte type, final int depth)
    {
        final MemoryRegion b = file.buffer(page);
        final int o = IndexFile.pageOffset(page);
        b.putByte(o + TYPE_OFFSET, type);
        b.putByte(o + DEPTH_OFFSET, (byte)depth);
    }

    // ------------------------------------------------------------------------------------------------ readers

    /**
     * Any thread. Allocates nothing.
     *
     * @return the address of the live record of {@code key}, or 0 if there is none.
     */
    public long lookup(final long hash, final CharSequence key, final long namespace, final KeyMatcher matcher)
    {
        final int bucket = bucketOf(rootPage, IndexPlacement.position(placement, hash));
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        if (probed)
        {
            // The writer's probe (find) returns the slot; a reader must return the address it matched, as a slot's
            // address may change after the match (a newer record, a tombstone, another key's record in its place).
            int s = IndexPlacement.homeSlot(hash, BUCKET_SLOTS);
            for (int probes = 0; probes < BUCKET_SLOTS; probes++)
            {
                final int so = o + slotOffset(s);
                final long address = b.getLongAcquire(so + SLOT_ADDRESS_OFFSET);
                if (address == 0)
                {
                    return 0;
                }
                if (b.getLong(so + SLOT_HASH_OFFSET) == hash && address != SLOT_TOMBSTONE &&
                    matcher.matches(address, key, namespace))
                {
                    return address;
                }
                s = s == BUCKET_SLOTS - 1 ? 0 : s + 1;
            }
            return 0;
        }
        final int count = Math.min(b.getIntAcquire(o + BUCKET_COUNT_OFFSET), BUCKET_SLOTS);
        for (int s = nextWithHash(b, o, 0, count, hash); s >= 0; s = nextWithHash(b, o, s + 1, count, hash))
        {
            final long address = b.getLongAcquire(o + slotOffset(s) + SLOT_ADDRESS_OFFSET);
            if (address != 0 && matcher.matches(address, key, namespace))
            {
                return address;
            }
        }
        return 0;
    }

    /**
     * @return the first slot in {@code [from, count)} of the bucket at {@code o} of {@code b} whose hash is
     * {@code hash}, or -1. The scan of a bucket (up to {@value IndexPageDescriptor#BUCKET_SLOTS} slots, every one
     * for a key it does not hold) is most of the work of a lookup and of a put: one plain load a slot, at an offset
     * that grows by a slot, and no allocation (docs/memory-access.md measures this loop's shape).
     */
    private static int nextWithHash(final MemoryRegion b, final int o, final int from, final int count,
        final long hash)
    {
        final int hashes = o + slotOffset(0) + SLOT_HASH_OFFSET;
        final int end = Math.min(count, BUCKET_SLOTS);
        for (int s = from; s < end; s++)
        {
            if (b.getLong(hashes + s * SLOT_LENGTH) == hash)
            {
                return s;
            }
        }
        return -1;
    }

    /** @return the {@link IndexPlacement#position} of {@code hash} in this index. */
    public int position(final long hash)
    {
        return IndexPlacement.position(placement, hash);
    }

    /** @return the {@link IndexPlacement} of this index. */
    public int placement()
    {
        return placement;
    }

    /**
     * The bucket of the keys at {@code position} in the version of {@code root}. A root that is not frozen doubles its
     * directory in place: the writer stores the new depth, then relinks entries to the split halves. A reader that
     * loaded the old depth and then a relinked entry would look in the wrong half, so the depth is loaded again after
     * the entries: a relink seen by the acquire loads makes the new depth visible, and a changed depth means start
     * again (the depth only grows, so this ends).
     */
    private int bucketOf(final int root, final int position)
    {
        file.checkPage(root, TYPE_ROOT);
        final MemoryRegion rb = file.buffer(root);
        final int ro = IndexFile.pageOffset(root);
        int depth = rb.getByteVolatile(ro + DEPTH_OFFSET);
        while (true)
        {
            final int index = position & ((1 << depth) - 1);
            final int dir = rb.getIntAcquire(ro + entryOffset(index >>> FANOUT_SHIFT));
            file.checkPage(dir, TYPE_DIRECTORY);
            final int bucket =
                file.buffer(dir).getIntAcquire(IndexFile.pageOffset(dir) + entryOffset(index & (FANOUT - 1)));
            final int depthAfter = rb.getByteVolatile(ro + DEPTH_OFFSET);
            if (depthAfter == depth)
            {
                file.checkPage(bucket, TYPE_BUCKET);
                return bucket;
            }
            depth = depthAfter;
        }
    }

    /**
     * Any thread: visits every live slot once, in an order that splits and directory doublings cannot disturb
     * (by bit-reversed position), without locks. Weakly consistent: a key written during the iteration may or may not
     * be seen, but no key is seen twice.
     *
     * <p>A split relinks the directory entries of a bucket one release store at a time, so the iterator may meet
     * the new half of a bucket and then, through an entry not yet relinked, the old whole bucket, whose range starts
     * before the cursor; the slots of such a bucket that lie before the cursor were visited already and are skipped.
     */
    public void forEach(final SlotVisitor visitor)
    {
        long cursor = 0;
        final long end = 1L << 32;
        while (cursor < end)
        {
            final int root = rootPage;
            file.checkPage(root, TYPE_ROOT);
            final int globalDepth = file.buffer(root).getByteVolatile(IndexFile.pageOffset(root) + DEPTH_OFFSET);
            final long directoryIndex = directoryIndexAt(cursor, globalDepth);
            final int bucket = bucketOf(root, (int)directoryIndex);
            final MemoryRegion b = file.buffer(bucket);
            final int o = IndexFile.pageOffset(bucket);
            final int localDepth = b.getByte(o + DEPTH_OFFSET);
            final int count = probed ? BUCKET_SLOTS : Math.min(b.getIntAcquire(o + BUCKET_COUNT_OFFSET), BUCKET_SLOTS);
            for (int s = 0; s < count; s++)
            {
                final int so = o + slotOffset(s);
                final long address = b.getLongAcquire(so + SLOT_ADDRESS_OFFSET);
                final long hash = b.getLong(so + SLOT_HASH_OFFSET);
                if (isLive(address) && (Integer.reverse(position(hash)) & 0xFFFF_FFFFL) >= cursor)
                {
                    visitor.visit(hash, address);
                }
            }
            cursor = cursorAfter(directoryIndex, localDepth);
        }
    }

    /** @return the directory entry of the bucket whose range of bit-reversed hashes holds {@code cursor}. */
    private static long directoryIndexAt(final long cursor, final int globalDepth)
    {
        final int top = globalDepth == 0 ? 0 : (int)(cursor >>> (32 - globalDepth));
        return Integer.reverse(top) >>> (32 - Math.max(globalDepth, 1)) & ((1L << globalDepth) - 1);
    }

    /** @return the cursor just after the range of bit-reversed hashes of the bucket at {@code directoryIndex}. */
    private static long cursorAfter(final long directoryIndex, final int localDepth)
    {
        final long low = directoryIndex & ((1L << localDepth) - 1);
        final long rangeStart = localDepth == 0 ? 0 : (Integer.reverse((int)low) >>> (32 - localDepth)) &
            0xFFFF_FFFFL;
        return (rangeStart << (32 - localDepth)) + (1L << (32 - localDepth));
    }

    /**
     * Writer: collects into {@code sweep} the live slots of the bucket at {@link BucketSweep#cursor} whose records lie
     * in segment {@code segmentId}, and moves the cursor past that bucket. Called again and again from cursor 0 until
     * {@link BucketSweep#done()}, with writes in between, it meets every bucket once, in the order of
     * {@link #forEach}, which splits and doublings between calls cannot disturb: so every slot that points into the
     * segment all along is collected once. The slots collected are valid until the next writer call other than
     * {@link #prepareInPlace} and {@link #putAt} on their hashes. Allocates nothing.
     */
    public void sweep(final BucketSweep sweep, final int segmentId)
    {
        final long cursor = sweep.cursor;
        final int root = rootPage;
        file.checkPage(root, TYPE_ROOT);
        final int globalDepth = file.buffer(root).getByte(IndexFile.pageOffset(root) + DEPTH_OFFSET);
        final long directoryIndex = directoryIndexAt(cursor, globalDepth);
        final int bucket = bucketOf(root, (int)directoryIndex);
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        final int localDepth = b.getByte(o + DEPTH_OFFSET);
        final int count = probed ? BUCKET_SLOTS : Math.min(b.getInt(o + BUCKET_COUNT_OFFSET), BUCKET_SLOTS);
        sweep.count = 0;
        for (int s = 0; s < count; s++)
        {
            final int so = o + slotOffset(s);
            final long address = b.getLong(so + SLOT_ADDRESS_OFFSET);
            if (isLive(address) && IndexPageDescriptor.segmentId(address) == segmentId)
            {
                final long hash = b.getLong(so + SLOT_HASH_OFFSET);
                if ((Integer.reverse(position(hash)) & 0xFFFF_FFFFL) >= cursor)
                {
                    sweep.add(s, hash, address);
                }
            }
        }
        sweep.cursor = cursorAfter(directoryIndex, localDepth);
    }

    // ------------------------------------------------------------------------------------------------ writer

    /**
     * Writer, before a put or a remove: makes room in the file for the pages it may allocate, unless that would take
     * the file's resident chunks past their limit (see {@link IndexFile#tryEnsureCapacity}). Nothing changes if not.
     *
     * @return whether the next {@link #prepare} has room.
     */
    public boolean tryReserveChange()
    {
        return file.tryEnsureCapacity(PAGES_PER_CHANGE);
    }

    /**
     * Writer: as {@link #prepare(long, CharSequence, long, KeyMatcher)} for a key known not to be in the index.
     */
    public int prepare(final long hash)
    {
        return prepare(hash, null, 0, null);
    }

    /**
     * Writer: makes the bucket of {@code hash} writable (copying frozen pages on the way) with room for one more
     * slot (compacting or splitting it as needed), or, if it is full and holds {@code key}, where {@code key} is
     * updated or removed in place (a full bucket is split only for a key it does not hold). Grows the file first, so
     * that everything after the growth is memory work that cannot fail half-way.
     *
     * @param key the key about to be put or removed, or null if it is known to be new.
     * @return the bucket page, valid until the next writer call.
     * @throws StoreFullException if the bucket is at the deepest depth, full of live keys, and {@code key} is not
     *                            one of them.
     */
    public int prepare(final long hash, final CharSequence key, final long namespace, final KeyMatcher matcher)
    {
        file.ensureCapacity(PAGES_PER_CHANGE);
        final int position = position(hash);
        while (true)
        {
            final int root = rootPage;
            final MemoryRegion rb = file.buffer(root);
            final int ro = IndexFile.pageOffset(root);
            final int globalDepth = rb.getByte(ro + DEPTH_OFFSET);
            final int bucket = bucketOf(root, position);
            final MemoryRegion b = file.buffer(bucket);
            final int o = IndexFile.pageOffset(bucket);
            final int count = b.getInt(o + BUCKET_COUNT_OFFSET);
            final int localDepth = b.getByte(o + DEPTH_OFFSET);
            // A full bucket that holds the key already takes its update in place: splitting it would add a bucket
            // that no key needs.
            if (count < BUCKET_SLOTS || (key != null && find(b, o, count, hash, key, namespace, matcher) >= 0))
            {
                return writable(bucket, position, localDepth);
            }
            final int live = liveSlots(b, o, count);
            if (live < COMPACT_BELOW || (localDepth >= MAX_DEPTH && live < count))
            {
                final int compacted = file.allocate();
                initPage(file, compacted, TYPE_BUCKET, localDepth);
                moveLiveSlots(b, o, count, compacted, -1, 0);
                relink(position, localDepth, compacted, compacted);
                continue;
            }
            if (localDepth >= MAX_DEPTH)
            {
                throw new StoreFullException("index bucket for hash 0x" + Long.toHexString(hash) +
                    " is full at the deepest level (" + MAX_DEPTH + "): the store holds about as many entries as " +
                    "one index can address; split the data over several stores");
            }
            if (localDepth == globalDepth)
            {
                doubleDirectory();
            }
            final int zero = file.allocate();
            final int one = file.allocate();
            initPage(file, zero, TYPE_BUCKET, localDepth + 1);
            initPage(file, one, TYPE_BUCKET, localDepth + 1);
            moveLiveSlots(b, o, count, zero, localDepth, 0);
            moveLiveSlots(b, o, count, one, localDepth, 1);
            relink(position, localDepth, zero, one);
        }
    }

    /**
     * Writer: makes the bucket of {@code hash} writable (copying frozen pages on the way) without making room in it,
     * so that its slots keep their positions: for a {@link #putAt} into a slot found by {@link #sweep}. Grows
     * the file first, as {@link #prepare} does.
     *
     * @return the bucket page, valid until the next writer call.
     */
    public int prepareInPlace(final long hash)
    {
        file.ensureCapacity(PAGES_PER_CHANGE);
        final int position = position(hash);
        final int bucket = bucketOf(rootPage, position);
        return writable(bucket, position, file.buffer(bucket).getByte(IndexFile.pageOffset(bucket) + DEPTH_OFFSET));
    }

    /** @return {@code bucket}, or a copy of it relinked in its place if it is frozen. */
    private int writable(final int bucket, final int position, final int localDepth)
    {
        if (bucket < frozenWatermark)
        {
            final int copy = copyPage(bucket);
            relink(position, localDepth, copy, copy);
            return copy;
        }
        return bucket;
    }

    /**
     * Writer: in the bucket returned by {@link #prepare}, points {@code key} at {@code address}.
     *
     * @return the previous address of the key, or 0 if it had none.
     */
    public long put(final int bucket, final long hash, final CharSequence key, final long namespace,
        final KeyMatcher matcher, final long address)
    {
        return putAt(bucket, slotOf(bucket, hash, key, namespace, matcher), hash, address);
    }

    /**
     * Writer: the slot of {@code key} in the bucket returned by {@link #prepare}, or a negative number if it has none,
     * which {@link #putAt} takes as where the new key goes (in a probed bucket, the first free slot on the key's
     * probe, {@code -2 - slot}, so that the put does not probe again; -1 leaves it to {@code putAt}). This is the
     * part of a put that can fail (the matcher checks the records it compares), so a caller that must not fail
     * after a side effect looks the slot up first and then calls {@link #putAt}, which cannot fail.
     *
     * @throws io.memsnap.CorruptStoreException if the matcher finds a record it compares damaged.
     */
    public int slotOf(final int bucket, final long hash, final CharSequence key, final long namespace,
        final KeyMatcher matcher)
    {
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        return find(b, o, probed ? BUCKET_SLOTS : b.getInt(o + BUCKET_COUNT_OFFSET), hash, key, namespace, matcher);
    }

    /**
     * Writer: points {@code slot} of the bucket returned by {@link #prepare} at {@code address}, or a new slot if it
     * is negative (as {@link #slotOf} returned it, or -1). Memory work only: cannot fail. No other writer call may
     * come between {@link #slotOf} and this one.
     *
     * @return the previous address of the slot, or 0 for a new slot.
     */
    public long putAt(final int bucket, final int slot, final long hash, final long address)
    {
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        if (slot >= 0)
        {
            final int so = o + slotOffset(slot);
            final long previous = b.getLong(so + SLOT_ADDRESS_OFFSET);
            b.putLongRelease(so + SLOT_ADDRESS_OFFSET, address);
            return previous;
        }
        if (probed)
        {
            // The first free slot on the key's probe (prepare left one unused), as slotOf found it: a tombstone's
            // hash is replaced before its address, which readers load first, so a reader that loads the new address
            // sees the new hash; one that loads the tombstone passes on, as it did before.
            final int so = o + slotOffset(slot <= -2 ? -2 - slot : freeSlot(b, o, hash));
            final boolean unused = b.getLong(so + SLOT_ADDRESS_OFFSET) == 0;
            b.putLong(so + SLOT_HASH_OFFSET, hash);
            b.putLongRelease(so + SLOT_ADDRESS_OFFSET, address);
            if (unused)
            {
                b.putIntRelease(o + BUCKET_COUNT_OFFSET, b.getInt(o + BUCKET_COUNT_OFFSET) + 1);
            }
            return 0;
        }
        final int count = b.getInt(o + BUCKET_COUNT_OFFSET);
        final int so = o + slotOffset(count);
        b.putLong(so + SLOT_HASH_OFFSET, hash);
        b.putLong(so + SLOT_ADDRESS_OFFSET, address);
        b.putIntRelease(o + BUCKET_COUNT_OFFSET, count + 1);
        return 0;
    }

    /**
     * Writer: in the bucket returned by {@link #prepare}, marks {@code key} deleted.
     *
     * @return the previous address of the key, or 0 if it had none.
     */
    public long remove(final int bucket, final long hash, final CharSequence key, final long namespace,
        final KeyMatcher matcher)
    {
        final MemoryRegion b = file.buffer(bucket);
        final int o = IndexFile.pageOffset(bucket);
        final int slot = find(b, o, b.getInt(o + BUCKET_COUNT_OFFSET), hash, key, namespace, matcher);
        if (slot < 0)
        {
            return 0;
        }
        final int so = o + slotOffset(slot);
        final long previous = b.getLong(so + SLOT_ADDRESS_OFFSET);
        b.putLongRelease(so + SLOT_ADDRESS_OFFSET, probed ? SLOT_TOMBSTONE : 0L);
        return previous;
    }

    /**
     * Writer, O(1): makes every page created so far immutable.
     *
     * @return the root page of the frozen version; its pages are those below {@link #frozenWatermark()}.
     */
    public int freeze()
    {
        frozenWatermark = file.nextPage();
        return rootPage;
    }

    /** @return the page count at the last freeze: pages below it never change again. */
    public int frozenWatermark()
    {
        return frozenWatermark;
    }

    public int rootPage()
    {
        return rootPage;
    }

    public IndexFile file()
    {
        return file;
    }

    private int find(final MemoryRegion b, final int o, final int count, final long hash,
        final CharSequence key, final long namespace, final KeyMatcher matcher)
    {
        if (probed)
        {
            int s = IndexPlacement.homeSlot(hash, BUCKET_SLOTS);
            int free = -1;
            for (int probes = 0; probes < BUCKET_SLOTS; probes++)
            {
                final int so = o + slotOffset(s);
                final long address = b.getLong(so + SLOT_ADDRESS_OFFSET);
                if (address == 0 || address == SLOT_TOMBSTONE)
                {
                    free = free < 0 ? s : free;
                    if (address == 0)
                    {
                        break;
                    }
                }
                else if (b.getLong(so + SLOT_HASH_OFFSET) == hash && matcher.matches(address, key, namespace))
                {
                    return s;
                }
                s = s == BUCKET_SLOTS - 1 ? 0 : s + 1;
            }
            return -2 - free; // -1 when the probe met no free slot
        }
        for (int s = nextWithHash(b, o, 0, count, hash); s >= 0; s = nextWithHash(b, o, s + 1, count, hash))
        {
            final long address = b.getLong(o + slotOffset(s) + SLOT_ADDRESS_OFFSET);
            if (address != 0 && matcher.matches(address, key, namespace))
            {
                return s;
            }
        }
        return -1;
    }

    /**
     * @return the first slot from the home slot of {@code hash} on (wrapping) that holds no live key, in a probed
     * bucket that has one.
     */
    private static int freeSlot(final MemoryRegion b, final int o, final long hash)
    {
        int s = IndexPlacement.homeSlot(hash, BUCKET_SLOTS);
        while (isLive(b.getLong(o + slotOffset(s) + SLOT_ADDRESS_OFFSET)))
        {
            s = s == BUCKET_SLOTS - 1 ? 0 : s + 1;
        }
        return s;
    }

    /** @return whether a slot's address is a live key's: neither never used (0) nor deleted. */
    private static boolean isLive(final long address)
    {
        return address != 0 && address != SLOT_TOMBSTONE;
    }

    private static int liveSlots(final MemoryRegion b, final int o, final int count)
    {
        int live = 0;
        for (int s = 0; s < count; s++)
        {
            if (isLive(b.getLong(o + slotOffset(s) + SLOT_ADDRESS_OFFSET)))
            {
                live++;
            }
        }
        return live;
    }

    /** Copies the live slots of a bucket whose position's bit {@code bit} equals {@code value} (all if bit is -1). */
    private void moveLiveSlots(final MemoryRegion from, final int fo, final int count, final int to, final int bit,
        final int value)
    {
        final MemoryRegion tb = file.buffer(to);
        final int to0 = IndexFile.pageOffset(to);
        int n = 0;
        for (int s = 0; s < count; s++)
        {
            final int so = fo + slotOffset(s);
            final long address = from.getLong(so + SLOT_ADDRESS_OFFSET);
            final long hash = from.getLong(so + SLOT_HASH_OFFSET);
            if (isLive(address) && (bit < 0 || ((position(hash) >>> bit) & 1) == value))
            {
                final int dso = to0 + slotOffset(probed ? freeSlot(tb, to0, hash) : n);
                n++;
                tb.putLong(dso + SLOT_HASH_OFFSET, hash);
                tb.putLong(dso + SLOT_ADDRESS_OFFSET, address);
            }
        }
        tb.putInt(to0 + BUCKET_COUNT_OFFSET, n);
    }

    private int copyPage(final int page)
    {
        final int copy = file.allocate();
        file.buffer(page).copyTo(IndexFile.pageOffset(page), file.buffer(copy), IndexFile.pageOffset(copy), PAGE_SIZE);
        file.buffer(copy).putInt(IndexFile.pageOffset(copy) + CRC_OFFSET, 0);
        return copy;
    }

    /**
     * Points every directory entry of the bucket of {@code position} at local depth {@code depth} to {@code zero} or
     * {@code one}, by the entry's bit {@code depth}. Copies frozen directory pages and the root on the way.
     */
    private void relink(final int position, final int depth, final int zero, final int one)
    {
        checkFrozenDirectories(position, depth);
        final int root = mutableRoot();
        final MemoryRegion rb = file.buffer(root);
        final int ro = IndexFile.pageOffset(root);
        final int globalDepth = rb.getByte(ro + DEPTH_OFFSET);
        final int size = 1 << globalDepth;
        final int step = 1 << depth;
        for (int index = position & (step - 1); index < size; index += step)
        {
            final int dirSlot = index >>> FANOUT_SHIFT;
            int dir = rb.getInt(ro + entryOffset(dirSlot));
            if (dir < frozenWatermark)
            {
                dir = copyPage(dir);
                rb.putIntRelease(ro + entryOffset(dirSlot), dir);
            }
            final int target = ((index >>> depth) & 1) == 0 ? zero : one;
            file.buffer(dir).putIntRelease(IndexFile.pageOffset(dir) + entryOffset(index & (FANOUT - 1)), target);
        }
    }

    /**
     * Checks, before anything changes, the frozen directory pages that {@link #relink} will copy. A copy is sealed
     * with a new checksum at the next snapshot, so a page read from disk must be checked before it is copied, or its
     * damage would become valid; lookups only checked the pages on their own path.
     */
    private void checkFrozenDirectories(final int position, final int depth)
    {
        final int root = rootPage;
        final MemoryRegion rb = file.buffer(root);
        final int ro = IndexFile.pageOffset(root);
        final int size = 1 << rb.getByte(ro + DEPTH_OFFSET);
        final int step = Math.max(1 << depth, FANOUT);
        for (int index = position & ((1 << depth) - 1); index < size; index += step)
        {
            final int dir = rb.getInt(ro + entryOffset(index >>> FANOUT_SHIFT));
            if (dir < frozenWatermark)
            {
                file.checkPage(dir, TYPE_DIRECTORY);
            }
        }
    }

    private int mutableRoot()
    {
        final int root = rootPage;
        if (root >= frozenWatermark)
        {
            return root;
        }
        final int copy = copyPage(root);
        rootPage = copy;
        return copy;
    }

    private void doubleDirectory()
    {
        final int root = mutableRoot();
        final MemoryRegion rb = file.buffer(root);
        final int ro = IndexFile.pageOffset(root);
        final int globalDepth = rb.getByte(ro + DEPTH_OFFSET);
        if (globalDepth >= MAX_DEPTH)
        {
            throw new StoreFullException("index directory is at its largest (2^" + MAX_DEPTH + " buckets): " +
                "split the data over several stores");
        }
        if (globalDepth < FANOUT_SHIFT)
        {
            int dir = rb.getInt(ro + entryOffset(0));
            if (dir < frozenWatermark)
            {
                dir = copyPage(dir);
                rb.putIntRelease(ro + entryOffset(0), dir);
            }
            final MemoryRegion db = file.buffer(dir);
            final int dO = IndexFile.pageOffset(dir);
            final int size = 1 << globalDepth;
            for (int i = 0; i < size; i++)
            {
                db.putInt(dO + entryOffset(size + i), db.getInt(dO + entryOffset(i)));
            }
        }
        else
        {
            final int pages = rb.getInt(ro + COUNT_OFFSET);
            for (int k = 0; k < pages; k++)
            {
                final int dir = rb.getInt(ro + entryOffset(k));
                if (dir < frozenWatermark)
                {
                    file.checkPage(dir, TYPE_DIRECTORY);
                }
                rb.putInt(ro + entryOffset(pages + k), copyPage(dir));
            }
            rb.putInt(ro + COUNT_OFFSET, pages * 2);
        }
        rb.putByteVolatile(ro + DEPTH_OFFSET, (byte)(globalDepth + 1));
    }
}
