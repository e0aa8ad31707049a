package io.memsnap.internal.lifecycle;

import io.memsnap.CompactionResult;
import io.memsnap.Durability;
import io.memsnap.StoreClosedException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.CheckpointScheduler;
import io.memsnap.internal.snapshot.CommitCoordinator;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Copies the records still needed out of sealed segments ({@link CompactionPolicy} chooses them) to the tail of the
 * log, so that {@link SegmentReclaimer} can delete them. For each record of a segment, in batches of at most
 * {@value #BATCH_BYTES} bytes or {@value #BATCH_RECORDS} records per hold of the write lock (writers go on between
 * batches; readers never wait):
 * <ul>
 * <li>an entry or named state that the index still points at is appended again (the same bytes, the next sequence
 * number, a new checksum; its stored-at time is kept) and the index is pointed at the copy. Replay applies copies
 * like any record, in sequence order, so a later write of the key always wins;</li>
 * <li>a delete record is dropped when its key is live again (the newer record supersedes every older one) or when
 * no segment file with a lower id exists (nothing older can hold the key); otherwise it is copied, so that salvage,
 * which reads every file, never brings a deleted key back;</li>
 * <li>anything else (replaced records, PAD records) is dead and left behind.</li>
 * </ul>
 * The segment's bytes are read inside a reader grace period ({@link ReaderGuard}), so reclamation never unmaps a
 * segment under it. Under {@link Durability#EVERY_WRITE} each batch's copies are flushed before the lock is
 * released: the next acknowledged write's watermark covers them. Each batch and each segment done is reported to the
 * {@link CompactionLedger} at once, and each pass's start and end, so that statistics show a pass's progress.
 *
 * <p>Concurrency: thread safe; compactions are serialised (background and on demand) by {@link #lock()}, which a
 * rewind also holds.
 */
public final class Compactor
{
    static final int BATCH_BYTES = 256 * 1024;
    static final int BATCH_RECORDS = 1024;
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");
    private static final BooleanSupplier NOT_IN_A_VISIT = () -> false;

    private final Path dir;
    private final StoreOptions options;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final SegmentLog log;
    private final HashIndex index;
    private final SegmentUsage usage;
    private final long seed;
    private final CheckpointScheduler checkpoints;
    private final CommitCoordinator commits;
    private final SegmentReclaimer reclaimer;
    private final CompactionPolicy policy;
    private final ReentrantLock compactionLock = new ReentrantLock();
    private final RecordScanner scanner = new RecordScanner();
    private final Batch batch = new Batch();
    private final CompactionLedger ledger = new CompactionLedger();

    public Compactor(final Path dir, final StoreOptions options, final ReentrantLock writeLock, final ReaderGuard guard,
        final SegmentLog log, final HashIndex index, final SegmentUsage usage, final long seed,
        final CheckpointScheduler checkpoints, final CommitCoordinator commits, final SegmentReclaimer reclaimer)
    {
        this.dir = dir;
        this.options = options;
        this.writeLock = writeLock;
        this.guard = guard;
        this.log = log;
        this.index = index;
        this.usage = usage;
        this.seed = seed;
        this.checkpoints = checkpoints;
        this.commits = commits;
        this.reclaimer = reclaimer;
        this.policy = CompactionPolicy.of(options);
    }

    /**
     * The records of a batch, read without the lock: offset, length, type and key hash of each, in arrays reused
     * from batch to batch, so that a copied record allocates nothing (the key is not decoded: the copy finds the
     * record's index slot by its address).
     */
    private static final class Batch
    {
        final int[] offsets = new int[BATCH_RECORDS];
        final int[] lengths = new int[BATCH_RECORDS];
        final byte[] types = new byte[BATCH_RECORDS];
        final long[] hashes = new long[BATCH_RECORDS];
        int size;

        void add(final int offset, final int length, final byte type, final long hash)
        {
            offsets[size] = offset;
            lengths[size] = length;
            types[size] = type;
            hashes[size] = hash;
            size++;
        }
    }

    /** Running totals of one compaction. */
    private static final class Totals
    {
        int segments;
        int chosen;
        long records;
        long bytes;

        CompactionResult result()
        {
            return new CompactionResult(segments, chosen, records, bytes, 0, 0);
        }
    }

    /** @return what the compactions of this store did since it opened, and whether one runs now. */
    public CompactionLedger ledger()
    {
        return ledger;
    }

    /**
     * @param emptying whether the pass running has emptied segments (it ends once a checkpoint lets them go).
     * @return whether writers should wait for compaction ({@link CompactionPolicy#BEHIND}); O(segments).
     */
    boolean behind(final boolean emptying)
    {
        return pressure(emptying) == CompactionPolicy.BEHIND;
    }

    /**
     * @param emptying whether the pass running has emptied segments.
     * @return the {@link CompactionPolicy#pressure} of the log now (O(segments), under the write lock).
     */
    int pressure(final boolean emptying)
    {
        writeLock.lock();
        try
        {
            return guard.isClosed() ? CompactionPolicy.NONE : policy.pressure(log.segments(), log.tailSegmentId(),
                usage, reclaimer.lowestFileId(), reclaimer.retiredBytes(), emptying);
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /**
     * @return the lock a compaction holds from its choice of segments to its last copy: a rewind, which replaces the
     * index and the accounting those were judged by, takes it first.
     */
    public ReentrantLock lock()
    {
        return compactionLock;
    }

    /** @return whether the calling thread runs a compaction (a writer there must not wait for compaction). */
    boolean compactingHere()
    {
        return compactionLock.isHeldByCurrentThread();
    }

    /**
     * Compacts the segments the policy chooses.
     *
     * @param onDemand every segment below the live fraction, whatever the dead bytes (else a background pass).
     * @param progress  told the totals after each segment, or null.
     * @param cancelled asked between batches: true ends the compaction there.
     * @return what was copied (bytes freed and awaiting deletion are the caller's to add).
     * @throws StoreClosedException if the store closes meanwhile.
     */
    public CompactionResult compact(final boolean onDemand, final Consumer<CompactionResult> progress,
        final BooleanSupplier cancelled)
    {
        compactionLock.lock();
        boolean started = false;
        try
        {
            final int[] victims;
            final int[] ends;
            writeLock.lock();
            try
            {
                requireOpen();
                victims = policy.choose(log.segments(), log.tailSegmentId(), usage, reclaimer.lowestFileId(),
                    onDemand);
                ends = log.sealedEnds();
            }
            finally
            {
                writeLock.unlock();
            }
            final Totals totals = new Totals();
            totals.chosen = victims.length;
            if (victims.length > 0)
            {
                ledger.started();
                started = true;
            }
            for (final int id : victims)
            {
                if (cancelled.getAsBoolean())
                {
                    break;
                }
                if (compactSegment(id, id < ends.length ? ends[id] : 0, totals, cancelled))
                {
                    totals.segments++;
                    ledger.segmentCompacted();
                }
                if (progress != null)
                {
                    progress.accept(totals.result());
                }
            }
            if (started)
            {
                ledger.ended(null);
            }
            return totals.result();
        }
        catch (final StoreClosedException ex)
        {
            if (started)
            {
                ledger.ended(null);
            }
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            ledger.ended(ex);
            throw ex;
        }
        finally
        {
            compactionLock.unlock();
        }
    }

    /** @return whether every record of the segment was dealt with. */
    private boolean compactSegment(final int id, final int sealedEnd, final Totals totals,
        final BooleanSupplier cancelled)
    {
        int offset = SegmentDescriptor.HEADER_LENGTH;
        while (!cancelled.getAsBoolean())
        {
            final Segment segment;
            int status = RecordScanner.VALID;
            int end;
            batch.size = 0;
            // Read inside a grace period, so that reclamation never unmaps it under the scan; the copies are made
            // outside it (a writer waiting for index memory must not wait for this thread's own grace period).
            final int token = guard.enter();
            try
            {
                segment = log.segment(id);
                if (segment == null)
                {
                    return false; // reclaimed meanwhile: nothing of it was needed
                }
                end = sealedEnd > 0 ? Math.min(sealedEnd, segment.length()) : segment.length();
                int bytes = 0;
                while (bytes < BATCH_BYTES && batch.size < BATCH_RECORDS && offset < end)
                {
                    status = scanner.scan(segment, offset, -1);
                    if (status != RecordScanner.VALID)
                    {
                        break;
                    }
                    if (!RecordDescriptor.isPadType(scanner.type()))
                    {
                        batch.add(offset, scanner.length(), scanner.type(), hashOf(segment, offset, scanner.type()));
                        bytes += scanner.alignedLength();
                    }
                    offset += scanner.alignedLength();
                }
            }
            finally
            {
                guard.exit(token);
            }
            final long records = totals.records;
            final long bytes = totals.bytes;
            final boolean copied;
            try
            {
                copied = copyBatch(segment, totals);
            }
            finally
            {
                ledger.copied(totals.records - records, totals.bytes - bytes);
            }
            if (!copied)
            {
                return false;
            }
            if (status == RecordScanner.TORN)
            {
                LOG.log(System.Logger.Level.WARNING, "compaction stops in " + segment.path() + " at offset " +
                    offset + ": " + scanner.problem() + "; the segment stays (run 'memsnap verify --deep')");
                return false;
            }
            if (status == RecordScanner.CLEAN_END || offset >= end)
            {
                writeLock.lock();
                try
                {
                    usage.tombstonesHandled(id);
                }
                finally
                {
                    writeLock.unlock();
                }
                return true;
            }
        }
        return false;
    }

    /** @return the key hash of the valid record at {@code offset} of {@code segment}; allocates nothing for ASCII ids. */
    private long hashOf(final Segment segment, final int offset, final byte type)
    {
        final UnsafeBuffer b = segment.buffer();
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        return KeyHash.hashUtf8(seed, namespaceOf(type), b, RecordDescriptor.idOffset(offset, nnz), idLength);
    }

    private static long namespaceOf(final byte type)
    {
        return RecordDescriptor.isStateType(type) ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
    }

    /**
     * Under the write lock: copies what the batch still needs. The segment stays mapped meanwhile: reclamation takes
     * it out of the table under the write lock, and unmaps it only a grace period later. A live record costs one
     * scan of its bucket (its slot found by its address) and one checksum (the copy's; the scan checked the original).
     *
     * @return false if the segment was reclaimed meanwhile.
     */
    private boolean copyBatch(final Segment segment, final Totals totals)
    {
        if (batch.size == 0)
        {
            return true;
        }
        writeLock.lock();
        log.beginBatch(); // the copies are handed to the file together, not with a write each
        try
        {
            requireOpen();
            if (log.segment(segment.id()) != segment)
            {
                return false;
            }
            final int firstTail = log.tailSegmentId();
            boolean copied = false;
            final boolean olderFile = reclaimer.lowestFileId() < segment.id();
            for (int i = 0; i < batch.size; i++)
            {
                final int offset = batch.offsets[i];
                final int length = batch.lengths[i];
                final long hash = batch.hashes[i];
                final int aligned = RecordDescriptor.alignedLength(length);
                if (RecordDescriptor.isDeleteType(batch.types[i]))
                {
                    if (olderFile && index.lookup(hash, keyOf(segment, offset), namespaceOf(batch.types[i]), log) == 0)
                    {
                        usage.tombstone(log.appendCopy(segment, offset, length), aligned);
                        totals.records++;
                        totals.bytes += aligned;
                        copied = true;
                    }
                    continue;
                }
                checkpoints.reserveIndexChange(index, NOT_IN_A_VISIT); // may wait without the lock: look up after it
                commits.requireNoFailedFlush();
                if (log.segment(segment.id()) != segment)
                {
                    return false;
                }
                final long address = IndexPageDescriptor.address(segment.id(), offset);
                final int slot = index.slotOfAddress(hash, address);
                if (slot < 0)
                {
                    continue; // replaced or deleted: dead
                }
                final int bucket = index.prepareInPlace(hash);
                final long copy = log.appendCopy(segment, offset, length);
                index.putAt(bucket, slot, hash, copy);
                usage.added(copy, aligned);
                usage.released(address, aligned);
                totals.records++;
                totals.bytes += aligned;
                copied = true;
            }
            if (copied && options.durability() == Durability.EVERY_WRITE)
            {
                commits.forceCopies(firstTail);
            }
            return true;
        }
        finally
        {
            try
            {
                log.endBatch();
            }
            finally
            {
                writeLock.unlock();
            }
        }
    }

    /** @return the id of the delete record at {@code offset} (allocates: deletes are few). */
    private static String keyOf(final Segment segment, final int offset)
    {
        final UnsafeBuffer b = segment.buffer();
        return Utf8.decode(b, RecordDescriptor.idOffset(offset, b.getInt(offset + NNZ_OFFSET)),
            b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF);
    }

    private void requireOpen()
    {
        if (guard.isClosed())
        {
            throw new StoreClosedException();
        }
        commits.requireNoFailedFlush();
    }

    @Override
    public String toString()
    {
        return "Compactor{" + dir + '}';
    }
}
