package io.memsnap;

import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.ShutdownHook;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.KeyMatcher;
import io.memsnap.internal.recovery.Recovered;
import io.memsnap.internal.recovery.Rewinder;
import io.memsnap.internal.recovery.StoreOpener;
import io.memsnap.internal.segment.RecordLocator;
import io.memsnap.internal.memory.MemoryRegion;
import io.memsnap.internal.lifecycle.CompactionScheduler;
import io.memsnap.internal.lifecycle.Compactor;
import io.memsnap.internal.lifecycle.SegmentReclaimer;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentPreparer;
import io.memsnap.internal.segment.Writeback;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.AutoSnapshotter;
import io.memsnap.internal.snapshot.CheckpointScheduler;
import io.memsnap.internal.snapshot.CommitCoordinator;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.IndexCompaction;
import io.memsnap.internal.snapshot.IndexMemoryBudget;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.Pin;
import io.memsnap.internal.snapshot.PinSet;
import io.memsnap.internal.snapshot.RetainedSnapshots;
import io.memsnap.internal.snapshot.RetentionExtension;
import io.memsnap.internal.snapshot.RetentionPolicy;
import io.memsnap.internal.snapshot.SnapshotLedger;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Consumer;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * A memory of sparse-vector entries and named state, kept in memory-mapped segment files off the Java heap and
 * found through an off-heap copy-on-write index; {@link #snapshot} makes it durable at the cost of what changed.
 *
 * <p><b>Concurrency.</b> Thread safe. Writes ({@code put}, {@code delete}, {@code putState}, {@code deleteState},
 * and the writes of a {@link #write(WriteBatch) batch}, each as it is applied) are serialised by one internal lock
 * and are visible to readers as soon as they return. Reads ({@code get},
 * {@code read}, {@code contains}, {@code forEach}, {@code getState}) take no lock and never block, not even during a
 * snapshot. {@link #snapshot}, {@link #sync} and {@link #checkpoint} may run on any thread beside readers and
 * writers; each holds the write lock only for an O(1) freeze. One background thread per writable store checkpoints
 * the index, another makes the next segment file ahead of the put that rolls into it (so that a put never waits for
 * a file creation or an fsync), another compacts its segments ({@link StoreOptions#backgroundCompaction}; {@link #compact} on
 * demand): it copies live records in batches under the write lock, and a writer that outruns it far waits for it
 * before it writes; with automatic snapshots ({@link StoreOptions#autoSnapshots()}) a third takes them, one at a time
 * and never beside an explicit {@link #snapshot} or a {@link #rewind}. {@link #rewind} holds the write lock from start
 * to end (a compaction pass or an index file copy waits for it, or it for the pass), and does not stop readers.
 * {@link #close} stops the threads and waits for readers inside and for a running snapshot; a visitor that calls the
 * store while close waits for it gets {@link StoreClosedException} rather than a deadlock.
 *
 * <p><b>Space.</b> An overwritten or deleted entry leaves its old record behind; compaction copies what is still
 * live out of mostly dead segments, and a segment file is deleted once no retained snapshot, no index checkpoint the
 * next snapshot may name, and no reader (of this store, or a read-only store in any process) needs it.
 *
 * <p><b>Durability.</b> With {@link Durability#ON_SYNC} (default) and {@link Durability#BUFFERED} a write is durable
 * once a later {@link #sync()} or {@link #snapshot} returns; with {@link Durability#EVERY_WRITE}, when it returns.
 * After a crash, {@link #open} restores every durable write and possibly some later ones, always a prefix of the
 * writes in order ({@link Durability} says what a crash of the process and a power cut may lose in each mode).
 *
 * <p><b>Memory.</b> Entries and the index live in mapped files; the heap holds a fixed number of small objects
 * whatever the number of entries. Index pages created since the last checkpoint wait in direct memory, at most
 * {@link StoreOptions#maxResidentIndexBytes()} once open (the replay of an open holds those of the records since the
 * newest snapshot's checkpoint): a write that would go past it waits for a checkpoint, and throws
 * {@link IndexMemoryFullException} (nothing written) if that checkpoint fails. Their memory is freed explicitly once
 * written and no reader can still hold it, never left to the garbage collector.
 *
 * <p><b>Retention.</b> After each snapshot, and when a writer opens, the snapshots that no retention rule keeps are
 * deleted: a snapshot stays while it is one of the newest {@link StoreOptions#retainedSnapshots()}, younger than
 * {@link StoreOptions#retainedSnapshotAge()}, or pinned ({@link #pin}). {@link #snapshots()} says which rule keeps
 * each.
 *
 * <p>JVM flag: none. Only the deprecated {@link EntryView#buffer()}, an Agrona buffer, needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (on the module path, {@code =org.agrona}); without
 * it that call throws {@link JvmFlagMissingException}.
 */
public final class MemoryStore implements AutoCloseable
{
    private static final byte[] NO_METADATA = new byte[0];
    /** The time of retention's ages and of pin expiries: the one place the store reads the wall clock for them. */
    private static final LongSupplier WALL_CLOCK = System::currentTimeMillis;

    private final Path dir;
    private final StoreOptions options;
    private final int dimension;
    private final long seed;
    private final Recovered state;
    private final SegmentLog log;
    private final HashIndex index;
    private final ManifestStore manifests;
    private final IndexCheckpointer checkpointer;
    /** Snapshots, syncs, retention and the final flush; never commits when read-only. */
    private final CommitCoordinator commits;
    /** Index checkpoints and their background thread; null when read-only. */
    private final CheckpointScheduler checkpoints;
    /** Compaction, reclamation of segment files and the background compaction thread; null when read-only. */
    private final Compactor compactor;
    private final SegmentReclaimer reclaimer;
    private final CompactionScheduler compactions;
    /** Makes each next segment file ahead of its roll; null when read-only. */
    private final SegmentPreparer segmentPreparer;
    /** Flushes the log ahead of the snapshots; null when read-only or off ({@link StoreOptions#writebackBytes()}). */
    private final Writeback writeback;
    /** Rewinds, and the timeline the store writes on; null when read-only. */
    private final Rewinder rewinder;
    /** What the store knows of its snapshots' outcomes; told by commits, read by stats. */
    private final SnapshotLedger snapshotLedger;
    /** Automatic snapshots and the snapshot at close; null when read-only. */
    private final AutoSnapshotter autoSnapshots;
    /** Closes the store when the JVM shuts down; null unless {@link StoreOptions#shutdownHook()} and writable. */
    private final ShutdownHook shutdownHook;
    private final StoreStatsAssembler stats;
    /** How long a thread waiting for the write lock spins before it parks: a few of its critical sections. */
    private static final long WRITE_LOCK_SPIN_NANOS = 50_000L;

    /** Set by the close that unmapped the files; guarded by writeLock. */
    private boolean unmapped;
    private final RecoveryReport recoveryReport;
    /** Held for one record or one O(1) freeze: waiters spin that long before they park (see SpinningLock). */
    private final ReentrantLock writeLock = new io.memsnap.internal.SpinningLock(WRITE_LOCK_SPIN_NANOS);
    private final ReaderGuard guard = new ReaderGuard();
    private final ThreadLocal<ReadContext> readContexts = ThreadLocal.withInitial(ReadContext::new);
    /** Whether the calling thread is inside a visitor of this store (asked only when index memory is full). */
    private final BooleanSupplier insideVisit = () -> readContexts.get().depth > 0;
    private final StoreCounts counts;
    /** Live bytes per segment; changed under writeLock; read-only, fixed at its snapshot's (null if unknown). */
    private final SegmentUsage usage;

    private MemoryStore(final Path dir, final StoreOptions options, final Recovered state,
        final IndexMemoryBudget indexMemory, final StoreFileSystem fs, final LongSupplier wallClock,
        final NanoClock clock)
    {
        this.dir = dir;
        this.options = options;
        this.state = state;
        this.log = state.log;
        this.index = state.index;
        this.manifests = state.manifests;
        this.checkpointer = state.checkpointer;
        this.dimension = state.manifest.dimension;
        this.seed = state.manifest.seed;
        this.counts = new StoreCounts(state.entryCount, state.stateCount);
        this.recoveryReport = state.report;
        this.usage = state.usage;
        this.snapshotLedger = new SnapshotLedger(clock, state.manifest, options.autoSnapshotEveryChanges());
        this.commits = new CommitCoordinator(dir, options, writeLock, guard, counts, log, state.snapshotWriter,
            checkpointer, manifests, state.watermark, state.indexFiles, state.manifest, state.nextGeneration,
            options.readOnly() ? new RetainedSnapshots(RetentionPolicy.of(options), Map.of(), PinSet.NONE) :
            retainedAtOpen(dir, options, state), wallClock, snapshotLedger);
        if (options.readOnly())
        {
            this.stats = new StoreStatsAssembler(dir, true, clock, writeLock, guard, counts, log, index,
                state.indexFile, usage, 0, commits, manifests, snapshotLedger, null, null);
            this.checkpoints = null;
            this.compactor = null;
            this.reclaimer = null;
            this.compactions = null;
            this.segmentPreparer = null;
            this.writeback = null;
            this.rewinder = null;
            this.autoSnapshots = null;
            this.shutdownHook = null;
            return;
        }
        log.writeBehind(options.durability() == Durability.BUFFERED);
        state.indexFile.limitResident(indexMemory.limitBytes(), guard);
        final IndexCompaction indexCompaction = new IndexCompaction(options, state.indexFile, checkpointer,
            state.indexFiles);
        this.checkpoints = new CheckpointScheduler(dir, options, writeLock, guard, counts, log, state.indexFile,
            checkpointer, commits, indexMemory, indexCompaction, commits::tryDeleteUnneededIndexFiles);
        this.reclaimer = new SegmentReclaimer(fs, dir, writeLock, guard, log, usage, checkpointer, manifests);
        commits.lock().lock();
        try
        {
            commits.retainAtOpen();
            reclaimer.learn(commits.retainedGenerations());
            reclaimer.reclaim(); // what an earlier run compacted, or left pinned
            commits.listen(reclaimer::committed);
        }
        finally
        {
            commits.lock().unlock();
        }
        this.compactor = new Compactor(dir, options, writeLock, guard, log, index, usage, seed, checkpoints,
            commits, reclaimer);
        this.compactions = options.backgroundCompaction() ? new CompactionScheduler(dir, compactor, checkpoints) :
            null;
        this.stats = new StoreStatsAssembler(dir, false, clock, writeLock, guard, counts, log, index,
            state.indexFile, usage, indexMemory.limitBytes(), commits, manifests, snapshotLedger, reclaimer,
            compactor.ledger());
        this.rewinder = new Rewinder(options, new Rewinder.Parts(compactor.lock(), checkpoints.lock(), writeLock,
            guard, commits, manifests, log, index, state.indexFile, checkpointer, indexCompaction, state.watermark,
            counts, usage, indexMemory.limitBytes()), state.manifest, state.snapshotWriter);
        this.checkpoints.start();
        this.segmentPreparer = new SegmentPreparer(fs, dir, options.preallocate());
        log.prepareWith(segmentPreparer);
        segmentPreparer.start();
        this.writeback = options.writebackBytes() > 0 && options.durability() != Durability.EVERY_WRITE ?
            new Writeback(fs, dir, options.writebackBytes()) : null;
        if (writeback != null)
        {
            log.writeBackWith(writeback);
            writeback.start();
        }
        if (compactions != null)
        {
            compactions.start();
            log.onRoll(compactions::sealed);
        }
        this.autoSnapshots = new AutoSnapshotter(dir, options, clock, writeLock, log, commits, snapshotLedger);
        this.autoSnapshots.start();
        this.shutdownHook = options.shutdownHook() ? ShutdownHook.register("memsnap-shutdown " +
            dir.getFileName(), () -> close(SnapshotTrigger.SHUTDOWN)) : null;
    }

    /**
     * A writer's open: the manifests on disk (listed once; retention then works from memory), the pins of the one
     * restored and the rules to apply.
     */
    private static RetainedSnapshots retainedAtOpen(final Path dir, final StoreOptions options, final Recovered state)
    {
        final Path restored = state.manifests.path(state.manifest.generation);
        try
        {
            return new RetainedSnapshots(
                RetentionPolicy.forWriter(options, RetentionExtension.policy(state.manifest, restored)),
                RetainedSnapshots.readCreatedAt(state.manifests, state.manifests.generations()),
                RetentionExtension.pins(state.manifest, restored));
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not list the manifests of " + dir, ex);
        }
    }

    /**
     * Creates a store in {@code dir} (created if missing) or restores the one there.
     *
     * @param dir the store's directory.
     * @param options how to open it; {@link StoreOptions#ofDimension} for the defaults.
     * @return the open store; close it.
     * @throws StoreLockedException         if another writer has the store open.
     * @throws IncompatibleFormatException  if the store was written by an incompatible format version.
     * @throws CorruptStoreException        if no snapshot validates (or, in STRICT mode, any damage is found).
     * @throws ForeignFileException         if the directory holds files memsnap did not write.
     * @throws StoreIoException             if the file system fails.
     * @throws IllegalArgumentException     if {@link StoreOptions#maxResidentIndexBytes()} is not below the JVM's
     *                                      direct-memory limit.
     */
    public static MemoryStore open(final Path dir, final StoreOptions options)
    {
        return open(dir, options, StoreFileSystem.real());
    }

    /**
     * As {@link #open(Path, StoreOptions)}, with every write, flush, create, rename, delete and directory sync of the
     * store going through {@code fs}. Internal: the seam for fault injection and crash-state tests, not part of the
     * supported API.
     *
     * @param dir the store's directory.
     * @param options how to open it.
     * @param fs the file system every change goes through.
     * @return the open store; close it.
     */
    public static MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs)
    {
        return open(dir, options, fs, WALL_CLOCK, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #open(Path, StoreOptions, StoreFileSystem)}, with {@code clock} (epoch milliseconds) as the time of
     * retention's ages and of pin expiries. For tests.
     */
    static MemoryStore openWithWallClock(final Path dir, final StoreOptions options, final StoreFileSystem fs,
        final LongSupplier clock)
    {
        return open(dir, options, fs, clock, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #open(Path, StoreOptions, StoreFileSystem)}, with the intervals, retry waits and close deadline of
     * automatic snapshots measured on {@code clock}: the seam of tests that move time by hand (they wake the thread
     * with {@link AutoSnapshotter#awaitPass}).
     */
    static MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs,
        final NanoClock clock)
    {
        return open(dir, options, fs, WALL_CLOCK, clock);
    }

    private static MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs,
        final LongSupplier wallClock, final NanoClock clock)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new UnsupportedOperationException("memsnap's format is little-endian and needs a little-endian CPU");
        }
        final IndexMemoryBudget indexMemory = options.readOnly() ? null :
            IndexMemoryBudget.of(options, IndexMemoryBudget.jvmDirectMemoryLimit());
        try
        {
            return new MemoryStore(dir, options, StoreOpener.open(dir, options, fs), indexMemory, fs, wallClock,
                clock);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not open store " + dir, ex);
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    /**
     * As {@link #put(String, SparseVector, float, long, byte[])} with importance 1, now, and no metadata.
     *
     * @param id the entry's id.
     * @param vector its vector.
     */
    public void put(final String id, final SparseVector vector)
    {
        put(id, vector, 1.0f, System.currentTimeMillis(), null);
    }

    /**
     * Stores or replaces an entry.
     *
     * @param metadata up to {@link StoreOptions#maxMetadataBytes()} bytes, or null for none.
     * @param id the entry's id, up to {@link StoreOptions#maxIdBytes()} bytes of UTF-8.
     * @param vector its vector, of the store's dimension.
     * @param importance a finite weight the store keeps with it.
     * @param storedAtMillis when it was written, in epoch milliseconds.
     * @throws InvalidEntryException if anything is out of bounds; nothing is written then.
     */
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        requireWritable();
        final int idLength = checkId(id, "id");
        if (vector == null)
        {
            throw new InvalidEntryException("vector of '" + id + "' must not be null");
        }
        EntryRules.checkDimension(vector, dimension);
        EntryRules.checkImportance(id, importance);
        final byte[] meta = metadata == null ? NO_METADATA : metadata;
        EntryRules.checkMetadata(id, meta.length, options);
        log.requireFits(RecordDescriptor.recordLength(vector.nnz(), idLength, meta.length), "entry", id);
        write(id, idLength, KeyHash.NAMESPACE_ENTRY, vector, importance, storedAtMillis, meta);
    }

    /** The write path of entries and named state: one record appended, then published in the index. */
    private void write(final String key, final int keyLength, final long namespace, final SparseVector vector,
        final float importance, final long storedAtMillis, final byte[] value)
    {
        final boolean isState = namespace == KeyHash.NAMESPACE_STATE;
        final long hash = KeyHash.hash(seed, namespace, key);
        if (compactions != null)
        {
            compactions.awaitCaughtUp();
        }
        writeLock.lock();
        try
        {
            requireOpen();
            checkpoints.reserveIndexChange(index, insideVisit); // may wait without the lock: check after it
            commits.requireNoFailedFlush();
            final int bucket = index.prepare(hash, key, namespace, log);
            // Everything that can throw (the check of the record replaced, say) before the append: a write that
            // fails must leave no record that the next open would replay.
            final int slot = index.slotOf(bucket, hash, key, namespace, log);
            final long address = log.appendValue(isState ? TYPE_STATE_PUT : TYPE_PUT, key, keyLength,
                vector.indicesUnsafe(), vector.valuesUnsafe(), importance, storedAtMillis, value);
            published(bucket, slot, hash, address, alignedLength(vector.nnz(), keyLength, value.length), isState);
            afterWrite();
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /** Under the write lock: points the index at the record just appended at {@code address}, and counts it. */
    private void published(final int bucket, final int slot, final long hash, final long address, final int aligned,
        final boolean isState)
    {
        final long previous = index.putAt(bucket, slot, hash, address);
        usage.put(address, aligned, previous, log);
        if (previous == 0)
        {
            if (isState)
            {
                counts.addStates(1);
            }
            else
            {
                counts.addEntries(1);
            }
        }
    }

    /**
     * Applies the writes of {@code batch} in order, as the same {@code put}, {@code delete}, {@code putState} and
     * {@code deleteState} calls would, but checked all before anything is written, under one hold of the write lock,
     * with the records gathered in the write buffer and handed to the file in writes of
     * {@link StoreOptions#writeBufferBytes()} (so a crash of the process during the batch keeps a prefix of it):
     * <ul>
     *     <li>{@link Durability#ON_SYNC}: the records are handed to the operating system before this returns, and are
     *     durable once a later {@link #sync()} or {@link #snapshot} returns;</li>
     *     <li>{@link Durability#EVERY_WRITE}: the batch is flushed once, before this returns;</li>
     *     <li>{@link Durability#BUFFERED}: the records may stay in the write buffer, as single writes do.</li>
     * </ul>
     * Not atomic: readers see each write as it is applied (a reader may see a prefix of the batch), and a crash
     * leaves a prefix of the batch, as it leaves a prefix of all writes. A write that fails part way through (an I/O
     * error, damage found in a record the batch replaces) leaves the writes before it applied and the rest not; with
     * {@code ON_SYNC} the ones applied are handed to the operating system as far as it allows. The lock is let go
     * only if index memory is full, to wait for a checkpoint as a put does (other writers may then come between two
     * writes of the batch). Large batches hold the write lock long: other writers, syncs and snapshots wait for them.
     *
     * @param batch the writes; only read.
     * @throws InvalidEntryException if any write of the batch breaks a limit of this store (its dimension,
     *                               {@link StoreOptions#maxIdBytes()}, {@link StoreOptions#maxMetadataBytes()},
     *                               {@link StoreOptions#maxStateBytes()}, the segment size), naming the first it
     *                               found; nothing is written then.
     * @throws StoreIoException      if a write or a flush fails: the writes before the failure are applied.
     */
    public void write(final WriteBatch batch)
    {
        requireWritable();
        check(batch);
        if (batch.size() == 0)
        {
            return;
        }
        final long[] hashes = batch.hashes(seed);
        if (compactions != null)
        {
            compactions.awaitCaughtUp();
        }
        writeLock.lock();
        try
        {
            requireOpen();
            applyBatch(batch, hashes);
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /**
     * Checks the writes of {@code batch} against this store's limits, as {@link #write(WriteBatch)} does before it
     * writes anything, without writing: in O(1), from the largest write of each kind the batch keeps track of. A
     * producer that adds to a batch can check after each write it adds and so learn which one breaks a limit.
     *
     * @param batch the writes to check; only read.
     * @throws InvalidEntryException naming a write that breaks a limit (the largest of its kind).
     */
    public void check(final WriteBatch batch)
    {
        batch.check(dimension, options);
        final int largest = batch.largestRecord();
        if (largest >= 0)
        {
            try
            {
                log.requireFits(batch.recordLength(largest), batch.kind(largest), batch.key(largest));
            }
            catch (final InvalidEntryException ex)
            {
                throw batch.naming(largest, ex);
            }
        }
    }

    /** Under the write lock: the writes of {@link #write(WriteBatch)}, then the hand-off or flush its mode asks. */
    private void applyBatch(final WriteBatch batch, final long[] hashes)
    {
        final int firstSegment = log.tailSegmentId();
        Throwable failure = null;
        log.beginBatch();
        try
        {
            for (int i = 0, n = batch.size(); i < n; i++)
            {
                // May let the lock go to wait for a checkpoint: it pauses the batch first (see SegmentLog).
                checkpoints.reserveIndexChange(index, insideVisit);
                commits.requireNoFailedFlush();
                applyBatched(batch, i, hashes[i]);
            }
        }
        catch (final RuntimeException | Error ex)
        {
            failure = ex;
            throw ex;
        }
        finally
        {
            endBatch(firstSegment, failure);
        }
    }

    /** Under the write lock, index memory reserved: write {@code i} of {@code batch}. */
    private void applyBatched(final WriteBatch batch, final int i, final long hash)
    {
        final byte type = batch.type(i);
        final String key = batch.key(i);
        final boolean isState = RecordDescriptor.isStateType(type);
        final long namespace = isState ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
        final int length = batch.recordLength(i);
        if (RecordDescriptor.isDeleteType(type))
        {
            if (index.lookup(hash, key, namespace, log) == 0)
            {
                return;
            }
            final int bucket = index.prepare(hash, key, namespace, log);
            final long address = log.appendCopy(batch.records(), batch.offset(i), length);
            deleted(bucket, hash, key, namespace, address, RecordDescriptor.alignedLength(length), isState);
        }
        else
        {
            final int bucket = index.prepare(hash, key, namespace, log);
            final int slot = index.slotOf(bucket, hash, key, namespace, log);
            final long address = log.appendCopy(batch.records(), batch.offset(i), length);
            published(bucket, slot, hash, address, RecordDescriptor.alignedLength(length), isState);
        }
        snapshotLedger.changed(log.nextSequence() - 1);
    }

    /**
     * Under the write lock, after the writes of a batch (all, or up to one that failed with {@code failure}): hands
     * off or flushes them as the durability mode asks. A failure here is added to {@code failure} if there was one.
     */
    private void endBatch(final int firstSegment, final Throwable failure)
    {
        try
        {
            try
            {
                log.endBatch();
            }
            catch (final StoreIoException ex)
            {
                throw new StoreIoException("the writes of the batch are applied and readable but could not be " +
                    "handed to the file (a full disk?); a later write, sync() or snapshot() hands them over once it " +
                    "can, and until then a crash of the process loses them", ex.getCause() instanceof IOException ?
                    (IOException)ex.getCause() : new IOException(ex));
            }
            if (options.durability() == Durability.EVERY_WRITE)
            {
                commits.acknowledgeWrites(firstSegment);
            }
        }
        catch (final RuntimeException ex)
        {
            if (failure == null)
            {
                throw ex;
            }
            failure.addSuppressed(ex);
        }
    }

    /**
     * Deletes an entry.
     *
     * @param id the entry's id.
     * @return whether it existed.
     */
    public boolean delete(final String id)
    {
        return deleteKey(id, KeyHash.NAMESPACE_ENTRY);
    }

    /**
     * Stores or replaces a named state: a small blob kept beside the entries (a transition table, a history,
     * an encoder configuration) and snapshotted with them.
     *
     * @param name the state's name, up to {@link StoreOptions#maxIdBytes()} bytes of UTF-8.
     * @param value up to {@link StoreOptions#maxStateBytes()} bytes; copied.
     */
    public void putState(final String name, final byte[] value)
    {
        requireWritable();
        final int nameLength = checkId(name, "state name");
        EntryRules.checkState(name, value, options);
        log.requireFits(RecordDescriptor.recordLength(0, nameLength, value.length), "state", name);
        write(name, nameLength, KeyHash.NAMESPACE_STATE, SparseVector.empty(), 0.0f, System.currentTimeMillis(),
            value);
    }

    /**
     * Deletes a named state.
     *
     * @param name the state's name.
     * @return whether the named state existed.
     */
    public boolean deleteState(final String name)
    {
        return deleteKey(name, KeyHash.NAMESPACE_STATE);
    }

    private boolean deleteKey(final String key, final long namespace)
    {
        requireWritable();
        final boolean isState = namespace == KeyHash.NAMESPACE_STATE;
        final int length = checkId(key, isState ? "state name" : "id");
        final long hash = KeyHash.hash(seed, namespace, key);
        if (compactions != null)
        {
            compactions.awaitCaughtUp();
        }
        writeLock.lock();
        try
        {
            requireOpen();
            checkpoints.reserveIndexChange(index, insideVisit); // may wait without the lock: look up after it
            commits.requireNoFailedFlush();
            // The writer's matcher checks the record deleted here, before anything is appended.
            if (index.lookup(hash, key, namespace, log) == 0)
            {
                return false;
            }
            final int bucket = index.prepare(hash, key, namespace, log);
            deleted(bucket, hash, key, namespace, log.appendDelete(key, length, isState), alignedLength(0, length, 0),
                isState);
            afterWrite();
            return true;
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /** Under the write lock: takes {@code key} out of the index for the delete record just appended, and counts it. */
    private void deleted(final int bucket, final long hash, final String key, final long namespace,
        final long address, final int aligned, final boolean isState)
    {
        usage.delete(address, aligned, index.remove(bucket, hash, key, namespace, log), log);
        if (isState)
        {
            counts.addStates(-1);
        }
        else
        {
            counts.addEntries(-1);
        }
    }

    private static int alignedLength(final int nnz, final int keyLength, final int valueLength)
    {
        return RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(nnz, keyLength, valueLength));
    }

    private void afterWrite()
    {
        snapshotLedger.changed(log.nextSequence() - 1);
        if (options.durability() == Durability.EVERY_WRITE)
        {
            commits.acknowledgeWrite();
        }
    }

    private int checkId(final String id, final String what)
    {
        final int length = EntryRules.idLength(id, what);
        EntryRules.checkIdLimit(id, length, options, what);
        return length;
    }

    // ------------------------------------------------------------------------------------------------ reads

    /**
     * Hands the entry to {@code visitor} without copying or allocating.
     *
     * @param id the entry's id.
     * @param visitor called once, with the entry, if it exists.
     * @return whether the entry exists (the visitor was called).
     * @throws CorruptStoreException if the record fails its checksum.
     */
    public boolean read(final String id, final EntryVisitor visitor)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_ENTRY, id);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        final RecordLocator at = context.enter();
        final EntryView view = context.enterView();
        try
        {
            // The matcher leaves the locator at the record it matched.
            if (index.lookup(hash, id, KeyHash.NAMESPACE_ENTRY, context) == 0)
            {
                return false;
            }
            view.wrap(at.buffer(), at.offset());
            visitor.visit(view);
            return true;
        }
        finally
        {
            context.exitView(view);
            context.exit();
            guard.exit(token);
        }
    }

    /**
     * Reads an entry by its id.
     *
     * @param id the entry's id.
     * @return a copy of the entry, or empty.
     */
    public Optional<MemoryEntry> get(final String id)
    {
        final Copier copier = readContexts.get().copier;
        copier.id = id;
        try
        {
            read(id, copier);
            return Optional.ofNullable(copier.copy);
        }
        finally
        {
            copier.id = null;
            copier.copy = null;
        }
    }

    /**
     * Whether an entry exists, without copying it.
     *
     * @param id the entry's id.
     * @return whether it exists.
     */
    public boolean contains(final String id)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_ENTRY, id);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        context.enter();
        try
        {
            return index.lookup(hash, id, KeyHash.NAMESPACE_ENTRY, context) != 0;
        }
        finally
        {
            context.exit();
            guard.exit(token);
        }
    }

    /** {@return the number of live entries (named state not counted).} */
    public long size()
    {
        return counts.entries();
    }

    /**
     * Visits every live entry once, in no particular order, without copying. Weakly consistent: writes made during
     * the iteration may or may not be seen; no entry is seen twice. For an exact point-in-time view, open a
     * snapshot read-only.
     *
     * @param visitor called once a live entry.
     */
    public void forEach(final EntryVisitor visitor)
    {
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        context.enter();
        final EntryView view = context.enterView();
        try
        {
            index.forEach((hash, address) ->
            {
                final RecordLocator at = context.locate(address);
                if (at.buffer().getByte(at.offset() + TYPE_OFFSET) == TYPE_PUT)
                {
                    view.wrap(at.buffer(), at.offset());
                    visitor.visit(view);
                }
            });
        }
        finally
        {
            context.exitView(view);
            context.exit();
            guard.exit(token);
        }
    }

    /**
     * Visits every live entry in id order (by the UTF-8 bytes of the id, which is Unicode code point order). Sorts
     * the entries' addresses off the heap first (8 bytes an entry of direct memory), so heap use stays fixed. Exact
     * on a read-only store; on a store being written, entries changed during the call may show either version.
     *
     * @param visitor called once a live entry, in id order.
     */
    public void forEachInIdOrder(final EntryVisitor visitor)
    {
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        context.enter();
        final EntryView view = context.enterView();
        try (io.memsnap.internal.AddressSorter sorter = new io.memsnap.internal.AddressSorter(log))
        {
            index.forEach((hash, address) ->
            {
                final RecordLocator at = context.locate(address);
                if (at.buffer().getByte(at.offset() + TYPE_OFFSET) == TYPE_PUT)
                {
                    sorter.add(address);
                }
            });
            sorter.sort();
            for (int i = 0, n = sorter.size(); i < n; i++)
            {
                final RecordLocator at = context.locate(sorter.get(i));
                view.wrap(at.buffer(), at.offset());
                visitor.visit(view);
            }
        }
        finally
        {
            context.exitView(view);
            context.exit();
            guard.exit(token);
        }
    }

    /**
     * Reads a named state.
     *
     * @param name the state's name.
     * @return a copy of the named state, or empty.
     */
    public Optional<byte[]> getState(final String name)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_STATE, name);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        final RecordLocator at = context.enter();
        try
        {
            if (index.lookup(hash, name, KeyHash.NAMESPACE_STATE, context) == 0)
            {
                return Optional.empty();
            }
            final MemoryRegion b = at.buffer();
            final int offset = at.offset();
            final byte[] value = new byte[b.getInt(offset + VALUE_LENGTH_OFFSET)];
            b.getBytes(valueOffset(offset, 0, b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF), value, 0, value.length);
            return Optional.of(value);
        }
        finally
        {
            context.exit();
            guard.exit(token);
        }
    }

    /** {@return the names of the named states, sorted.} */
    public List<String> stateNames()
    {
        final List<String> names = new ArrayList<>();
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        context.enter();
        try
        {
            index.forEach((hash, address) ->
            {
                final RecordLocator at = context.locate(address);
                final MemoryRegion b = at.buffer();
                final int offset = at.offset();
                if (b.getByte(offset + TYPE_OFFSET) == TYPE_STATE_PUT)
                {
                    names.add(Utf8.decode(b, idOffset(offset, 0), b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF));
                }
            });
        }
        finally
        {
            context.exit();
            guard.exit(token);
        }
        Collections.sort(names);
        return names;
    }

    /** {@return the number of named states.} */
    public long stateCount()
    {
        return counts.states();
    }

    // ------------------------------------------------------------------------------------------------ durability

    /**
     * Makes every write so far durable without taking a snapshot: flushes (fdatasync) the records appended since the
     * last sync or snapshot, then records how far the log is durable in the durable watermark (a second small
     * flush), so that recovery tells damage to these records from a torn tail. After a crash they are replayed from
     * the tail.
     */
    public void sync()
    {
        requireWritable();
        commits.sync();
    }

    /**
     * As {@link #snapshot(Map)} without labels.
     *
     * @return the snapshot committed.
     */
    public SnapshotInfo snapshot()
    {
        return snapshot(Collections.emptyMap());
    }

    /**
     * Takes a snapshot: records the current point of the log in O(1), then, without blocking readers or writers,
     * flushes the records written since the previous snapshot and commits a new manifest atomically. The manifest
     * names the newest durable index checkpoint; opening the snapshot maps it and replays the records after it.
     * The cost is what was written since the previous snapshot, whatever the size of the store.
     *
     * @param labels small key/value pairs kept with the snapshot (encoder or memory configuration, say).
     * @return what the snapshot holds.
     * @throws StoreIoException if the flush or the commit fails: the previous snapshot stays intact, the store
     *                          stays usable, and a later snapshot succeeds once the cause is gone.
     */
    public SnapshotInfo snapshot(final Map<String, String> labels)
    {
        requireWritable();
        ManifestCodec.validateLabels(labels);
        return writerInfo(commits.snapshot(labels));
    }

    /**
     * As {@link #pin(long, String, Duration)} with a pin that does not expire.
     *
     * @param generation a retained snapshot's generation.
     * @param label why it is pinned, shown by {@link #snapshots()}.
     * @return the pinned snapshot.
     */
    public SnapshotInfo pin(final long generation, final String label)
    {
        return pin(generation, label, null);
    }

    /**
     * Pins a retained snapshot: retention keeps it, whatever its other rules say, until {@link #unpin} or until
     * {@code keepFor} has passed; a read-only open of it keeps working however many snapshots follow. Pinning a
     * pinned snapshot replaces its label and expiry.
     *
     * <p>A pin is a small snapshot commit: the pins live in the manifests, so this takes a snapshot (as
     * {@link #snapshot()}, without labels: the writes so far become durable, and it counts towards
     * {@link StoreOptions#retainedSnapshots()}) whose manifest records the pin. When this returns the pin is durable:
     * it survives a crash, and every later snapshot carries it forward.
     *
     * @param label   why the snapshot is kept: 1 to 255 bytes of UTF-8, no control characters.
     * @param keepFor how long from now the pin keeps the snapshot (at least 1 ms), or null for no expiry.
     * @param generation a retained snapshot's generation.
     * @return the pinned snapshot, with its pin.
     * @throws NoSuchSnapshotException  if {@code generation} is not retained (already deleted, or never taken);
     *                                  nothing is written.
     * @throws InvalidEntryException    if the label is not one; nothing is written.
     * @throws CorruptStoreException    if the snapshot's manifest does not validate; nothing is written.
     * @throws IllegalStateException    if the store holds 1,024 pins already; nothing is written.
     * @throws StoreIoException         if the commit fails: the previous snapshot and its pins stay intact.
     */
    public SnapshotInfo pin(final long generation, final String label, final Duration keepFor)
    {
        requireWritable();
        Pin.checkLabel(label);
        long keepForMillis = PinsDescriptor.NEVER;
        if (keepFor != null)
        {
            if (keepFor.compareTo(Duration.ofMillis(1)) < 0)
            {
                throw new IllegalArgumentException("a pin must keep its snapshot for at least 1 ms, not " + keepFor +
                    ": unpin it instead");
            }
            keepForMillis = keepFor.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? PinsDescriptor.NEVER :
                keepFor.toMillis();
        }
        return writerInfo(commits.pin(generation, label, keepForMillis));
    }

    /**
     * Unpins a snapshot. Like {@link #pin}, a small snapshot commit (its manifest no longer records the pin);
     * retention after it deletes the snapshot unless another rule keeps it.
     *
     * @param generation the pinned snapshot's generation.
     * @return whether the snapshot was pinned; if not, nothing is written.
     * @throws StoreIoException if the commit fails: the pin stays.
     */
    public boolean unpin(final long generation)
    {
        requireWritable();
        return commits.unpin(generation);
    }

    /**
     * Rewinds the store to a retained snapshot: makes its entries and named state the present, as a new timeline.
     * Agents roll their memory back to a known-good state this way.
     *
     * <p>First a safety snapshot of the present is taken (as {@link #snapshot(Map)}: every write so far becomes
     * durable), labelled {@value RewindResult#SAFETY_LABEL} and pinned for {@link StoreOptions#rewindSafetyExpiry()}
     * (default 14 days); rewinding to it undoes the rewind. Then a snapshot holding exactly the target's content is
     * committed as the first of a new timeline, and the store writes on from it: nothing written after the target is
     * ever replayed into the new timeline, by this store or by a later open. The snapshots of the timeline left behind
     * (the safety snapshot among them) stay retained as retention's rules say, and open read-only by generation
     * ({@link StoreOptions.Builder#generation}) until retention drops them.
     *
     * <p><b>Concurrency.</b> A rewind holds the write lock from start to end: writes, syncs, snapshots (automatic ones
     * included), pins and checkpoints on other threads wait for it, and a write that returns after it is on the new
     * timeline; {@link #stats()} counts changes from the rewind's snapshot. Readers take
     * no lock and are not stopped: each read sees the present until the rewind's snapshot is committed, and the
     * target's state after; a {@link #forEach} running across it may see some entries as they were and others as the
     * target holds them (never one twice). An {@link EntryView} a visitor holds stays valid for its visit: a rewind
     * unmaps nothing. The cost is the target's replay (the records after its index checkpoint) and a checkpoint of
     * the index pages it creates, besides the safety snapshot; for a target whose index checkpoint lives in an older
     * index file generation, also a copy of the pages it reaches into the current one.
     *
     * @param generation a retained snapshot ({@link #snapshots()}), of this timeline or of another.
     * @return the safety snapshot, the rewind's snapshot and the new timeline.
     * @throws NoSuchSnapshotException if {@code generation} is not retained; nothing is written.
     * @throws CorruptStoreException   if its manifest, index pages or records do not validate; nothing is written.
     * @throws IllegalStateException   if the store holds 1,024 pins already, or if the target's index checkpoint lives
     *                                 in an older index file while readers that began before the last change of
     *                                 index file are still reading (try again once they finish); nothing is
     *                                 written.
     * @throws StoreIoException        if the safety snapshot fails (the store stays as it was, usable), or a later
     *                                 step: the store then takes no more writes; close it and open it again, and it
     *                                 opens at the safety snapshot's state or at the rewound one, never a mix.
     */
    public RewindResult rewind(final long generation)
    {
        requireWritable();
        final Rewinder.Rewound rewound = rewinder.rewind(generation);
        return new RewindResult(generation, writerInfo(rewound.safety), writerInfo(rewound.snapshot));
    }

    /**
     * Checkpoints the index now: freezes the current index version in O(1) and, without blocking readers or
     * writers, seals and flushes the index pages created since the previous checkpoint. The next snapshot names it,
     * and opening that snapshot replays only the records written after it. A background thread does this on its
     * own every {@link StoreOptions#checkpointRecords()} records. Before a planned restart, call it and then
     * {@link #snapshot()}: the next open then replays nothing (a clean close alone leaves the records written after
     * the checkpoint the newest snapshot names to be replayed). When the index file is due for a new generation (see
     * {@link StoreOptions#indexCompactionRatio()}), or one is being written, this also writes it to the end.
     */
    public void checkpoint()
    {
        requireWritable();
        checkpoints.checkpoint();
    }

    /**
     * As {@link #compact(Consumer)} without progress.
     *
     * @return what was compacted and freed.
     */
    public CompactionResult compact()
    {
        return compact(null);
    }

    /**
     * Compacts now: copies the records still needed out of every sealed segment whose live records take less than
     * {@link StoreOptions#compactionLiveFraction()} of it to the tail of the log (in batches under the write lock:
     * readers never wait, writers go on between batches), checkpoints the index, and deletes the segment files
     * nothing needs any more. A compacted segment stays on disk until the retained snapshots taken before the
     * compaction retire (each later snapshot names the new checkpoint) and no read-only reader has it mapped; it is
     * deleted after a later snapshot, or at the next open.
     *
     * @param progress told the totals after each segment (on this thread), or null.
     * @return what was copied, freed, and is waiting to be deleted.
     * @throws IllegalStateException if called from inside a visitor of this store.
     */
    public CompactionResult compact(final Consumer<CompactionResult> progress)
    {
        requireWritable();
        if (readContexts.get().depth > 0)
        {
            throw new IllegalStateException("compact() called from inside a visitor of this store: call it after " +
                "the read returns");
        }
        final CompactionResult copied = compactor.compact(true, progress, guard::isClosed);
        checkpoints.checkpoint();
        final long freed;
        commits.lock().lock();
        try
        {
            requireOpen();
            freed = reclaimer.reclaim();
        }
        finally
        {
            commits.lock().unlock();
        }
        return new CompactionResult(copied.segmentsCompacted(), copied.segmentsToCompact(), copied.recordsCopied(),
            copied.bytesCopied(), freed, reclaimer.awaitingDeletion());
    }

    /**
     * {@return the retained snapshots that validate, newest first, each with why retention keeps it now. A read-only
     * store shows the rules and pins that the newest snapshot on disk records (its writer's).}
     */
    public List<SnapshotInfo> snapshots()
    {
        requireOpenState();
        return SnapshotListing.list(dir, manifests, options, options.readOnly() ? null : commits.retained(),
            commits.now());
    }

    /** Writer: what {@code m} holds and why retention keeps it now. */
    private SnapshotInfo writerInfo(final Manifest m)
    {
        final RetainedSnapshots retained = commits.retained();
        final long now = commits.now();
        return SnapshotListing.info(m, retained.decide(now), retained.pins(), now);
    }

    /** {@return the snapshot this store was opened at (read-only) or last committed, with why it is retained.} */
    public SnapshotInfo lastSnapshot()
    {
        final Manifest m = commits.lastCommitted();
        if (!options.readOnly())
        {
            return writerInfo(m);
        }
        for (final SnapshotInfo s : snapshots())
        {
            if (s.generation() == m.generation)
            {
                return s;
            }
        }
        return SnapshotListing.unretained(m); // retired by the writer since it was opened
    }

    /**
     * Checks the store against its checksums: every retained manifest and every index page of the durable
     * checkpoint; with {@code deep}, also every record of the log and every live index slot against its record.
     * Runs beside readers and writers; reads only.
     *
     * @param deep whether to check every record and every live index slot as well.
     * @return the problems found, empty when the store is sound.
     */
    public VerifyReport verify(final boolean deep)
    {
        final long last;
        writeLock.lock();
        try
        {
            requireOpen();
            log.handOff(); // the records up to last are read in the segments' mappings
            last = log.nextSequence() - 1;
        }
        finally
        {
            writeLock.unlock();
        }
        final int token = guard.enter();
        try
        {
            return new io.memsnap.internal.Verifier().verify(manifests, state.indexFile, index,
                checkpointer.durable(), log, last, seed, deep);
        }
        finally
        {
            guard.exit(token);
        }
    }

    /**
     * Figures of the store now: contents; the space its files take against its live records, per segment file and in
     * all; its snapshots and their health (automatic ones included); its compactions since it opened; its off-heap
     * memory (see {@link StoreStats} for what is read together). O(files): takes the write lock for a moment (as
     * {@link #lastSequence()}) and lists the directory once; never waits for a running snapshot, checkpoint or
     * compaction pass, never counts entries. A read-only store reports its snapshot.
     *
     * @return the figures, read together as {@link StoreStats} says.
     * @throws StoreClosedException if the store is closed.
     * @throws StoreIoException     if the directory cannot be listed.
     */
    public StoreStats stats()
    {
        requireOpenState();
        return stats.assemble(StoreStatsAssembler.Detail.CHEAP);
    }

    /**
     * Internal, not part of the supported API (what {@code memsnap stats} and {@code inspect} print): as
     * {@link #stats()}, and also what costs more: the allocated bytes of the index files (measured through
     * {@code stat}, a process), the bytes of the index pages the index reaches ({@link StoreStats#indexLiveBytes()},
     * every directory page read under the write lock) and, on a read-only store whose manifest has no live-bytes
     * table, the live bytes recounted from its index, O(entries).
     *
     * @return the figures, with the costlier ones.
     */
    public StoreStats statsForReport()
    {
        requireOpenState();
        return stats.assemble(StoreStatsAssembler.Detail.REPORT);
    }

    /**
     * As {@link #stats()}, with the live bytes recounted from the index (O(entries), under the write lock) whatever
     * the store's own accounting: for tests that check that accounting against it.
     */
    StoreStats recountedStats()
    {
        requireOpenState();
        return stats.assemble(StoreStatsAssembler.Detail.RECOUNT);
    }

    /** {@return the automatic snapshots of this store, null if read-only: for tests that move its clock by hand.} */
    AutoSnapshotter autoSnapshotter()
    {
        return autoSnapshots;
    }

    /** {@return the thread of this store's shutdown hook, or null: for tests.} */
    Thread shutdownHookThread()
    {
        return shutdownHook == null ? null : shutdownHook.thread();
    }

    /**
     * The files of the snapshot this read-only store opened, for a copy of it elsewhere (see {@link SnapshotFiles}).
     * This store holds them against deletion by the writer (of this process or another) until it closes; read them
     * before that.
     *
     * @return the files, lengths and manifest of this store's snapshot.
     * @throws IllegalStateException           if the store is a writer: its snapshot moves on.
     * @throws FormatUpgradeRequiredException if the snapshot is of an older format version: migrate the store first.
     */
    public SnapshotFiles snapshotFiles()
    {
        if (!options.readOnly())
        {
            throw new IllegalStateException("the files of a snapshot come from a store opened read-only (" +
                "StoreOptions.Builder.readOnly(true)), whose snapshot does not move on");
        }
        return SnapshotFiles.of(dir, state.manifest);
    }

    /** {@return what {@link #open} found and repaired.} */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /** {@return the dimension of the store's vectors.} */
    public int dimension()
    {
        return dimension;
    }

    /** {@return the store's directory.} */
    public Path directory()
    {
        return dir;
    }

    /** {@return the options the store was opened with.} */
    public StoreOptions options()
    {
        return options;
    }

    /** {@return the sequence number of the last write.} */
    public long lastSequence()
    {
        writeLock.lock();
        try
        {
            return log.nextSequence() - 1;
        }
        finally
        {
            writeLock.unlock();
        }
    }

    private void requireWritable()
    {
        if (options.readOnly())
        {
            throw new ReadOnlyStoreException();
        }
        requireOpenState();
    }

    private void requireOpenState()
    {
        if (guard.isClosed())
        {
            throw new StoreClosedException();
        }
    }

    private void requireOpen()
    {
        if (guard.isClosed())
        {
            throw new StoreClosedException();
        }
    }

    /**
     * Closes the store: refuses new calls, waits for readers inside and for a running write, sync, snapshot or
     * checkpoint (an automatic snapshot running is abandoned at its next step instead), takes a snapshot if
     * {@link StoreOptions#snapshotOnClose()} is set and anything changed since the last one (within its deadline;
     * one that fails or runs out of time is logged, not thrown), makes every write durable (as {@link #sync()} does),
     * unmaps everything, releases the lock and removes the shutdown hook. Idempotent.
     *
     * <p>A visitor still running when close starts on another thread may call the store again: reads, writes, syncs,
     * snapshots, checkpoints and verify then throw {@link StoreClosedException} (close waits for the visitor while
     * holding no lock, so none of them can wait for close); the other methods work as on a closed store.
     *
     * @throws IllegalStateException if called from inside a visitor of this store: it would wait for itself.
     * @throws StoreIoException      if the final flush fails; the store is closed all the same, and writes since the
     *                               last sync or snapshot may be lost in a power cut.
     */
    @Override
    public void close()
    {
        close(SnapshotTrigger.CLOSE);
    }

    /** @param trigger CLOSE, or SHUTDOWN from the shutdown hook (which snapshots whether or not close would). */
    private void close(final SnapshotTrigger trigger)
    {
        if (readContexts.get().depth > 0)
        {
            throw new IllegalStateException("close() called from inside a visitor of this store: it would wait for " +
                "its own read to end; close the store after the read returns");
        }
        if (shutdownHook != null)
        {
            shutdownHook.remove();
        }
        if (autoSnapshots != null)
        {
            autoSnapshots.stop();
        }
        if (compactions != null)
        {
            compactions.stop();
        }
        if (checkpoints != null)
        {
            checkpoints.stop();
        }
        // Sets the flag that every write, sync, snapshot and checkpoint checks under the write lock, then waits for
        // the readers inside. No lock is held meanwhile: a visitor may take any of them before it meets the flag.
        guard.closeAndAwait();
        final ReentrantLock checkpointLock = checkpoints == null ? new ReentrantLock() : checkpoints.lock();
        checkpointLock.lock();
        commits.lock().lock();
        try
        {
            // Once these locks are ours, whatever passed its open check before the flag was set has ended.
            writeLock.lock();
            try
            {
                if (unmapped)
                {
                    return;
                }
                unmapped = true;
            }
            finally
            {
                writeLock.unlock();
            }
            if (segmentPreparer != null)
            {
                segmentPreparer.stop(); // no write rolls any more: deletes the file prepared for the next roll
            }
            if (writeback != null)
            {
                writeback.stop();
            }
            if (autoSnapshots != null)
            {
                autoSnapshots.snapshotAtClose(trigger, closeSnapshotDeadline(trigger));
            }
            final StoreIoException flushFailure = commits.flushOnClose();
            if (checkpoints != null)
            {
                checkpoints.abandonCompaction();
                commits.tryDeleteUnneededIndexFiles(); // those read-only stores pinned until now
            }
            log.unmapAll();
            if (reclaimer != null)
            {
                reclaimer.close();
            }
            state.indexFile.unmapAll();
            for (final ReaderPins.Pin pin : state.pins)
            {
                pin.close();
            }
            if (state.directory != null)
            {
                state.directory.close();
            }
            if (flushFailure != null)
            {
                throw flushFailure;
            }
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not release the lock of " + dir, ex);
        }
        finally
        {
            commits.lock().unlock();
            checkpointLock.unlock();
        }
    }

    private Duration closeSnapshotDeadline(final SnapshotTrigger trigger)
    {
        final Duration configured = options.snapshotOnClose();
        return trigger == SnapshotTrigger.SHUTDOWN && configured.isZero() ?
            StoreOptions.DEFAULT_SHUTDOWN_SNAPSHOT_DEADLINE : configured;
    }

    @Override
    public String toString()
    {
        return "MemoryStore{dir=" + dir + ", entries=" + counts.entries() + ", states=" + counts.states() +
            ", dimension=" + dimension + (options.readOnly() ? ", read-only generation " +
            commits.lastCommitted().generation : "") + '}';
    }

    /**
     * Per-thread scratch of the read path, so that reads allocate nothing: the entry view, a checksum and a locator
     * of records for each level of reads nested in visitors (a record still in the write buffer is copied into its
     * level's locator, which a visitor's view then reads). Matching a key checks the record's CRC first, so a
     * damaged record is reported rather than silently not found.
     */
    private final class ReadContext implements KeyMatcher
    {
        final EntryView view = new EntryView();
        final Copier copier = new Copier();
        final Checksum checksum = new Checksum();
        RecordLocator[] locators = {new RecordLocator()};
        /** The locator of the innermost read in progress on this thread. */
        RecordLocator current = locators[0];
        /** Reads in progress on this thread: a visitor may read the store again. */
        int depth;

        /** Starts a read on this thread. @return the locator of its level. */
        RecordLocator enter()
        {
            final int level = depth++;
            if (level >= locators.length)
            {
                locators = Arrays.copyOf(locators, level + 1);
            }
            if (locators[level] == null)
            {
                locators[level] = new RecordLocator();
            }
            current = locators[level];
            return current;
        }

        /** Ends the read {@link #enter} started. */
        void exit()
        {
            depth--;
            current = locators[Math.max(0, depth - 1)];
        }

        /** {@return the view to hand to a visitor of the current read: this thread's own, or a new one if nested.} */
        EntryView enterView()
        {
            return depth == 1 ? view : new EntryView();
        }

        /** Ends a visit: the view throws from now on (see EntryView's lifetime), so it cannot outlive the mapping. */
        void exitView(final EntryView visited)
        {
            visited.release();
        }

        @Override
        public boolean matches(final long address, final CharSequence key, final long namespace)
        {
            final RecordLocator at = locate(address);
            return SegmentLog.keyMatches(at.buffer(), at.offset(), key, namespace);
        }

        /**
         * Points the current level's locator at the record at {@code address} and checks it (its CRC, when
         * {@link StoreOptions#verifyChecksumsOnRead()}).
         *
         * @return the locator.
         * @throws CorruptStoreException if the address or the record is damaged.
         */
        RecordLocator locate(final long address)
        {
            final RecordLocator at = current;
            final int offset = IndexPageDescriptor.offset(address);
            if (!log.locate(address, at) || offset < 0 || offset > at.segment().length() - HEADER_LENGTH)
            {
                throw new CorruptStoreException("index points at segment " + IndexPageDescriptor.segmentId(address) +
                    " offset " + offset + ", outside the store", state.indexFile.path(), -1);
            }
            if (options.verifyChecksumsOnRead())
            {
                final MemoryRegion b = at.buffer();
                final int o = at.offset();
                final int length = b.getInt(o + LENGTH_OFFSET);
                if (length < HEADER_LENGTH || length > at.limit() - o)
                {
                    throw new CorruptStoreException("record has impossible length " + length, at.segment().path(),
                        offset);
                }
                final int actual = checksum.compute(at.view(), o + CHECKSUMMED_FROM, length - CHECKSUMMED_FROM);
                final int stored = b.getInt(o + CRC_OFFSET);
                if (actual != stored)
                {
                    throw new CorruptStoreException("record checksum mismatch", at.segment().path(), offset,
                        Checksum.unsigned(stored), Checksum.unsigned(actual));
                }
            }
            return at;
        }
    }

    /** The visitor of {@link #get}: copies the entry it visits, with the id it was asked for. One per thread. */
    private static final class Copier implements EntryVisitor
    {
        String id;
        MemoryEntry copy;

        @Override
        public void visit(final EntryView entry)
        {
            copy = entry.toEntry(id);
        }
    }
}
