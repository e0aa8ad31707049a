package io.memsnap.internal.format;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;
import static org.agrona.BitUtil.SIZE_OF_SHORT;

/**
 * Layout of {@code manifests.mss} (format 4.0), the file whose slots hold the manifests of a store's snapshots. A
 * commit writes one slot in place, a whole 4 KiB block over blocks allocated when the slot was first written, and
 * fdatasyncs the file: no file is created, renamed or deleted, so no directory sync is needed (LMDB's meta pages and
 * H2's store headers are rewritten in place the same way). The records the manifest names are flushed at the same
 * time; the manifest's checksums of the record ranges it flushed ({@link ManifestDescriptor}) tell, after a power
 * cut, a commit whose records reached the disk from one whose slot did and records did not.
 *
 * <p>The file is a header block, then slots, each one block of eight 512-byte sectors. Every sector carries the
 * generation the slot holds and a checksum of its own, so that what a power cut leaves of a slot write (each sector
 * old or new: a disk writes a sector whole) is told from damage (a sector that fails its checksum):
 *
 * <pre>
 * header (block 0)
 *   0  magic             8 bytes  "MSNPSLH\0"
 *   8  major version     uint16
 *  10  minor version     uint16
 *  12  slot length       int32    4096
 *  16  sector length     int32    512
 *  20  reserved          40 bytes zero
 *  60  CRC32C of [0, 60)
 *
 * slot i, at (i + 1) * slot length: sectors 0 to 7, each
 *   0  stamp             int64    the generation of the manifest the slot holds
 *   8  payload           500 bytes
 * 508  CRC32C of [0, 508) of the sector
 *
 * the payloads of the eight sectors, in order (4,000 bytes)
 *   0  magic             8 bytes  "MSNPSLT\0"
 *   8  major version     uint16
 *  10  minor version     uint16
 *  12  slot index        int32    i (a slot found elsewhere is damage)
 *  16  manifest length   int32    M, 1 .. {@link #MANIFEST_CAPACITY}
 *  20  manifest          M bytes  a whole manifest ({@link ManifestDescriptor}), with its own checksum
 *      zero padding
 * </pre>
 *
 * <p>A slot is <b>free</b> when its first sector is all zeros (never written; or freed: retention zeroes the first
 * sector, a write no disk tears); <b>valid</b> when every sector passes its checksum and carries the same stamp;
 * <b>torn</b> when every sector either passes its checksum or is all zeros (never written) but they do not all carry
 * one stamp: a slot write a power cut cut short, some sectors new and some old; <b>damaged</b> when a sector that is not
 * all zeros fails its checksum. A commit writes whole slots only into free slots, or slots holding a snapshot that a
 * committed manifest dropped, never over one a committed manifest keeps. Every manifest names the slot the next commit
 * writes (extension {@link ManifestDescriptor#EXTENSION_NEXT_SLOT}): it is the only slot that a power cut can leave
 * torn, or holding a manifest whose records are not all on disk, while that manifest is the newest committed. A slot
 * past the end of the file is written by growing the file (one slot at a time, when every slot holds a snapshot that
 * retention keeps); a partial slot at the end is one such growth cut short.
 *
 * <p>The file is created by a writer's first open of a 4.0 store (a new store, or one a migration just upgraded, whose
 * newest manifest is a file): written whole as {@link #PENDING_FILE_NAME} with every slot free, fsynced, renamed, and
 * the directory fsynced, so that it is either absent or whole.
 */
public final class ManifestSlotsDescriptor
{
    public static final String FILE_NAME = "manifests.mss";
    /** The file while it is created: written whole, fsynced, then renamed to {@link #FILE_NAME}. */
    public static final String PENDING_FILE_NAME = FILE_NAME + ".pending";

    public static final long HEADER_MAGIC = 0x0048_4C53_504E_534DL; // "MSNPSLH\0" little-endian
    public static final int HEADER_MAGIC_OFFSET = 0;
    public static final int HEADER_MAJOR_OFFSET = HEADER_MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int HEADER_MINOR_OFFSET = HEADER_MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int SLOT_LENGTH_OFFSET = HEADER_MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int SECTOR_LENGTH_OFFSET = SLOT_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int HEADER_RESERVED_OFFSET = SECTOR_LENGTH_OFFSET + SIZE_OF_INT;
    public static final int HEADER_CRC_OFFSET = 60;

    /** Every slot, and the header, is one block of this length: one write of an allocated block. */
    public static final int SLOT_LENGTH = 4096;
    /** What a disk writes whole: a slot write a power cut interrupts leaves each sector old or new. */
    public static final int SECTOR_LENGTH = 512;
    public static final int SECTORS = SLOT_LENGTH / SECTOR_LENGTH;

    /** In each sector: the generation the slot holds. */
    public static final int STAMP_OFFSET = 0;
    /** In each sector: where its part of the slot's payload starts. */
    public static final int SECTOR_PAYLOAD_OFFSET = STAMP_OFFSET + SIZE_OF_LONG;
    /** In each sector: its CRC32C of [0, SECTOR_CRC_OFFSET). */
    public static final int SECTOR_CRC_OFFSET = SECTOR_LENGTH - SIZE_OF_INT;
    public static final int SECTOR_PAYLOAD_LENGTH = SECTOR_CRC_OFFSET - SECTOR_PAYLOAD_OFFSET;
    public static final int PAYLOAD_LENGTH = SECTORS * SECTOR_PAYLOAD_LENGTH;

    /** In the payload. */
    public static final long SLOT_MAGIC = 0x0054_4C53_504E_534DL; // "MSNPSLT\0" little-endian
    public static final int SLOT_MAGIC_OFFSET = 0;
    public static final int SLOT_MAJOR_OFFSET = SLOT_MAGIC_OFFSET + SIZE_OF_LONG;
    public static final int SLOT_MINOR_OFFSET = SLOT_MAJOR_OFFSET + SIZE_OF_SHORT;
    public static final int SLOT_INDEX_OFFSET = SLOT_MINOR_OFFSET + SIZE_OF_SHORT;
    public static final int MANIFEST_LENGTH_OFFSET = SLOT_INDEX_OFFSET + SIZE_OF_INT;
    public static final int MANIFEST_OFFSET = MANIFEST_LENGTH_OFFSET + SIZE_OF_INT;
    /** The largest manifest a slot holds; a larger one is committed into a manifest file of its own. */
    public static final int MANIFEST_CAPACITY = PAYLOAD_LENGTH - MANIFEST_OFFSET;

    /** What retention zeroes to free a slot: its first sector. */
    public static final int FREE_LENGTH = SECTOR_LENGTH;

    /** Slots of a new file: the newest three snapshots (retention's default) and the one the next commit writes. */
    public static final int INITIAL_SLOTS = 4;

    private ManifestSlotsDescriptor()
    {
    }

    /** @return where slot {@code index} starts in the file. */
    public static long slotOffset(final int index)
    {
        return (long)(index + 1) * SLOT_LENGTH;
    }

    /** @return where payload byte {@code at} of a slot lies in the slot. */
    public static int payloadToSlot(final int at)
    {
        return at / SECTOR_PAYLOAD_LENGTH * SECTOR_LENGTH + SECTOR_PAYLOAD_OFFSET + at % SECTOR_PAYLOAD_LENGTH;
    }

    /** @return how many whole slots a file of {@code length} bytes holds. */
    public static int slotCount(final long length)
    {
        return (int)Math.max(0, Math.min(Integer.MAX_VALUE, length / SLOT_LENGTH - 1));
    }
}
