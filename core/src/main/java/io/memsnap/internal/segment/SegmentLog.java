package io.memsnap.internal.segment;

import io.memsnap.CorruptStoreException;
import io.memsnap.InvalidEntryException;
import io.memsnap.StoreFullException;
import io.memsnap.StoreIoException;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.RecordEncoder;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.KeyMatcher;
import io.memsnap.internal.memory.MemoryRegion;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * The chain of segments: appends records at the tail and resolves record addresses for readers.
 *
 * <p>Concurrency: the append methods and {@link #resume} are for the single writer (the store serialises them under
 * its write lock), and so is {@link #matches}, the key matcher of the writer and of recovery.
 * {@link #segment(int)}, {@link #buffer(int)} and {@link #locate} may be called by any thread:
 * the segment table is published through a volatile field, and a segment leaves it ({@link #remove}) only once no
 * index version a reader may use points into it and a grace period of the store's readers has passed (compaction
 * and reclamation, {@code io.memsnap.internal.lifecycle}); it is unmapped after that. Bytes of a record are written
 * before the index publishes its address with a release store, so a reader that found an address sees the whole
 * record.
 *
 * <p>Writes: a record is composed in the write buffer ({@link TailBuffer}, off the heap) and handed to the file with
 * positional writes ({@link SegmentAppender}): at once (write-through, the default), or, with
 * {@link #writeBehind(boolean) write-behind} and in a {@link #beginBatch batch}, when the buffer is full and whenever
 * {@link #handOff} is called (a sync, a snapshot's freeze, a roll, close, the end of the batch), many records with
 * one write. Until then a reader finds the record in the
 * buffer ({@link #locate}). Nothing is stored through the mapping, which readers, recovery and the flushes use.
 * Stores through a shared mapping leave writable page-table entries that every flush must write-protect again,
 * with a TLB shoot-down (an inter-processor interrupt) to every CPU running one of the process's threads: measured
 * on a two-vCPU guest, a thread looping snapshots tripled the writer's median put latency that way, and took a
 * third of a reader's throughput. A page the kernel fills from a write() is never mapped writable, so a flush has
 * nothing to write-protect. It also makes a full disk an {@link IOException} of the write (a
 * {@link StoreIoException} to the caller), never a fault inside a store into a hole of a sparse segment.
 *
 * <p>Segments have the lengths {@link SegmentSizing} gives: a new store starts small and each segment doubles,
 * up to {@code StoreOptions.segmentSize}. Every length is the segment's own, read from its header (a store written
 * with fixed-size segments opens as it is).
 *
 * <p>Rolls: the file of the next segment is made ahead, off the write lock, by a {@link SegmentPreparer} (when the
 * store gives one, {@link #prepareWith}); a roll writes the new segment's header into it with one positional write
 * and goes on, with no fsync: the file and the header become durable by the first flush of the segment, which every
 * acknowledgement of a record in it includes (see {@link #roll}).
 */
public final class SegmentLog implements KeyMatcher
{
    /**
     * Where {@link #padToBoundary} ends a flushed range: the page size of the platforms memsnap runs on (4 KiB on
     * x86-64 and most ARM64 kernels; with larger pages the padding still helps but a flush may share its last page
     * with the writer). Not part of the format: readers take PAD records of any length.
     */
    public static final int FLUSH_BOUNDARY = 4096;

    private final StoreFileSystem fs;
    private final Path dir;
    /** The largest segment ({@code StoreOptions.segmentSize}): segments grow up to it, and every record fits it. */
    private final int segmentSize;
    private final boolean preallocate;
    /** The default size of the write buffer ({@code StoreOptions.writeBufferBytes}). */
    public static final int DEFAULT_WRITE_BUFFER = 256 * 1024;

    private final Checksum writerChecksum = new Checksum();
    private final SegmentAppender appender;
    private final AppendedRanges appended = new AppendedRanges();
    private final TailBuffer tail;
    /** Whether records wait in the write buffer until it is full or {@link #handOff} is called (the store's mode). */
    private boolean writeBehind;
    /** Whether a batch is being appended: its records wait in the write buffer until {@link #endBatch}. */
    private boolean batching;
    /**
     * A record larger than the write buffer is composed here and written through; null until the first, replaced
     * (and the one before released) when a larger one comes.
     */
    private MemoryRegion scratch;
    /** A view of the scratch buffer for checksums and writes (its position and limit change with each use). */
    private ByteBuffer scratchView;
    /** Where the record being composed goes: the write buffer, or the scratch buffer; and its offset there. */
    private MemoryRegion target;
    private int targetOffset;
    private final RecordScanner writerScanner = new RecordScanner();

    private volatile Segment[] segments;
    /** Segments taken out of the table whose addresses readers may still resolve (see {@link #remove}). */
    private volatile Segment[] retired = new Segment[0];
    /** The flushing thread's open handle and its segment (see {@link #force}). */
    private StoreFile flushFile;
    private Segment flushSegment;
    private volatile int filesCreated;
    /** Run by the writer after each roll to a new segment (wakes background compaction); never null. */
    private volatile Runnable rolled = () -> { };
    /** Makes the next segment's file ahead of its roll; null when the writer makes each file at its roll. */
    private volatile SegmentPreparer preparer;

    private Segment current;
    private int position;
    private long nextSequence;
    /**
     * Write end of each segment that the writer has left (index = segment id); the current one is open. Replaced
     * by a copy at each roll, never written in place, so that {@link #sealedEnds()} can hand it out.
     */
    private int[] sealedEnds;

    /** As {@link #SegmentLog(StoreFileSystem, Path, int, boolean, Segment[], int)} with the default write buffer. */
    public SegmentLog(final StoreFileSystem fs, final Path dir, final int segmentSize, final boolean preallocate,
        final Segment[] segments)
    {
        this(fs, dir, segmentSize, preallocate, segments, DEFAULT_WRITE_BUFFER);
    }

    /** @param writeBufferBytes the size of the write buffer (allocated when the first record is composed). */
    public SegmentLog(final StoreFileSystem fs, final Path dir, final int segmentSize, final boolean preallocate,
        final Segment[] segments, final int writeBufferBytes)
    {
        this.tail = new TailBuffer(writeBufferBytes);
        this.fs = fs;
        this.appender = new SegmentAppender(fs);
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.preallocate = preallocate;
        this.segments = segments;
        this.sealedEnds = new int[segments.length];
    }

    /**
     * Sets the tail: the next record goes to {@code segment} at {@code offset} with sequence {@code nextSequence}.
     * Segments with a lower id are sealed at the ends given.
     */
    public void resume(final int segmentId, final int offset, final long nextSequence, final int[] endsById)
    {
        this.current = segments[segmentId];
        this.appended.start(segmentId, offset);
        this.position = offset;
        this.tail.restart(IndexPageDescriptor.address(segmentId, offset));
        this.nextSequence = nextSequence;
        this.sealedEnds = Arrays.copyOf(endsById, Math.max(endsById.length, segments.length));
    }

    /**
     * Writer (under the store's write lock, or before the store is handed out): from now on the file of each next
     * segment is made ahead by {@code preparer}, starting with the one after the tail.
     */
    public void prepareWith(final SegmentPreparer preparer)
    {
        this.preparer = preparer;
        requestNext();
    }

    /**
     * Writer (under the store's write lock, or before the store is handed out): from now on {@code writeback} is told
     * of every write to the log, and flushes ahead of the snapshots.
     */
    public void writeBackWith(final Writeback writeback)
    {
        appender.writeBackWith(writeback);
    }

    /** Starts a fresh segment for the next record (after recovery cut a torn tail). */
    public void startNewSegment() throws IOException
    {
        roll(0);
    }

    /**
     * @throws InvalidEntryException if a record of this length can never fit in a segment.
     */
    public void requireFits(final long recordLength, final String kind, final String key)
    {
        final long capacity = segmentSize - SegmentDescriptor.HEADER_LENGTH;
        if (recordLength > capacity)
        {
            throw new InvalidEntryException(kind + " '" + key + "' needs a record of " + recordLength + " bytes but a segment holds " +
                capacity + ": make it smaller or open the store with a larger StoreOptions.segmentSize");
        }
    }

    /**
     * Appends a PUT (entry) or STATE_PUT (named state, no vector) record.
     *
     * @return its address.
     */
    public long appendValue(
        final byte type,
        final CharSequence key,
        final int keyLength,
        final int[] indices,
        final float[] values,
        final float importance,
        final long storedAtMillis,
        final byte[] value)
    {
        final int nnz = indices.length;
        final int length = (int)RecordDescriptor.recordLength(nnz, keyLength, value.length);
        reserve(length);
        RecordEncoder.header(target, targetOffset, length, nextSequence, type, keyLength, nnz, value.length,
            importance, storedAtMillis);
        RecordEncoder.body(target, targetOffset, indices, values, key, keyLength, value);
        return finish(length, true);
    }

    /**
     * Appends a copy of the valid record at {@code offset} of {@code source} (compaction): the same bytes with the
     * next sequence number and a new checksum; the stored-at time is the original's.
     *
     * @return the copy's address.
     */
    public long appendCopy(final Segment source, final int offset, final int length)
    {
        return appendCopy(source.buffer(), offset, length);
    }

    /**
     * Appends a copy of the record of {@code length} bytes at {@code offset} of {@code source} (a segment's, or one
     * encoded by a batch): the same bytes with the next sequence number and a new checksum.
     *
     * @return the copy's address.
     */
    public long appendCopy(final MemoryRegion source, final int offset, final int length)
    {
        reserve(length);
        source.copyTo(offset, target, targetOffset, length);
        target.putLong(targetOffset + SEQUENCE_OFFSET, nextSequence);
        return finish(length, true);
    }

    public long appendDelete(final CharSequence id, final int idLength, final boolean state)
    {
        final int length = (int)RecordDescriptor.recordLength(0, idLength, 0);
        reserve(length);
        RecordEncoder.header(target, targetOffset, length, nextSequence, state ? TYPE_STATE_DELETE : TYPE_DELETE,
            idLength, 0, 0, 0.0f, 0L);
        Utf8.encode(id, target, idOffset(targetOffset, 0));
        return finish(length, true);
    }

    /**
     * Makes room for a record of {@code length} bytes at the tail: rolls to a new segment if it does not fit in this
     * one, hands the write buffer off if the record does not fit after what it holds, and sets where to compose it
     * ({@link #target} at {@link #targetOffset}): the write buffer, or the scratch buffer for a record larger than
     * the write buffer. A hand-off or a roll that fails throws before anything of the record is written.
     */
    private void reserve(final int length)
    {
        final int aligned = RecordDescriptor.alignedLength(length);
        if (position + aligned > current.length())
        {
            handOff();
            try
            {
                roll(aligned);
            }
            catch (final IOException ex)
            {
                throw new StoreIoException("could not create segment " + (current.id() + 1) + " in " + dir, ex);
            }
        }
        if (aligned > tail.capacity())
        {
            handOff();
            target = scratch(aligned);
            targetOffset = 0;
            return;
        }
        if (aligned > tail.room())
        {
            handOff();
            tail.restart(tailAddress());
        }
        target = tail.bytes();
        targetOffset = tail.used();
    }

    /**
     * Completes the record composed at {@link #targetOffset} of {@link #target}: zeroes its alignment padding, writes
     * its checksum, and appends it at the tail: into the write buffer (handed off at once unless write-behind), or,
     * from the scratch buffer, with a write of its own. Readers find it only after the index publishes its address,
     * which happens after this returns. If the write fails the record is not appended (nothing of it counts, though
     * some of its bytes may lie in the file past the tail, where recovery would cut them as a torn tail).
     *
     * @param sequenced whether the record uses up a sequence number (a PAD does not).
     * @return its address.
     */
    private long finish(final int length, final boolean sequenced)
    {
        final int aligned = RecordDescriptor.alignedLength(length);
        final MemoryRegion b = target;
        final int o = targetOffset;
        for (int p = length; p < aligned; p++)
        {
            b.putByte(o + p, (byte)0);
        }
        final ByteBuffer view = b == scratch ? scratchView : tail.view();
        b.putInt(o + CRC_OFFSET, writerChecksum.compute(view, o + CHECKSUMMED_FROM, length - CHECKSUMMED_FROM));
        final int offset = position;
        if (b == scratch)
        {
            view.clear().limit(aligned);
            appender.write(current, view, offset);
            appended.appended(current.id(), view.clear().limit(aligned), offset);
            position = offset + aligned;
            tail.restart(tailAddress());
        }
        else
        {
            tail.appended(aligned);
            position = offset + aligned;
            if (!writeBehind && !batching)
            {
                try
                {
                    handOff();
                }
                catch (final StoreIoException ex)
                {
                    tail.unappend(aligned);
                    position = offset;
                    throw ex;
                }
            }
        }
        if (sequenced)
        {
            nextSequence++;
        }
        return IndexPageDescriptor.address(current.id(), offset);
    }

    /** @return the scratch buffer, large enough for a record of {@code aligned} bytes. */
    private MemoryRegion scratch(final int aligned)
    {
        if (scratch == null || scratch.length() < aligned)
        {
            final MemoryRegion old = scratch;
            scratch = MemoryRegion.allocate(aligned); // only the writer ever reads it: the old one can go at once
            scratchView = scratch.byteBuffer(0, aligned);
            if (old != null)
            {
                old.close();
            }
        }
        return scratch;
    }

    /**
     * Writer (under the store's write lock): whether records wait in the write buffer until it is full or
     * {@link #handOff} is called (true), or are handed to the file as each is appended (false, the default). Turning
     * it off does not hand off what the buffer holds: call {@link #handOff} for that.
     */
    public void writeBehind(final boolean on)
    {
        writeBehind = on;
    }

    /**
     * Writer (under the store's write lock): starts a batch of appends (a {@code WriteBatch}, a pass of compaction):
     * its records wait in the write buffer and are handed off when it is full and at {@link #endBatch}, so that the
     * batch costs a write a buffer, not one a record.
     */
    public void beginBatch()
    {
        batching = true;
    }

    /**
     * Writer: ends the batch {@link #beginBatch} started, handing its records off unless the store is write-behind.
     *
     * @throws StoreIoException if the hand-off fails (see {@link #handOff}): the records stay in the buffer.
     */
    public void endBatch()
    {
        batching = false;
        if (!writeBehind)
        {
            handOff();
        }
    }

    /**
     * Writer, before it lets the write lock go in the middle of a batch (to wait for index memory, say): ends the
     * batch as {@link #endBatch} does, so that writers that take the lock meanwhile find the log as they expect it.
     *
     * @return whether a batch was being appended: then {@link #resumeBatch} once the lock is held again.
     */
    public boolean pauseBatch()
    {
        if (!batching)
        {
            return false;
        }
        endBatch();
        return true;
    }

    /** Writer, holding the write lock again: goes on with the batch {@link #pauseBatch} paused. */
    public void resumeBatch()
    {
        batching = true;
    }

    /**
     * Writer (under the store's write lock): hands every record appended so far and still in the write buffer to
     * the file, with one positional write. From then on readers read them in the mapping, and a flush of the segment
     * makes them durable. Idempotent.
     *
     * @throws StoreIoException if the write fails (a full disk, say): the records stay in the buffer, readable, and a
     *                          later hand-off writes them again from where this one started.
     */
    public void handOff()
    {
        if (tail.allHandedOff())
        {
            return;
        }
        final long from = tail.handedOff();
        final int start = tail.offsetOf(from);
        final int offset = IndexPageDescriptor.offset(from);
        final ByteBuffer view = tail.view();
        view.clear().position(start).limit(tail.used());
        appender.write(current, view, offset);
        appended.appended(current.id(), view.clear().position(start).limit(tail.used()), offset);
        tail.handedOffAll();
    }

    /** @return whether every record appended so far was handed to the file. Writer. */
    public boolean allHandedOff()
    {
        return tail.allHandedOff();
    }

    /**
     * Writer (under the store's write lock), before a snapshot or a sync freezes the tail: ends what was written so
     * far on a {@link #FLUSH_BOUNDARY} with a PAD record. The flush that follows then covers whole pages that the
     * writer never touches again, so it cannot make the writer fault on a page under write-back (a stall of the
     * disk's latency, measured at up to milliseconds), and the next flush starts on a fresh page. Costs at most
     * {@code FLUSH_BOUNDARY + MIN_PAD_LENGTH} bytes of log a call.
     *
     * <p>Nothing is written when the tail is on a boundary already, when the segment is 1.x (no PAD there), or when
     * less than a PAD is left at the end of the segment (no record fits there either: the next one rolls).
     *
     * @return the bytes of padding written.
     */
    public int padToBoundary()
    {
        if (!FormatVersion.hasPadRecords(current.major()))
        {
            return 0;
        }
        int gap = -position & (FLUSH_BOUNDARY - 1);
        if (gap == 0)
        {
            return 0;
        }
        if (gap < MIN_PAD_LENGTH)
        {
            gap += FLUSH_BOUNDARY;
        }
        if (position + gap > current.length())
        {
            gap = current.length() - position;
            if (gap < MIN_PAD_LENGTH)
            {
                return 0;
            }
        }
        reserve(gap);
        RecordEncoder.header(target, targetOffset, gap, nextSequence, TYPE_PAD, 0, 0, gap - HEADER_LENGTH, 0.0f, 0L);
        target.setMemory(targetOffset + HEADER_LENGTH, gap - HEADER_LENGTH, (byte)0);
        finish(gap, false);
        return gap;
    }

    /**
     * Seals the tail segment and starts the next, of the length {@link SegmentSizing} gives for a record of
     * {@code recordLength} aligned bytes, in the file the {@link SegmentPreparer} made for it (or, when it has none
     * of that length, in one the writer makes now: a creation, an extension and two fsyncs under the write lock).
     * Under the write lock this costs the positional write of the header into that file, not synced: the segment's
     * first flush makes it durable (after the file's own sync, which may still run on the preparer's thread:
     * {@link Segment#awaitFileSynced}), and every acknowledgement of a record in the segment flushes it (a snapshot
     * also flushes every segment started since the previous one, records or not). Until then a power cut may leave
     * the file without its header, or without the file, a segment that was never started: nothing in it was
     * acknowledged, and recovery deletes it.
     *
     * @throws IOException if the file could not be made (with the preparer's failure, if any, suppressed).
     */
    private void roll(final int recordLength) throws IOException
    {
        final int nextId = current.id() + 1;
        if (nextId <= 0)
        {
            throw new StoreFullException("segment ids are exhausted: export and import the store into a new one");
        }
        final int length = SegmentSizing.next(current.length(), segmentSize, recordLength);
        final PreparedSegment file = preparedOrMade(nextId, length);
        final Segment previous = current;
        final Segment next = Segment.start(file, nextSequence, previous);
        final StoreFile sealed;
        try
        {
            sealed = appender.startIn(next, file.takeFile(), next.header(writerChecksum));
        }
        catch (final IOException ex)
        {
            file.discardAfter(fs, ex);
            throw ex;
        }
        goOnIn(next);
        requestNext(sealed);
        appender.sealed(previous); // every record of it was handed off before the roll (reserve)
    }

    /** @return the file of segment {@code id}, of {@code length} bytes: the one prepared ahead, or one made now. */
    private PreparedSegment preparedOrMade(final int id, final int length) throws IOException
    {
        IOException preparerFailure = null;
        if (preparer != null)
        {
            try
            {
                final PreparedSegment prepared = preparer.take(id, length);
                if (prepared != null)
                {
                    return prepared;
                }
            }
            catch (final IOException ex)
            {
                preparerFailure = ex;
            }
        }
        try
        {
            return PreparedSegment.create(fs, dir, id, length, preallocate);
        }
        catch (final IOException ex)
        {
            if (preparerFailure != null)
            {
                ex.addSuppressed(preparerFailure);
            }
            throw ex;
        }
    }

    /** Asks the preparer, if any, for the file of the segment after the tail, of the length a roll would give it. */
    private void requestNext()
    {
        requestNext(null);
    }

    /**
     * As {@link #requestNext()}, handing the preparer {@code sealed} (the handle the writer appended to the segment
     * before the tail through, or null) to close on its thread; closed here when there is no preparer.
     */
    private void requestNext(final StoreFile sealed)
    {
        if (preparer != null)
        {
            preparer.request(current.id() + 1, SegmentSizing.next(current.length(), segmentSize, 0), sealed);
        }
        else if (sealed != null)
        {
            try
            {
                sealed.close();
            }
            catch (final IOException ignored)
            {
                // Nothing was written through it that a close could lose: writes are in the page cache already.
            }
        }
    }

    /**
     * Writer (under the store's write lock), for a rewind: leaves the current segment where it is and goes on in a new
     * one, numbered above every segment of the table, whose header names {@code timeline} (a child of
     * {@code parentTimeline}) and whose first record will carry {@code firstSequence}, one after the branch sequence:
     * the new timeline's log. Its length is the one {@link SegmentSizing} gives after the current segment, as for a
     * roll. The segment is created and synced with its directory entry before this returns. Records already in the
     * table stay readable.
     */
    public void branch(final long firstSequence, final long timeline, final long parentTimeline) throws IOException
    {
        handOff();
        int highest = current.id();
        for (final Segment s : segments)
        {
            highest = s == null ? highest : Math.max(highest, s.id());
        }
        final int nextId = highest + 1;
        if (nextId <= 0)
        {
            throw new StoreFullException("segment ids are exhausted: export and import the store into a new one");
        }
        final int length = SegmentSizing.next(current.length(), segmentSize, 0);
        if (preparer != null)
        {
            preparer.cancel(); // its file may have this id, and has no header of this timeline
        }
        goOnIn(Segment.create(fs, dir, nextId, length, firstSequence, timeline, parentTimeline, firstSequence - 1,
            preallocate));
        nextSequence = firstSequence;
        appended.start(nextId, SegmentDescriptor.HEADER_LENGTH);
        requestNext();
    }

    /** Seals the current segment where it is and makes {@code next}, just created, the tail. */
    private void goOnIn(final Segment next)
    {
        final int nextId = next.id();
        final Segment[] grown = Arrays.copyOf(segments, Math.max(segments.length, nextId + 1));
        grown[nextId] = next;
        // Copied, never written in place: a freeze shares the array it was handed (sealedEnds()).
        final int[] ends = Arrays.copyOf(sealedEnds, Math.max(sealedEnds.length, current.id() + 1));
        ends[current.id()] = position;
        sealedEnds = ends;
        segments = grown;
        filesCreated++;
        current = next;
        position = SegmentDescriptor.HEADER_LENGTH;
        tail.restart(tailAddress());
        rolled.run();
    }

    /** Sets what the writer runs after each roll to a new segment: something quick, such as an unpark. */
    public void onRoll(final Runnable action)
    {
        this.rolled = action;
    }

    /**
     * Writer (under the store's write lock): makes every record appended to the tail segment so far durable
     * (fdatasync through the writer's own file handle).
     *
     * @throws SegmentFlushException if the flush fails.
     */
    public void forceTail() throws IOException
    {
        handOff();
        try
        {
            appender.force(current);
        }
        catch (final IOException ex)
        {
            throw new SegmentFlushException("could not flush " + current.path(), ex);
        }
    }

    /**
     * Writer (under the store's write lock): makes every record appended to segments {@code fromSegment} to the tail
     * durable, through the writer's own file handle (compaction under {@code EVERY_WRITE}, whose copies may roll
     * the log past a segment no acknowledged write flushed).
     *
     * @throws SegmentFlushException if a flush fails.
     */
    public void forceFrom(final int fromSegment) throws IOException
    {
        handOff();
        for (int id = fromSegment; id < current.id(); id++)
        {
            final Segment s = segment(id);
            if (s != null)
            {
                try
                {
                    appender.force(s);
                }
                catch (final IOException ex)
                {
                    throw new SegmentFlushException("could not flush " + s.path(), ex);
                }
            }
        }
        forceTail();
    }

    /**
     * The flushing thread (one at a time: the store's commit lock, or recovery): makes every byte written to
     * {@code segment} so far durable, with {@code FileChannel.force} on the file (fdatasync), through a handle of its
     * own, so it runs beside the writer's appends. Never an {@code msync} of the mapping: that it reaches bytes
     * written with {@code pwrite} is Linux behaviour, not a contract. A segment the write-back flushed whole after the
     * writer rolled past it ({@link Segment#isDurableSealed}) is durable already: nothing is done.
     *
     * @throws SegmentFlushException if the flush fails.
     */
    public void force(final Segment segment) throws IOException
    {
        if (segment.isDurableSealed())
        {
            return;
        }
        try
        {
            segment.awaitFileSynced();
            flushHandle(segment).force(false);
        }
        catch (final IOException ex)
        {
            closeFlushHandle();
            throw new SegmentFlushException("could not flush " + segment.path(), ex);
        }
    }

    /** The flushing thread's handle on {@code segment}: the last one stays open (a flush usually hits the tail). */
    private StoreFile flushHandle(final Segment segment) throws IOException
    {
        if (flushSegment != segment || flushFile == null || !flushFile.isOpen())
        {
            closeFlushHandle();
            flushFile = fs.open(segment.path());
            flushSegment = segment;
        }
        return flushFile;
    }

    private void closeFlushHandle()
    {
        final StoreFile f = flushFile;
        flushFile = null;
        flushSegment = null;
        if (f != null)
        {
            try
            {
                f.close();
            }
            catch (final IOException ignored)
            {
                // only flushed through, never written: nothing to lose
            }
        }
    }

    /**
     * Writer (under the store's write lock), when a snapshot freezes the log: the CRC32C of each range appended
     * since the previous snapshot's freeze, computed as it was written.
     */
    public AppendedRanges.Taken takeAppendedRanges()
    {
        return appended.take();
    }

    /** @return the address where the next record will go (segment id and offset). */
    public long tailAddress()
    {
        return IndexPageDescriptor.address(current.id(), position);
    }

    /** @return the sequence number the next record will carry. */
    public long nextSequence()
    {
        return nextSequence;
    }

    /**
     * Writer (under the store's write lock): the write end of every segment before the tail, by id. O(1): the array
     * is never written again (a roll replaces it), so the caller may keep it but must not change it.
     */
    public int[] sealedEnds()
    {
        return sealedEnds;
    }

    /**
     * Any thread: counts segment files created by this instance. A snapshot fsyncs the directory when the count
     * changed since its last fsync, so that every segment a manifest names has a durable directory entry.
     */
    public int filesCreated()
    {
        return filesCreated;
    }

    /**
     * Writer, holding the store's write lock and its commit lock (so no flush uses the segment): takes a segment
     * that is not the tail out of the table. The caller unmaps it once no reader can hold it.
     *
     * @return the segment, or null if the table does not hold it.
     */
    public Segment remove(final int id)
    {
        final Segment s = segment(id);
        if (s == null || s == current)
        {
            return null;
        }
        final Segment[] shrunk = segments.clone();
        shrunk[id] = null;
        final Segment[] stillResolvable = Arrays.copyOf(retired, retired.length + 1);
        stillResolvable[retired.length] = s;
        retired = stillResolvable; // before the table loses it: a reader never finds it in neither
        segments = shrunk;
        if (flushSegment == s)
        {
            closeFlushHandle();
        }
        appender.closeIfOn(s);
        return s;
    }

    /**
     * Ends the grace period of a segment {@link #remove removed} from the table: its addresses no longer resolve.
     * Called once no reader can hold one (the caller unmaps it next).
     */
    public void forget(final Segment segment)
    {
        final Segment[] r = retired;
        int at = -1;
        for (int i = 0; i < r.length; i++)
        {
            if (r[i] == segment)
            {
                at = i;
            }
        }
        if (at >= 0)
        {
            final Segment[] kept = new Segment[r.length - 1];
            System.arraycopy(r, 0, kept, 0, at);
            System.arraycopy(r, at + 1, kept, at, r.length - at - 1);
            retired = kept;
        }
    }

    /**
     * @return the space the record at {@code address} takes (its length, aligned). Writer (under the store's write
     * lock) and recovery: a record still in the write buffer is read there.
     */
    public int alignedLengthAt(final long address)
    {
        final int length = address >= tail.handedOff() ?
            tail.bytes().getInt(tail.offsetOf(address) + LENGTH_OFFSET) :
            buffer(IndexPageDescriptor.segmentId(address)).getInt(IndexPageDescriptor.offset(address) + LENGTH_OFFSET);
        return RecordDescriptor.alignedLength(length);
    }

    /** @return the id of the tail segment, where the next record goes. Writer (under the store's write lock). */
    public int tailSegmentId()
    {
        return current.id();
    }

    /** @return the segment with this id, or null. Any thread. */
    public Segment segment(final int id)
    {
        final Segment[] s = segments;
        return id > 0 && id < s.length ? s[id] : null;
    }

    /**
     * @return the segment an address a reader found names: in the table, or taken out of it by {@link #remove} and
     * not yet {@link #forget forgotten} (a reader that found the address before the segment was retired may still
     * resolve it during the grace period); null if neither. Any thread.
     */
    public Segment segmentOfAddress(final int id)
    {
        final Segment inTable = segment(id);
        if (inTable != null)
        {
            return inTable;
        }
        for (final Segment r : retired)
        {
            if (r.id() == id)
            {
                return r;
            }
        }
        return null;
    }

    /**
     * @return the mapped bytes of the segment with this id. Any thread; the id must come from a published address.
     * @throws CorruptStoreException if this log holds no such segment, not even in a grace period: the address is
     *                               not one a reader of this store can have found (damage, or a reader that kept an
     *                               address past the read that found it).
     */
    public MemoryRegion buffer(final int id)
    {
        final Segment s = segmentOfAddress(id);
        if (s == null)
        {
            throw noSuchSegment(id);
        }
        return s.buffer();
    }

    private CorruptStoreException noSuchSegment(final int id)
    {
        return new CorruptStoreException("an index address points into segment " + id + ", which this store does " +
            "not hold (its file was deleted after compaction, or never written)",
            dir.resolve(SegmentDescriptor.fileName(id)), 0);
    }

    /** @return the table of segments by id (entries may be null). Any thread; do not modify. */
    public Segment[] segments()
    {
        return segments;
    }

    /**
     * Writer and recovery only (the store hands this log to the index as the key matcher of its writes): checks that
     * {@code address} holds a whole record with a valid checksum before trusting the type, id length and nnz it
     * reads. Without it a damaged record that a write replaces could throw out of bounds, or fail to match its own
     * key and leave the index with two slots for it. A record still in the write buffer is read there.
     *
     * @throws CorruptStoreException if the record is damaged.
     */
    @Override
    public boolean matches(final long address, final CharSequence key, final long namespace)
    {
        final int segmentId = IndexPageDescriptor.segmentId(address);
        final int offset = IndexPageDescriptor.offset(address);
        final Segment segment = segment(segmentId);
        if (segment == null || offset < SegmentDescriptor.HEADER_LENGTH || (offset & (ALIGNMENT - 1)) != 0)
        {
            throw new CorruptStoreException("index points at segment " + segmentId + " offset " + offset +
                ", outside the store", dir.resolve(SegmentDescriptor.fileName(segmentId)), offset);
        }
        final boolean buffered = address >= tail.handedOff();
        final MemoryRegion b = buffered ? tail.bytes() : segment.buffer();
        final int at = buffered ? tail.offsetOf(address) : offset;
        final int status = buffered ?
            writerScanner.scan(segment, b, tail.view(), at, tail.used(), -1) : writerScanner.scan(segment, offset, -1);
        if (status != RecordScanner.VALID)
        {
            throw new CorruptStoreException("record the index points at is damaged: " +
                (writerScanner.problem() == null ? "nothing was written there" : writerScanner.problem()),
                segment.path(), offset, writerScanner.expectedCrc(), writerScanner.actualCrc());
        }
        return keyMatches(b, at, key, namespace);
    }

    /**
     * Any thread: whether the record at {@code offset} of {@code b}, which the caller has checked, holds {@code key}
     * in {@code namespace}. Allocates nothing.
     */
    public static boolean keyMatches(final MemoryRegion b, final int offset, final CharSequence key,
        final long namespace)
    {
        final boolean stateRecord = RecordDescriptor.isStateType(b.getByte(offset + TYPE_OFFSET));
        if (stateRecord != (namespace == KeyHash.NAMESPACE_STATE))
        {
            return false;
        }
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        return Utf8.equals(key, b, idOffset(offset, nnz), idLength);
    }

    /**
     * Any thread: points {@code locator} at the record the index published at {@code address}: in its segment's
     * mapping, or, while it is still only in the write buffer, at a copy of it (taken without a lock, see
     * {@link TailBuffer}). Allocates nothing once the locator's copy has grown to the largest record copied.
     *
     * @return false if no segment of the log has the address's id (the caller reports the damage).
     */
    public boolean locate(final long address, final RecordLocator locator)
    {
        final Segment segment = segmentOfAddress(IndexPageDescriptor.segmentId(address));
        if (segment == null)
        {
            return false;
        }
        final int copied = tail.copyOut(address, locator);
        if (copied < 0)
        {
            locator.mapped(segment, IndexPageDescriptor.offset(address));
        }
        else
        {
            locator.copied(segment, copied);
        }
        return true;
    }

    /**
     * Releases every mapping, the write buffer, the scratch buffer and the writer's file handle. The caller
     * guarantees no reader is left, and appends nothing more.
     */
    public void unmapAll()
    {
        appender.close();
        closeFlushHandle();
        tail.free();
        if (scratch != null)
        {
            scratch.close();
        }
        for (final Segment s : segments)
        {
            if (s != null)
            {
                s.unmap();
            }
        }
    }
}
