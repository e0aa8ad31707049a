package io.memsnap.internal.index;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.memory.MemoryRegion;
import org.agrona.collections.IntArrayList;

import java.util.Arrays;
import java.util.function.IntConsumer;

import static io.memsnap.internal.format.IndexPageDescriptor.*;

/**
 * The pages one index version reaches from its root: the root, its directory pages and their buckets. Copy-on-write
 * makes this set, for a frozen root, a superset of what any later version reaches below the root's watermark (the
 * writer links only pages it creates, or pages the current version already links), which is why a new index file
 * holding these pages serves every version from that root on.
 *
 * <p>Thread safe: stateless. Reads pages through an {@link IndexFile}'s chunks: the caller keeps them mapped (it is
 * a reader inside the grace periods, or holds the checkpoint lock, under which no chunk it reads is unmapped).
 */
public final class ReachablePages
{
    private static final IntConsumer NO_CHECK = page -> { };

    private ReachablePages()
    {
    }

    /**
     * @param pages   the version's watermark: every page it reaches lies below it.
     * @param below   only pages below this one are returned.
     * @param check   called with the root and each directory page before their entries are read (a CRC check, say).
     * @return the distinct pages below {@code below} that {@code root} reaches, in increasing order.
     * @throws CorruptStoreException if a page number lies outside [1, pages) or a page has the wrong type.
     */
    public static int[] of(final IndexFile file, final int root, final int pages, final int below,
        final IntConsumer check)
    {
        final IntArrayList found = new IntArrayList();
        requirePage(file, root, pages, TYPE_ROOT);
        check.accept(root);
        final MemoryRegion rb = file.buffer(root);
        final int ro = IndexFile.pageOffset(root);
        final int depth = rb.getByte(ro + DEPTH_OFFSET);
        final int directories = rb.getInt(ro + COUNT_OFFSET);
        if (depth < 0 || depth > MAX_DEPTH || directories != Math.max(1, (1 << depth) >>> FANOUT_SHIFT))
        {
            throw new CorruptStoreException("index root page " + root + " has depth " + depth + " and " +
                directories + " directory pages", file.path(), (long)root * PAGE_SIZE);
        }
        add(found, root, below);
        final int entries = Math.min(FANOUT, 1 << depth);
        for (int d = 0; d < directories; d++)
        {
            final int dir = rb.getInt(ro + entryOffset(d));
            requirePage(file, dir, pages, TYPE_DIRECTORY);
            check.accept(dir);
            add(found, dir, below);
            final MemoryRegion db = file.buffer(dir);
            final int dO = IndexFile.pageOffset(dir);
            for (int e = 0; e < entries; e++)
            {
                final int bucket = db.getInt(dO + entryOffset(e));
                if (bucket <= 0 || bucket >= pages)
                {
                    throw new CorruptStoreException("index directory page " + dir + " names page " + bucket +
                        ", outside the version's " + pages + " pages", file.path(), (long)dir * PAGE_SIZE);
                }
                add(found, bucket, below);
            }
        }
        final int[] sorted = found.toIntArray();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int i = 0; i < sorted.length; i++)
        {
            if (i == 0 || sorted[i] != sorted[i - 1])
            {
                sorted[distinct++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, distinct);
    }

    /** As {@link #of(IndexFile, int, int, int, IntConsumer)} without a check. */
    public static int[] of(final IndexFile file, final int root, final int pages, final int below)
    {
        return of(file, root, pages, below, NO_CHECK);
    }

    private static void add(final IntArrayList found, final int page, final int below)
    {
        if (page < below)
        {
            found.addInt(page);
        }
    }

    private static void requirePage(final IndexFile file, final int page, final int pages, final byte type)
    {
        if (page <= 0 || page >= pages || file.buffer(page).getByte(IndexFile.pageOffset(page) + TYPE_OFFSET) != type)
        {
            throw new CorruptStoreException("index page " + page + " is not a page of type " + type + " within " +
                "the version's " + pages + " pages", file.path(), (long)page * PAGE_SIZE);
        }
    }
}
