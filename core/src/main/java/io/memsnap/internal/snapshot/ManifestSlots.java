package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.memsnap.internal.format.ManifestSlotsDescriptor.*;

/**
 * The bytes of {@code manifests.mss} (layout in {@link io.memsnap.internal.format.ManifestSlotsDescriptor}): reads
 * its slots, and, for the writer, creates the file, writes a slot in place and frees one. What each slot means for
 * the store (which snapshots are retained, which slot the next commit takes) is {@link ManifestStore}'s.
 *
 * <p>Reads go to the file directly, writes through the store's file-system seam. Not thread safe for writes: one
 * owner at a time (the committing thread, or the helper it hands a slot write to and waits for); reads are thread
 * safe, and a read beside a write of the same slot may see a mix of old and new sectors, a torn slot.
 */
public final class ManifestSlots
{
    /** One slot as read. Immutable. */
    public static final class Slot
    {
        /** What a slot holds (see {@link io.memsnap.internal.format.ManifestSlotsDescriptor}). */
        public enum State
        {
            /** Never written, or freed by retention: its first sector is all zeros. */
            FREE,
            /** Every sector valid, one stamp: a manifest of {@link #generation}. */
            VALID,
            /** Every sector valid or never written, stamps that differ: a slot write a power cut cut short. */
            TORN,
            /** A sector that fails its checksum, or a whole slot that does not hold a manifest: damage. */
            DAMAGED
        }

        public final int index;
        public final State state;
        /** The generation a valid slot holds; -1 otherwise. */
        public final long generation;
        /** The raw slot, as read. */
        private final byte[] bytes;
        /** Why a torn or damaged slot does not validate; null otherwise. */
        public final String problem;
        /** The highest generation a sector that passes its checksum names (-1 if none): that of a torn write too. */
        public final long highestStamp;

        Slot(final int index, final State state, final long generation, final byte[] bytes, final String problem)
        {
            this.index = index;
            this.state = state;
            this.generation = generation;
            this.bytes = bytes;
            this.problem = problem;
            this.highestStamp = highestStamp(bytes);
        }

        private static long highestStamp(final byte[] bytes)
        {
            final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            final Checksum checksum = new Checksum();
            long highest = -1;
            for (int k = 0; k < SECTORS; k++)
            {
                final int at = k * SECTOR_LENGTH;
                if (!isZero(bytes, at) && b.getInt(at + SECTOR_CRC_OFFSET) == checksum.compute(bytes, at,
                    SECTOR_CRC_OFFSET))
                {
                    highest = Math.max(highest, b.getLong(at + STAMP_OFFSET));
                }
            }
            return highest;
        }

        /** @return whether it is torn or damaged. */
        public boolean fails()
        {
            return state == State.TORN || state == State.DAMAGED;
        }

        /** @return the manifest bytes of a valid slot. */
        public byte[] manifest()
        {
            final byte[] payload = payload(bytes);
            final int length = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(MANIFEST_LENGTH_OFFSET);
            return Arrays.copyOfRange(payload, MANIFEST_OFFSET, MANIFEST_OFFSET + length);
        }

        /** @return the slot's bytes as read (for a copy into quarantine). */
        public byte[] bytes()
        {
            return bytes.clone();
        }

        @Override
        public String toString()
        {
            return "slot " + index + (state == State.VALID ? " (generation " + generation + ")" :
                state == State.FREE ? " (free)" : " (" + state.name().toLowerCase() + ": " + problem + ")");
        }
    }

    private final StoreFileSystem fs;
    private final Path path;
    private final ByteBuffer block = ByteBuffer.allocateDirect(SLOT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    /** The writer's handle; null until the first write. */
    private StoreFile file;

    public ManifestSlots(final StoreFileSystem fs, final Path dir)
    {
        this.fs = fs;
        this.path = dir.resolve(FILE_NAME);
    }

    public Path path()
    {
        return path;
    }

    /**
     * Reads every whole slot.
     *
     * @return the slots in order; empty if the file does not exist.
     */
    public List<Slot> readAll() throws IOException
    {
        final byte[] bytes;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            final long size = channel.size();
            final int count = slotCount(size);
            final ByteBuffer all = ByteBuffer.allocate((int)slotOffset(count));
            while (all.hasRemaining() && channel.read(all, all.position()) >= 0)
            {
                // the header and every whole slot
            }
            bytes = all.array();
        }
        catch (final NoSuchFileException ex)
        {
            return List.of();
        }
        final List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < slotCount(bytes.length); i++)
        {
            final int from = (int)slotOffset(i);
            slots.add(decode(i, Arrays.copyOfRange(bytes, from, from + SLOT_LENGTH)));
        }
        return slots;
    }

    /**
     * Reads one slot.
     *
     * @return it, or null if the file holds no such slot.
     */
    public Slot read(final int index) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(SLOT_LENGTH);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (channel.size() < slotOffset(index) + SLOT_LENGTH)
            {
                return null;
            }
            while (bytes.hasRemaining() && channel.read(bytes, slotOffset(index) + bytes.position()) >= 0)
            {
                // the whole slot
            }
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        return decode(index, bytes.array());
    }

    /** @return the header's problem, or null if it validates and names this build's slot length. */
    public String headerProblem() throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(SLOT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            while (header.hasRemaining() && channel.read(header, header.position()) >= 0)
            {
                // the header block
            }
        }
        if (header.position() < HEADER_CRC_OFFSET + Integer.BYTES)
        {
            return "the file is shorter than its header";
        }
        final int stored = header.getInt(HEADER_CRC_OFFSET);
        final int actual = new Checksum().compute(header.array(), 0, HEADER_CRC_OFFSET);
        if (header.getLong(HEADER_MAGIC_OFFSET) != HEADER_MAGIC || stored != actual)
        {
            return "its header does not validate (checksum " + Checksum.unsigned(stored) + " where the bytes give " +
                Checksum.unsigned(actual) + ")";
        }
        FormatVersion.check(path, header.getShort(HEADER_MAJOR_OFFSET) & 0xFFFF,
            header.getShort(HEADER_MINOR_OFFSET) & 0xFFFF);
        final int slotLength = header.getInt(SLOT_LENGTH_OFFSET);
        final int sectorLength = header.getInt(SECTOR_LENGTH_OFFSET);
        return slotLength == SLOT_LENGTH && sectorLength == SECTOR_LENGTH ? null : "its header names slots of " +
            slotLength + " bytes in sectors of " + sectorLength + ", not " + SLOT_LENGTH + " in " + SECTOR_LENGTH;
    }

    private static Slot decode(final int index, final byte[] bytes)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final Checksum checksum = new Checksum();
        if (isZero(bytes, 0))
        {
            return new Slot(index, Slot.State.FREE, -1, bytes, null);
        }
        long stamp = -1;
        boolean mixed = false;
        for (int k = 0; k < SECTORS; k++)
        {
            final int at = k * SECTOR_LENGTH;
            if (isZero(bytes, at))
            {
                mixed = true; // never written: the rest of a write cut short
                continue;
            }
            final int stored = b.getInt(at + SECTOR_CRC_OFFSET);
            final int actual = checksum.compute(bytes, at, SECTOR_CRC_OFFSET);
            if (stored != actual)
            {
                return new Slot(index, Slot.State.DAMAGED, -1, bytes, "sector " + k + ": checksum " +
                    Checksum.unsigned(stored) + " where the bytes give " + Checksum.unsigned(actual));
            }
            final long s = b.getLong(at + STAMP_OFFSET);
            mixed |= stamp >= 0 && s != stamp;
            stamp = stamp < 0 ? s : stamp;
        }
        if (mixed)
        {
            return new Slot(index, Slot.State.TORN, -1, bytes, "its sectors hold different writes (generations " +
                stamps(b) + ")");
        }
        final ByteBuffer payload = ByteBuffer.wrap(payload(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        final int length = payload.getInt(MANIFEST_LENGTH_OFFSET);
        String problem = null;
        if (payload.getLong(SLOT_MAGIC_OFFSET) != SLOT_MAGIC)
        {
            problem = "bad magic";
        }
        else if (payload.getInt(SLOT_INDEX_OFFSET) != index)
        {
            problem = "it names slot " + payload.getInt(SLOT_INDEX_OFFSET);
        }
        else if (length < 1 || length > MANIFEST_CAPACITY)
        {
            problem = "it names a manifest of " + length + " bytes";
        }
        return problem != null ? new Slot(index, Slot.State.DAMAGED, -1, bytes, problem) :
            new Slot(index, Slot.State.VALID, stamp, bytes, null);
    }

    /** @return whether the sector at {@code at} is all zeros. */
    private static boolean isZero(final byte[] bytes, final int at)
    {
        for (int i = at; i < at + SECTOR_LENGTH; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static String stamps(final ByteBuffer b)
    {
        final StringBuilder sb = new StringBuilder();
        for (int k = 0; k < SECTORS; k++)
        {
            sb.append(k == 0 ? "" : ", ").append(b.getLong(k * SECTOR_LENGTH + STAMP_OFFSET));
        }
        return sb.toString();
    }

    /** @return the payloads of a slot's sectors, in order. */
    private static byte[] payload(final byte[] slot)
    {
        final byte[] payload = new byte[PAYLOAD_LENGTH];
        for (int k = 0; k < SECTORS; k++)
        {
            System.arraycopy(slot, k * SECTOR_LENGTH + SECTOR_PAYLOAD_OFFSET, payload, k * SECTOR_PAYLOAD_LENGTH,
                SECTOR_PAYLOAD_LENGTH);
        }
        return payload;
    }

    /**
     * Writer: writes a whole file, the header and {@code slots} slots, slot 0 holding {@code manifest} (or free when
     * null), to {@code target}, which must not exist, and fsyncs it. The caller renames it into place and syncs the
     * directory.
     */
    public void create(final Path target, final int slots, final long generation, final byte[] manifest)
        throws IOException
    {
        final ByteBuffer all = ByteBuffer.allocate((int)slotOffset(slots)).order(ByteOrder.LITTLE_ENDIAN);
        all.putLong(HEADER_MAGIC_OFFSET, HEADER_MAGIC)
            .putShort(HEADER_MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
            .putShort(HEADER_MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
            .putInt(SLOT_LENGTH_OFFSET, SLOT_LENGTH)
            .putInt(SECTOR_LENGTH_OFFSET, SECTOR_LENGTH);
        all.putInt(HEADER_CRC_OFFSET, new Checksum().compute(all.array(), 0, HEADER_CRC_OFFSET));
        if (manifest != null)
        {
            all.position((int)slotOffset(0));
            all.put(slot(0, generation, manifest));
        }
        all.clear();
        try (StoreFile f = fs.create(target))
        {
            f.writeFully(all, 0);
            f.force(true);
        }
    }

    /**
     * Writer: writes slot {@code index} whole, holding {@code manifest}, and makes it durable (fdatasync; fsync when
     * the slot grows the file).
     */
    public void write(final int index, final long generation, final byte[] manifest) throws IOException
    {
        final StoreFile f = file();
        final boolean grows = f.size() < slotOffset(index) + SLOT_LENGTH;
        block.clear();
        block.put(slot(index, generation, manifest)).flip();
        f.writeFully(block, slotOffset(index));
        f.force(grows);
    }

    /** Writer: frees slot {@code index} (zeroes its first sector); durable with the next {@link #force}. */
    public void free(final int index) throws IOException
    {
        final StoreFile f = file();
        if (f.size() >= slotOffset(index) + SLOT_LENGTH)
        {
            f.writeFully(ByteBuffer.allocate(FREE_LENGTH), slotOffset(index));
        }
    }

    /** Writer: makes the slots freed so far durable (fdatasync). */
    public void force() throws IOException
    {
        file().force(false);
    }

    private StoreFile file() throws IOException
    {
        if (file == null || !file.isOpen())
        {
            file = fs.open(path);
        }
        return file;
    }

    /** @return the bytes of slot {@code index} holding {@code manifest} of {@code generation}, every sector stamped. */
    public static byte[] slot(final int index, final long generation, final byte[] manifest)
    {
        if (manifest.length < 1 || manifest.length > MANIFEST_CAPACITY)
        {
            throw new IllegalArgumentException("a slot holds a manifest of 1 to " + MANIFEST_CAPACITY + " bytes, not " +
                manifest.length);
        }
        final ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        payload.putLong(SLOT_MAGIC_OFFSET, SLOT_MAGIC)
            .putShort(SLOT_MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
            .putShort(SLOT_MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
            .putInt(SLOT_INDEX_OFFSET, index)
            .putInt(MANIFEST_LENGTH_OFFSET, manifest.length);
        payload.position(MANIFEST_OFFSET);
        payload.put(manifest);
        final ByteBuffer b = ByteBuffer.allocate(SLOT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final Checksum checksum = new Checksum();
        for (int k = 0; k < SECTORS; k++)
        {
            final int at = k * SECTOR_LENGTH;
            b.putLong(at + STAMP_OFFSET, generation);
            b.position(at + SECTOR_PAYLOAD_OFFSET);
            b.put(payload.array(), k * SECTOR_PAYLOAD_LENGTH, SECTOR_PAYLOAD_LENGTH);
            b.putInt(at + SECTOR_CRC_OFFSET, checksum.compute(b.array(), at, SECTOR_CRC_OFFSET));
        }
        return b.array();
    }

    /**
     * Closes the writer's handle. Idempotent. A slot freed and not flushed since is left to the next open's flush of
     * the slots: a power cut in between brings back a snapshot that no rule keeps, which retention drops again.
     */
    public void close()
    {
        final StoreFile f = file;
        file = null;
        StoreFile.closeQuietly(f);
    }
}
