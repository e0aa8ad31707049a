package io.memsnap.internal.segment;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.memsnap.internal.format.SegmentDescriptor.*;

/**
 * One segment file, mapped whole and read-only for its lifetime. Records are appended by the single writer of the
 * store with positional writes through the {@link StoreFileSystem} (see {@link SegmentLog}); any thread may read
 * bytes that the index published. The mapping is released only by {@link #unmap()}, which the store calls after
 * every reader that could reach it has left: at close, or once reclamation took the segment out of the log and a
 * grace period of the readers passed.
 */
public final class Segment
{
    private final int id;
    private final Path path;
    private final MemoryRegion mapped;
    private final long firstSequence;
    private final int length;
    private final int major;
    private final long timeline;
    private final long parentTimeline;
    private final long branchSequence;
    /** The file made ahead that this segment was started in, whose sync may still run; null for any other. */
    private final PreparedSegment prepared;
    /**
     * Whether a flush that began after the writer sealed this segment (rolled past it) has completed: every byte of
     * the file, header included, is durable, and no later write can change that (a sealed segment is never written
     * again). Set once, by {@link Writeback}; never for the tail, nor for a segment found at open.
     */
    private volatile boolean durableSealed;

    private Segment(final int id, final Path path, final MemoryRegion mapped, final long firstSequence,
        final int major, final long timeline, final long parentTimeline, final long branchSequence)
    {
        this(id, path, mapped, firstSequence, major, timeline, parentTimeline, branchSequence, null);
    }

    private Segment(final int id, final Path path, final MemoryRegion mapped, final long firstSequence,
        final int major, final long timeline, final long parentTimeline, final long branchSequence,
        final PreparedSegment prepared)
    {
        this.prepared = prepared;
        this.major = major;
        this.id = id;
        this.path = path;
        this.mapped = mapped;
        this.firstSequence = firstSequence;
        this.length = mapped.length();
        this.timeline = timeline;
        this.parentTimeline = parentTimeline;
        this.branchSequence = branchSequence;
    }

    /** As {@link #create(StoreFileSystem, Path, int, int, long, Segment, boolean)} on the first timeline. */
    public static Segment create(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final long firstSequence, final boolean preallocate) throws IOException
    {
        return create(fs, dir, id, length, firstSequence, SegmentDescriptor.FIRST_TIMELINE,
            SegmentDescriptor.FIRST_TIMELINE, 0, preallocate);
    }

    /**
     * As {@link #create(StoreFileSystem, Path, int, int, long, long, long, long, boolean)} on the timeline of
     * {@code sameTimeline}.
     */
    public static Segment create(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final long firstSequence, final Segment sameTimeline, final boolean preallocate) throws IOException
    {
        return create(fs, dir, id, length, firstSequence, sameTimeline.timeline, sameTimeline.parentTimeline,
            sameTimeline.branchSequence, preallocate);
    }

    /**
     * Creates a new segment of {@code length} bytes of {@code timeline}, which holds its parent's records up to
     * {@code branchSequence} (see {@link SegmentDescriptor}), writes its header, syncs it (with its length and its
     * directory entry) and maps it. The rest of the file is a hole that reads as zeros ({@link StoreFile#extend}), or
     * with {@code preallocate} is written as zeros first (see {@link MappedFiles#extend}).
     */
    public static Segment create(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final long firstSequence, final long timeline, final long parentTimeline, final long branchSequence,
        final boolean preallocate) throws IOException
    {
        final Path path = dir.resolve(SegmentDescriptor.fileName(id));
        MappedFiles.create(fs, dir, path, length, preallocate,
            header(id, length, firstSequence, timeline, parentTimeline, branchSequence));
        return new Segment(id, path, MappedFiles.mapRegion(path, 0, length), firstSequence,
            FormatVersion.CURRENT_MAJOR, timeline, parentTimeline, branchSequence);
    }

    /**
     * Starts a segment in a {@link PreparedSegment prepared} file, on the timeline of {@code sameTimeline}: the
     * segment whose first record will carry {@code firstSequence}, over the prepared mapping. Nothing is written: the
     * caller writes {@link #header} at offset 0 before the first record (an unflushed write, made durable by the
     * first flush of the segment, which waits for the file's own sync first: {@link #awaitFileSynced}).
     */
    static Segment start(final PreparedSegment prepared, final long firstSequence, final Segment sameTimeline)
    {
        return new Segment(prepared.id(), prepared.path(), prepared.mapping(), firstSequence,
            FormatVersion.CURRENT_MAJOR, sameTimeline.timeline, sameTimeline.parentTimeline,
            sameTimeline.branchSequence, prepared);
    }

    /**
     * Any flushing thread, before a flush of this segment: waits until its file, if it was made ahead, is durable with
     * its length and its directory entry ({@link PreparedSegment#sync}); at once for any other segment. No record of
     * the segment is acknowledged before, so a power cut cannot take the file with acknowledged records in it.
     *
     * @throws IOException if that sync failed: the flush fails with it (the file's writes may be lost whatever a
     *                     later flush says).
     */
    void awaitFileSynced() throws IOException
    {
        if (prepared != null)
        {
            prepared.awaitSynced();
        }
    }

    /**
     * Marks the segment durable as sealed: the caller (the write-back thread) completed a flush of its file that began
     * after the writer's last write into it (see {@link Writeback#sealed}).
     */
    void markDurableSealed()
    {
        durableSealed = true;
    }

    /**
     * Any thread: whether the segment was sealed and every byte of it is durable since ({@link #markDurableSealed}),
     * so that a snapshot or a sync need not flush it again. False means unknown, not the opposite.
     */
    public boolean isDurableSealed()
    {
        return durableSealed;
    }

    /**
     * @param checksum the caller's (the writer's, whose checksum code runs compiled: a roll is too rare for its own).
     * @return the header of this segment as {@link #create} writes it ({@link SegmentDescriptor}), checksummed.
     */
    ByteBuffer header(final Checksum checksum)
    {
        return header(id, length, firstSequence, timeline, parentTimeline, branchSequence, checksum);
    }

    private static ByteBuffer header(final int id, final int length, final long firstSequence, final long timeline,
        final long parentTimeline, final long branchSequence)
    {
        return header(id, length, firstSequence, timeline, parentTimeline, branchSequence, new Checksum());
    }

    private static ByteBuffer header(final int id, final int length, final long firstSequence, final long timeline,
        final long parentTimeline, final long branchSequence, final Checksum checksum)
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, MAGIC)
            .putShort(MAJOR_OFFSET, (short)FormatVersion.CURRENT_MAJOR)
            .putShort(MINOR_OFFSET, (short)FormatVersion.CURRENT_MINOR)
            .putInt(SEGMENT_ID_OFFSET, id)
            .putLong(FIRST_SEQUENCE_OFFSET, firstSequence)
            .putInt(FILE_LENGTH_OFFSET, length)
            .putLong(TIMELINE_OFFSET, timeline)
            .putLong(PARENT_TIMELINE_OFFSET, parentTimeline)
            .putLong(BRANCH_SEQUENCE_OFFSET, branchSequence);
        header.putInt(CRC_OFFSET, checksum.compute(header.duplicate(), 0, CRC_OFFSET));
        return header.clear();
    }

    /**
     * Whether a segment file was never started: its header is all zeros and so is the place of its first record (a
     * file shorter than that counts its missing bytes as zeros). That is a segment prepared ahead of the log that no
     * roll reached, or whose header a power cut took before the first flush of the segment (see
     * {@link SegmentDescriptor}): nothing in it was ever acknowledged.
     */
    public static boolean neverStarted(final Path file) throws IOException
    {
        final ByteBuffer start = ByteBuffer.allocate(HEADER_LENGTH + Long.BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (start.hasRemaining() && channel.read(start, start.position()) > 0)
            {
                // read what the file has of it
            }
        }
        for (int i = 0; i < start.position(); i++)
        {
            if (start.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Maps an existing segment and validates its header.
     *
     * @throws CorruptStoreException if the header is damaged or does not match the file.
     */
    public static Segment open(final Path dir, final int id) throws IOException
    {
        final Path path = dir.resolve(SegmentDescriptor.fileName(id));
        final long size = Files.size(path);
        checkSize(path, size);
        return validate(path, id, size, MappedFiles.mapRegion(path, 0, (int)size));
    }

    /**
     * As {@link #open(Path, int)}, mapping through {@code channel} (a pinned reader's, see {@link ReaderPins}: a
     * mapping made through any other channel would close it, and with it the process's lock on the file).
     */
    public static Segment open(final Path dir, final int id, final FileChannel channel) throws IOException
    {
        final Path path = dir.resolve(SegmentDescriptor.fileName(id));
        final long size = channel.size();
        checkSize(path, size);
        return validate(path, id, size, MemoryRegion.mapReadOnly(channel, 0, (int)size));
    }

    private static void checkSize(final Path path, final long size)
    {
        if (size < HEADER_LENGTH || size > Integer.MAX_VALUE)
        {
            throw new CorruptStoreException("segment file has impossible length " + size, path, 0);
        }
    }

    private static Segment validate(final Path path, final int id, final long size, final MemoryRegion mapped)
    {
        final MemoryRegion header = mapped;
        final int major;
        try
        {
            final int stored = header.getInt(CRC_OFFSET);
            final int actual = new Checksum().compute(mapped.byteBuffer(0, CRC_OFFSET), 0, CRC_OFFSET);
            if (stored != actual)
            {
                throw new CorruptStoreException("segment header checksum mismatch", path, 0,
                    Checksum.unsigned(stored), Checksum.unsigned(actual));
            }
            if (header.getLong(MAGIC_OFFSET) != MAGIC)
            {
                throw new CorruptStoreException("not a memsnap segment (bad magic)", path, MAGIC_OFFSET);
            }
            major = header.getShort(MAJOR_OFFSET) & 0xFFFF;
            FormatVersion.check(path, major, header.getShort(MINOR_OFFSET) & 0xFFFF);
            if (header.getInt(SEGMENT_ID_OFFSET) != id || header.getInt(FILE_LENGTH_OFFSET) != size)
            {
                throw new CorruptStoreException("segment header names id " + header.getInt(SEGMENT_ID_OFFSET) +
                    " and length " + header.getInt(FILE_LENGTH_OFFSET) + " but the file is " + id + " of " + size +
                    " bytes", path, SEGMENT_ID_OFFSET);
            }
        }
        catch (final RuntimeException ex)
        {
            mapped.close();
            throw ex;
        }
        return new Segment(id, path, mapped, header.getLong(FIRST_SEQUENCE_OFFSET), major,
            header.getLong(TIMELINE_OFFSET), header.getLong(PARENT_TIMELINE_OFFSET),
            header.getLong(BRANCH_SEQUENCE_OFFSET));
    }

    /**
     * Maps a segment file read-only without checking its header, for salvage of a damaged store: the caller has
     * judged the header itself and says what to read the records as (its timelines too: this segment's
     * {@link #timeline()} says the first).
     *
     * @param firstSequence the header's first sequence if it validated, else -1.
     * @param major         the major format version to read the records as (what PAD records are allowed).
     */
    public static Segment mapUnchecked(final Path path, final int id, final long firstSequence, final int major)
        throws IOException
    {
        final long size = Files.size(path);
        if (size > Integer.MAX_VALUE)
        {
            throw new CorruptStoreException("segment file has impossible length " + size, path, 0);
        }
        return new Segment(id, path, MappedFiles.mapRegion(path, 0, (int)size), firstSequence, major,
            SegmentDescriptor.FIRST_TIMELINE, SegmentDescriptor.FIRST_TIMELINE, 0);
    }

    public int id()
    {
        return id;
    }

    public Path path()
    {
        return path;
    }

    /**
     * @return the bytes of the whole file; readers may read only what the index or a manifest points at. Valid until
     * {@link #unmap()}.
     */
    public MemoryRegion buffer()
    {
        return mapped;
    }

    /**
     * @return a new view of the mapping with its own position and limit, for checksumming (allocates: a reader makes
     * one per segment and keeps it, see {@link SegmentViews}).
     */
    public ByteBuffer newView()
    {
        return mapped.byteBuffer(0, length);
    }

    public long firstSequence()
    {
        return firstSequence;
    }

    /** @return the timeline the header names (see {@link SegmentDescriptor}); 0 for segments written before. */
    public long timeline()
    {
        return timeline;
    }

    /** @return the timeline that {@link #timeline()} branched from, as the header names it. */
    public long parentTimeline()
    {
        return parentTimeline;
    }

    /** @return the last sequence {@link #timeline()} holds of its parent's records, as the header names it. */
    public long branchSequence()
    {
        return branchSequence;
    }

    public int length()
    {
        return length;
    }

    /** @return the major format version in the header: what the segment may hold (PAD records from 2.0). */
    public int major()
    {
        return major;
    }

    /**
     * Releases the mapping ({@link MemoryRegion#close()}); a second call does nothing. The caller guarantees that no
     * thread reads this segment, nor a view from {@link #newView()}, any more.
     */
    public void unmap()
    {
        mapped.close();
    }
}
