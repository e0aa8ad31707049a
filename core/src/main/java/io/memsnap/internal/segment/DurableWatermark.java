package io.memsnap.internal.segment;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.memsnap.internal.format.WatermarkDescriptor.*;

/**
 * The durable watermark file ({@link io.memsnap.internal.format.WatermarkDescriptor}): written by the writer after
 * each flush that acknowledges records outside a snapshot ({@code sync()}, a write with
 * {@code Durability.EVERY_WRITE}), after recovery, and at a clean close; read by recovery.
 *
 * <p>Thread safe: {@link #write} is synchronised (a sync and an EVERY_WRITE put may call it at once) and never
 * moves the watermark back.
 */
public final class DurableWatermark
{
    /** One slot's content. Immutable. */
    public static final class Mark
    {
        public final long counter;
        public final long lastSequence;
        /** Address (segment id and offset) of the first record after {@link #lastSequence}. */
        public final long tailAddress;
        public final boolean clean;

        Mark(final long counter, final long lastSequence, final long tailAddress, final boolean clean)
        {
            this.counter = counter;
            this.lastSequence = lastSequence;
            this.tailAddress = tailAddress;
            this.clean = clean;
        }

        @Override
        public String toString()
        {
            return "watermark{sequence " + lastSequence + ", tail segment " +
                IndexPageDescriptor.segmentId(tailAddress) + " offset " + IndexPageDescriptor.offset(tailAddress) +
                (clean ? ", closed cleanly" : "") + '}';
        }
    }

    private final StoreFileSystem fs;
    private final Path dir;
    private final Path path;
    private final ByteBuffer slot = ByteBuffer.allocateDirect(SLOT_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private final Checksum checksum = new Checksum();
    private StoreFile file;
    private boolean directorySynced;
    private long counter;
    private long lastSequence = -1;

    /** @param newest the mark recovery read, or null. */
    public DurableWatermark(final StoreFileSystem fs, final Path dir, final Mark newest)
    {
        this.fs = fs;
        this.dir = dir;
        this.path = dir.resolve(FILE_NAME);
        this.counter = newest == null ? 0 : newest.counter;
    }

    /**
     * Reads the newest slot that validates.
     *
     * @return it, or null when the file is absent or no slot was ever written whole.
     * @throws CorruptStoreException if no slot validates but one holds bytes that are not a torn write's: both
     *                               slots are damaged.
     */
    public static Mark read(final Path dir) throws IOException
    {
        final Path path = dir.resolve(FILE_NAME);
        final ByteBuffer bytes = ByteBuffer.allocate(FILE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0)
            {
                // the whole file, short if the file is
            }
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        final int length = bytes.position();
        Mark newest = null;
        int damaged = 0;
        String problem = null;
        final Checksum checksum = new Checksum();
        for (int i = 0; i < SLOTS; i++)
        {
            final int at = i * SLOT_STRIDE;
            if (at + SLOT_LENGTH > length || isZero(bytes, at))
            {
                continue;
            }
            final int stored = bytes.getInt(at + CRC_OFFSET);
            final int actual = checksum.compute(bytes.array(), at, CRC_OFFSET);
            if (stored != actual || bytes.getLong(at + MAGIC_OFFSET) != MAGIC)
            {
                damaged++;
                problem = "slot " + i + ": checksum " + Checksum.unsigned(stored) + " where the bytes give " +
                    Checksum.unsigned(actual);
                continue;
            }
            FormatVersion.check(path, bytes.getShort(at + MAJOR_OFFSET) & 0xFFFF,
                bytes.getShort(at + MINOR_OFFSET) & 0xFFFF);
            final Mark mark = new Mark(bytes.getLong(at + COUNTER_OFFSET), bytes.getLong(at + LAST_SEQUENCE_OFFSET),
                IndexPageDescriptor.address(bytes.getInt(at + TAIL_SEGMENT_OFFSET), bytes.getInt(at + TAIL_OFFSET_OFFSET)),
                (bytes.getInt(at + FLAGS_OFFSET) & FLAG_CLEAN) != 0);
            if (newest == null || mark.counter > newest.counter)
            {
                newest = mark;
            }
        }
        if (newest == null && damaged == SLOTS)
        {
            throw new CorruptStoreException("both slots of the durable watermark are damaged (" + problem + "): " +
                "how far sync() acknowledged the log is unknown; run 'memsnap salvage' to copy what validates " +
                "into a new store", path, 0);
        }
        return newest;
    }

    private static boolean isZero(final ByteBuffer bytes, final int at)
    {
        for (int i = at; i < at + SLOT_LENGTH; i++)
        {
            if (bytes.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes a new watermark durable: writes it into the slot the newest one is not in, and fdatasyncs it. The first
     * write creates the file and syncs the directory. Nothing is written when {@code lastSequence} is below the
     * watermark already written (a sync racing an EVERY_WRITE put, or one with nothing new), unless {@code clean} is set.
     *
     * @param tailAddress the address of the first record after {@code lastSequence}.
     */
    public synchronized void write(final long lastSequence, final long tailAddress, final boolean clean)
        throws IOException
    {
        if (lastSequence <= this.lastSequence && !clean)
        {
            return;
        }
        if (file == null || !file.isOpen())
        {
            file = fs.openOrCreate(path);
            if (file.size() < FILE_LENGTH)
            {
                // New, or its creation was cut short: both slots zero (never written), length durable.
                file.writeFully(ByteBuffer.allocate(FILE_LENGTH - (int)file.size()), file.size());
                file.force(true);
            }
            if (!directorySynced)
            {
                // Whoever created the file may have died before it synced the directory: its name must be durable
                // before a watermark in it acknowledges anything.
                fs.syncDirectory(dir);
                directorySynced = true;
            }
        }
        final long next = counter + 1;
        slot.clear();
        slot.putLong(MAGIC_OFFSET, MAGIC)
            .putShort(MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
            .putShort(MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
            .putInt(FLAGS_OFFSET, clean ? FLAG_CLEAN : 0)
            .putLong(COUNTER_OFFSET, next)
            .putLong(LAST_SEQUENCE_OFFSET, lastSequence)
            .putInt(TAIL_SEGMENT_OFFSET, IndexPageDescriptor.segmentId(tailAddress))
            .putInt(TAIL_OFFSET_OFFSET, IndexPageDescriptor.offset(tailAddress));
        slot.putInt(CRC_OFFSET, checksum.compute(slot.duplicate(), 0, CRC_OFFSET));
        slot.clear();
        file.writeFully(slot, (next % SLOTS) * SLOT_STRIDE);
        file.force(false);
        counter = next;
        this.lastSequence = Math.max(this.lastSequence, lastSequence);
    }

    /**
     * For a rewind: makes durable a watermark that may be below the one written before (the new timeline's log holds
     * fewer records), as {@link #write} does otherwise. Later writes move on from it.
     */
    public synchronized void branch(final long lastSequence, final long tailAddress) throws IOException
    {
        this.lastSequence = -1;
        write(lastSequence, tailAddress, false);
    }

    /** Closes the file handle. Idempotent. */
    public synchronized void close()
    {
        final StoreFile f = file;
        file = null;
        StoreFile.closeQuietly(f);
    }
}
