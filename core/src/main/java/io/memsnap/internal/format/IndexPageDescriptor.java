package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_BYTE;
import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of an index file: an array of 4 KiB pages. Page 0 is the file header; pages from 1 hold the extendible hash
 * index (one root page, directory pages, bucket pages). A page below the watermark of the last checkpoint is never
 * written again (copy-on-write); a checkpoint seals the pages added since the previous one by writing their CRC32C,
 * flushes them, and a manifest names its root page.
 *
 * <p>Index file generations: {@code index.msi} is generation 0; {@code index-NNNNNNNNNN.msi} is generation N (10
 * digits), written from one checkpoint (its base) with only the pages that checkpoint reaches, each at its own page
 * number (the same file offset), and every page from the first page of the base watermark's chunk on; the other
 * pages are holes of a sparse file. Later checkpoints append to it as to {@code index.msi}.
 *
 * <pre>
 * File header (page 0):
 *  0  magic            8 bytes  "MSNPIDX\0"
 *  8  major version    uint16
 * 10  minor version    uint16
 * 12  page size        int32    4096
 * 16  generation       int64    0 for index.msi
 * 24  base root        int32    root page of the checkpoint the file was written from (0 in index.msi)
 * 28  dense from       int32    every page from it on is in the file (0 in index.msi: all are)
 * 32  copied pages     int32    pages below dense from that the file holds (those the base root reaches)
 * 36  reserved         zero up to 60
 * 60  CRC32C of [0, 60)
 *
 * Every other page:
 *  0  CRC32C of [4, 4096)   written when a snapshot seals the page
 *  4  page type        int8     1 root, 2 directory, 3 bucket
 *  5  depth            int8     root: global depth; bucket: local depth; directory: 0
 *  6  reserved         int16
 *  8  count            int32    bucket: slots used (live or deleted); root: directory pages; directory: 0
 * 12  created in       int32    generation of the snapshot that first sealed it (low 32 bits)
 * 16  body
 *
 * Root body:       512 x int32 page numbers of directory pages (2^depth / 512 of them, at least 1)
 * Directory body:  512 x int32 page numbers of buckets
 * Bucket body:     255 slots x { int64 key hash, int64 record address }
 * </pre>
 *
 * How a bucket's slots are used depends on the store's index placement ({@code IndexPlacement}, in its manifests):
 * <ul>
 *   <li>placements 1 and 2: slots {@code [0, count)} in the order keys came; a deleted key's address is 0; a lookup
 *       reads slots from the first;</li>
 *   <li>placement 3 (probed): a key's slot is the first free one from its home slot on, wrapping at the end; address
 *       0 is a slot never used, {@link #SLOT_TOMBSTONE} a deleted key's (its hash kept); a lookup reads from the home
 *       slot to the key or to the first slot never used. {@code count} is the slots not 0.</li>
 * </ul>
 *
 * A record address is {@code segmentId << 32 | offset}; segment ids start at 1, so 0 never addresses a record.
 */
public final class IndexPageDescriptor
{
    public static final long MAGIC = 0x0058_4449_504E_534DL; // "MSNPIDX\0" little-endian
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;

    public static final int FILE_MAGIC_OFFSET = 0;
    public static final int FILE_MAJOR_OFFSET = FILE_MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int FILE_MINOR_OFFSET = FILE_MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int FILE_PAGE_SIZE_OFFSET = FILE_MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int FILE_GENERATION_OFFSET = FILE_PAGE_SIZE_OFFSET + SIZE_OF_INT;
    public static final int FILE_BASE_ROOT_OFFSET = FILE_GENERATION_OFFSET + SIZE_OF_LONG;
    public static final int FILE_DENSE_FROM_OFFSET = FILE_BASE_ROOT_OFFSET + SIZE_OF_INT;
    public static final int FILE_COPIED_PAGES_OFFSET = FILE_DENSE_FROM_OFFSET + SIZE_OF_INT;
    public static final int FILE_CRC_OFFSET = 60;
    public static final int FILE_HEADER_CHECKSUMMED_LENGTH = FILE_CRC_OFFSET;

    public static final int CRC_OFFSET = 0;
    public static final int TYPE_OFFSET = CRC_OFFSET + SIZE_OF_INT;
    public static final int DEPTH_OFFSET = TYPE_OFFSET + SIZE_OF_BYTE;
    public static final int RESERVED_OFFSET = DEPTH_OFFSET + SIZE_OF_BYTE;
    public static final int COUNT_OFFSET = RESERVED_OFFSET + SIZE_OF_SHORT;
    public static final int CREATED_IN_OFFSET = COUNT_OFFSET + SIZE_OF_INT;
    public static final int BODY_OFFSET = CREATED_IN_OFFSET + SIZE_OF_INT;
    public static final int CHECKSUMMED_FROM = TYPE_OFFSET;

    public static final byte TYPE_ROOT = 1;
    public static final byte TYPE_DIRECTORY = 2;
    public static final byte TYPE_BUCKET = 3;

    /** Entries of a root or directory page; a power of two. */
    public static final int FANOUT_SHIFT = 9;
    public static final int FANOUT = 1 << FANOUT_SHIFT;
    /** Deepest global depth: FANOUT directory pages of FANOUT buckets. */
    public static final int MAX_DEPTH = 2 * FANOUT_SHIFT;

    public static final int SLOT_HASH_OFFSET = 0;
    public static final int SLOT_ADDRESS_OFFSET = SLOT_HASH_OFFSET + SIZE_OF_LONG;
    public static final int SLOT_LENGTH = SLOT_ADDRESS_OFFSET + SIZE_OF_LONG;
    public static final int BUCKET_SLOTS = (PAGE_SIZE - BODY_OFFSET) / SLOT_LENGTH;
    /** The address of a deleted key's slot in a probed bucket (segment id -1: never a record's). */
    public static final long SLOT_TOMBSTONE = -1L;

    /**
     * Page numbers are int32 and only grow over the life of a store (a new index file generation keeps them): at most
     * this many are ever handed out, 2^31 less one chunk of 1,024 pages.
     */
    public static final int MAX_PAGES = Integer.MAX_VALUE - 1023;

    /** The index file of generation 0, the only one before index file generations existed. */
    public static final String FILE_NAME = "index.msi";
    public static final String GENERATION_FILE_PREFIX = "index-";
    public static final String FILE_SUFFIX = ".msi";
    private static final int GENERATION_DIGITS = 10;

    private IndexPageDescriptor()
    {
    }

    /** @return the name of the index file of {@code generation}: {@value #FILE_NAME} for 0. */
    public static String fileName(final long generation)
    {
        return generation == 0 ? FILE_NAME : FileNames.numbered(GENERATION_FILE_PREFIX, generation, GENERATION_DIGITS,
            FILE_SUFFIX);
    }

    /** @return the generation of an index file name, or -1 if the name is not one. */
    public static long parseFileName(final String name)
    {
        if (name.equals(FILE_NAME))
        {
            return 0;
        }
        if (!name.startsWith(GENERATION_FILE_PREFIX) || !name.endsWith(FILE_SUFFIX) ||
            name.length() != GENERATION_FILE_PREFIX.length() + GENERATION_DIGITS + FILE_SUFFIX.length())
        {
            return -1;
        }
        long generation = 0;
        for (int i = GENERATION_FILE_PREFIX.length(); i < GENERATION_FILE_PREFIX.length() + GENERATION_DIGITS; i++)
        {
            final char c = name.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            generation = generation * 10 + (c - '0');
        }
        return generation > 0 ? generation : -1;
    }

    public static int slotOffset(final int slot)
    {
        return BODY_OFFSET + slot * SLOT_LENGTH;
    }

    public static int entryOffset(final int entry)
    {
        return BODY_OFFSET + entry * SIZE_OF_INT;
    }

    public static long address(final int segmentId, final int offset)
    {
        return ((long)segmentId << 32) | (offset & 0xFFFF_FFFFL);
    }

    public static int segmentId(final long address)
    {
        return (int)(address >>> 32);
    }

    public static int offset(final long address)
    {
        return (int)address;
    }
}
