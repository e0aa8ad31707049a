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
import io.memsnap.internal.index.BucketSweep;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.CheckpointScheduler;
import io.memsnap.internal.snapshot.CommitCoordinator;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Copies the records still needed out of sealed segments ({@link CompactionPolicy} chooses them) to the tail of the
 * log, so that {@link SegmentReclaimer} can delete them. For each segment, in two walks, with writers going on between
 * the holds of the write lock (readers never wait):
 * <ul>
 * <li>the segment's records, in order, in batches of at most {@value #BATCH_BYTES} bytes or {@value #BATCH_RECORDS}
 * records, each checked (its checksum) before anything of the segment is copied. A delete record is dropped when its
 * key is live again (the newer record supersedes every older one) or when no segment file with a lower id exists
 * (nothing older can hold the key); otherwise it is copied, so that salvage, which reads every file, never brings a
 * deleted key back. A damaged record stops the compaction of the segment there: it stays;</li>
 * <li>the index, {@value #SWEEP_BUCKETS} buckets a hold ({@link HashIndex#sweep}): every entry or named state whose
 * slot points into the segment is appended again (the same bytes, the next sequence number, a new checksum; its
 * stored-at time is kept) and its slot pointed at the copy. A bucket page is read once for all the records of the
 * segment it holds, in the order of the index, instead of once a record at a random place; a record copied costs
 * one checksum. Replay applies copies like any record, in sequence order, so a later write of the key always
 * wins;</li>
 * <li>anything else (replaced records, PAD records) is dead and left behind.</li>
 * </ul>
 * The segment's bytes are read inside a reader grace period ({@link ReaderGuard}), so reclamation never unmaps a
 * segment under it. Under {@link Durability#EVERY_WRITE} the copies of each hold are flushed before the lock is
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
    /** Index buckets a hold of the write lock walks when copying live records (about 256 KiB of bucket pages). */
    static final int SWEEP_BUCKETS = 64;
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
    private final BucketSweep sweep = new BucketSweep();
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
                    if (RecordDescriptor.isDeleteType(scanner.type()))
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
                copied = copyDeletes(segment, totals);
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
                if (!copyLive(segment, totals, cancelled))
                {
                    return false;
                }
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
        final MemoryRegion b = segment.buffer();
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        return KeyHash.hashUtf8(seed, namespaceOf(type), b, RecordDescriptor.idOffset(offset, nnz), idLength);
    }

    private static long namespaceOf(final byte type)
    {
        return RecordDescriptor.isStateType(type) ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
    }

    /**
     * Under the write lock: copies the delete records of the batch that must outlive an older file. The segment stays
     * mapped meanwhile: reclamation takes it out of the table under the write lock, and unmaps it only a grace period
     * later.
     *
     * @return false if the segment was reclaimed meanwhile.
     */
    private boolean copyDeletes(final Segment segment, final Totals totals)
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
            if (reclaimer.lowestFileId() < segment.id())
            {
                for (int i = 0; i < batch.size; i++)
                {
                    final int offset = batch.offsets[i];
                    final int length = batch.lengths[i];
                    if (index.lookup(batch.hashes[i], keyOf(segment, offset), namespaceOf(batch.types[i]), log) == 0)
                    {
                        final int aligned = RecordDescriptor.alignedLength(length);
                        usage.tombstone(log.appendCopy(segment, offset, length), aligned);
                        totals.records++;
                        totals.bytes += aligned;
                        copied = true;
                    }
                }
            }
            forceCopies(copied, firstTail);
            return true;
        }
        finally
        {
            endBatch();
        }
    }

    /**
     * Copies the records of the segment that the index still points at, walking the index ({@link HashIndex#sweep})
     * {@value #SWEEP_BUCKETS} buckets a hold of the write lock: each bucket page is read once, in order, and each
     * live record found is appended again and its slot pointed at the copy. The records were checked by the scan of
     * the segment before, and a sealed segment's bytes do not change.
     *
     * @return false if the segment was reclaimed meanwhile, or the walk cancelled.
     */
    private boolean copyLive(final Segment segment, final Totals totals, final BooleanSupplier cancelled)
    {
        sweep.restart();
        while (!sweep.done())
        {
            if (cancelled.getAsBoolean())
            {
                return false;
            }
            final long records = totals.records;
            final long bytes = totals.bytes;
            writeLock.lock();
            log.beginBatch();
            try
            {
                requireOpen();
                final int firstTail = log.tailSegmentId();
                for (int b = 0; b < SWEEP_BUCKETS && !sweep.done(); b++)
                {
                    checkpoints.reserveIndexChange(index, NOT_IN_A_VISIT); // may wait without the lock: sweep after it
                    commits.requireNoFailedFlush();
                    if (log.segment(segment.id()) != segment)
                    {
                        return false;
                    }
                    index.sweep(sweep, segment.id());
                    if (sweep.count() > 0)
                    {
                        // One bucket: made writable once, its slots keep their positions.
                        final int bucket = index.prepareInPlace(sweep.hash(0));
                        for (int i = 0, n = sweep.count(); i < n; i++)
                        {
                            copyLive(segment, bucket, sweep.slot(i), sweep.hash(i), sweep.address(i), totals);
                        }
                    }
                }
                forceCopies(totals.records > records, firstTail);
            }
            finally
            {
                try
                {
                    endBatch();
                }
                finally
                {
                    ledger.copied(totals.records - records, totals.bytes - bytes);
                }
            }
        }
        return true;
    }

    /**
     * Under the write lock: copies the live record at {@code address} and points its slot of {@code bucket} (made
     * writable by {@link HashIndex#prepareInPlace}) at the copy.
     */
    private void copyLive(final Segment segment, final int bucket, final int slot, final long hash,
        final long address, final Totals totals)
    {
        final int offset = IndexPageDescriptor.offset(address);
        final int length = segment.buffer().getInt(offset + LENGTH_OFFSET);
        final int aligned = RecordDescriptor.alignedLength(length);
        final long copy = log.appendCopy(segment, offset, length);
        index.putAt(bucket, slot, hash, copy);
        usage.added(copy, aligned);
        usage.released(address, aligned);
        totals.records++;
        totals.bytes += aligned;
    }

    /** Under the write lock: under {@link Durability#EVERY_WRITE}, flushes the copies just made. */
    private void forceCopies(final boolean copied, final int firstTail)
    {
        if (copied && options.durability() == Durability.EVERY_WRITE)
        {
            commits.forceCopies(firstTail);
        }
    }

    /** Ends the batch of appends {@code beginBatch} started, then lets the write lock go. */
    private void endBatch()
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

    /** @return the id of the delete record at {@code offset} (allocates: deletes are few). */
    private static String keyOf(final Segment segment, final int offset)
    {
        final MemoryRegion b = segment.buffer();
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
