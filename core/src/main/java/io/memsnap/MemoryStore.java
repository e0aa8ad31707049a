package io.memsnap;

import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.ShutdownHook;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.KeyMatcher;
import io.memsnap.internal.recovery.Recovered;
import io.memsnap.internal.recovery.StoreOpener;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.snapshot.AutoSnapshotter;
import io.memsnap.internal.snapshot.CheckpointScheduler;
import io.memsnap.internal.snapshot.CommitCoordinator;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.IndexMemoryBudget;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.SnapshotLedger;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

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

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * A memory of sparse-vector entries and named state, kept in memory-mapped segment files off the Java heap and
 * found through an off-heap copy-on-write index; {@link #snapshot} makes it durable at the cost of what changed.
 *
 * <p><b>Concurrency.</b> Thread safe. Writes ({@code put}, {@code delete}, {@code putState}, {@code deleteState})
 * are serialised by one internal lock and are visible to readers as soon as they return. Reads ({@code get},
 * {@code read}, {@code contains}, {@code forEach}, {@code getState}) take no lock and never block, not even during a
 * snapshot. {@link #snapshot}, {@link #sync} and {@link #checkpoint} may run on any thread beside readers and
 * writers; each holds the write lock only for an O(1) freeze. One background thread per writable store checkpoints
 * the index; with automatic snapshots ({@link StoreOptions#autoSnapshots()}) another takes them, one at a time and
 * never beside an explicit {@link #snapshot}. {@link #close} stops them and waits for readers inside and for a
 * running snapshot; a visitor that calls the store while close waits for it gets {@link StoreClosedException}
 * rather than a deadlock.
 *
 * <p><b>Durability.</b> With {@link Durability#ON_SYNC} (default) a write is durable once a later {@link #sync()} or
 * {@link #snapshot} returns; with {@link Durability#EVERY_WRITE}, when it returns. After a crash, {@link #open}
 * restores every durable write and possibly some later ones, always a prefix of the writes in order.
 *
 * <p><b>Memory.</b> Entries and the index live in mapped files; the heap holds a fixed number of small objects
 * whatever the number of entries. Index pages created since the last checkpoint wait in direct memory, at most
 * {@link StoreOptions#maxResidentIndexBytes()} once open (the replay of an open holds those of the records since the
 * newest snapshot's checkpoint): a write that would go past it waits for a checkpoint, and throws
 * {@link IndexMemoryFullException} (nothing written) if that checkpoint fails. Their memory is freed explicitly once
 * written and no reader can still hold it, never left to the garbage collector.
 *
 * <p>JVM flag: Agrona needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
public final class MemoryStore implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.memsnap");
    private static final byte[] NO_METADATA = new byte[0];

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

    private MemoryStore(final Path dir, final StoreOptions options, final Recovered state,
        final IndexMemoryBudget indexMemory, final NanoClock clock)
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
        List<Long> onDisk = List.of();
        if (!options.readOnly())
        {
            try
            {
                onDisk = manifests.generations(); // listed once at open; retention then works from memory
            }
            catch (final IOException ex)
            {
                throw new StoreIoException("could not list the manifests of " + dir, ex);
            }
        }
        this.snapshotLedger = new SnapshotLedger(clock, state.manifest, options.autoSnapshotEveryChanges());
        this.commits = new CommitCoordinator(dir, options, writeLock, guard, counts, log, state.snapshotWriter,
            checkpointer, manifests, state.watermark, state.manifest, state.nextGeneration, onDisk, snapshotLedger);
        this.stats = new StoreStatsAssembler(dir, options.readOnly(), clock, writeLock, counts, log, state.indexFile,
            options.readOnly() ? 0 : indexMemory.limitBytes(), commits, manifests, snapshotLedger);
        if (options.readOnly())
        {
            this.checkpoints = null;
            this.autoSnapshots = null;
            this.shutdownHook = null;
        }
        else
        {
            state.indexFile.limitResident(indexMemory.limitBytes(), guard);
            this.checkpoints = new CheckpointScheduler(dir, options, writeLock, guard, counts, log, state.indexFile,
                checkpointer, commits, indexMemory);
            this.checkpoints.start();
            this.autoSnapshots = new AutoSnapshotter(dir, options, clock, writeLock, log, commits, snapshotLedger);
            this.autoSnapshots.start();
            this.shutdownHook = options.shutdownHook() ? ShutdownHook.register("memsnap-shutdown " +
                dir.getFileName(), () -> close(SnapshotTrigger.SHUTDOWN)) : null;
        }
    }

    /**
     * Creates a store in {@code dir} (created if missing) or restores the one there.
     *
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
     */
    public static MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs)
    {
        return open(dir, options, fs, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #open(Path, StoreOptions, StoreFileSystem)}, with the intervals, retry waits and close deadline of
     * automatic snapshots measured on {@code clock}: the seam of tests that move time by hand (they wake the thread
     * with {@link AutoSnapshotter#awaitPass}).
     */
    static MemoryStore open(final Path dir, final StoreOptions options, final StoreFileSystem fs,
        final NanoClock clock)
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new UnsupportedOperationException("memsnap's format is little-endian and needs a little-endian CPU");
        }
        final IndexMemoryBudget indexMemory = options.readOnly() ? null :
            IndexMemoryBudget.of(options, IndexMemoryBudget.jvmDirectMemoryLimit());
        try
        {
            return new MemoryStore(dir, options, StoreOpener.open(dir, options, fs), indexMemory, clock);
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not open store " + dir, ex);
        }
    }

    // ------------------------------------------------------------------------------------------------ writes

    /** As {@link #put(String, SparseVector, float, long, byte[])} with importance 1, now, and no metadata. */
    public void put(final String id, final SparseVector vector)
    {
        put(id, vector, 1.0f, System.currentTimeMillis(), null);
    }

    /**
     * Stores or replaces an entry.
     *
     * @param metadata up to {@link StoreOptions#maxMetadataBytes()} bytes, or null for none.
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
        SparseVector.validate(vector.indicesUnsafe(), vector.valuesUnsafe(), dimension);
        if (!Float.isFinite(importance))
        {
            throw new InvalidEntryException("importance of '" + id + "' is " + importance + ": it must be finite");
        }
        final byte[] meta = metadata == null ? NO_METADATA : metadata;
        if (meta.length > options.maxMetadataBytes())
        {
            throw new InvalidEntryException("metadata of '" + id + "' is " + meta.length + " bytes; at most " +
                options.maxMetadataBytes() + " are allowed (StoreOptions.maxMetadataBytes)");
        }
        log.requireFits(RecordDescriptor.recordLength(vector.nnz(), idLength, meta.length), "entry", id);
        write(id, idLength, KeyHash.NAMESPACE_ENTRY, vector, importance, storedAtMillis, meta);
    }

    /** The write path of entries and named state: one record appended, then published in the index. */
    private void write(final String key, final int keyLength, final long namespace, final SparseVector vector,
        final float importance, final long storedAtMillis, final byte[] value)
    {
        final boolean isState = namespace == KeyHash.NAMESPACE_STATE;
        final long hash = KeyHash.hash(seed, namespace, key);
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
            if (index.putAt(bucket, slot, hash, address) == 0)
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
            afterWrite(address);
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /**
     * Deletes an entry.
     *
     * @return whether it existed.
     */
    public boolean delete(final String id)
    {
        return deleteKey(id, KeyHash.NAMESPACE_ENTRY);
    }

    /**
     * Stores or replaces a named state: a small blob kept beside the entries (a transition table, a history,
     * an encoder configuration) and snapshotted with them.
     */
    public void putState(final String name, final byte[] value)
    {
        requireWritable();
        final int nameLength = checkId(name, "state name");
        if (value == null || value.length > options.maxStateBytes())
        {
            throw new InvalidEntryException("state '" + name + "' must be non-null and at most " +
                options.maxStateBytes() + " bytes (StoreOptions.maxStateBytes)" +
                (value == null ? "" : "; it is " + value.length));
        }
        log.requireFits(RecordDescriptor.recordLength(0, nameLength, value.length), "state", name);
        write(name, nameLength, KeyHash.NAMESPACE_STATE, SparseVector.empty(), 0.0f, System.currentTimeMillis(),
            value);
    }

    /** @return whether the named state existed. */
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
            final long address = log.appendDelete(key, length, isState);
            index.remove(bucket, hash, key, namespace, log);
            if (isState)
            {
                counts.addStates(-1);
            }
            else
            {
                counts.addEntries(-1);
            }
            afterWrite(address);
            return true;
        }
        finally
        {
            writeLock.unlock();
        }
    }

    private void afterWrite(final long address)
    {
        snapshotLedger.changed(log.nextSequence() - 1);
        if (options.durability() == Durability.EVERY_WRITE)
        {
            commits.acknowledgeWrite();
        }
    }

    private int checkId(final String id, final String what)
    {
        if (id == null || id.isEmpty())
        {
            throw new InvalidEntryException(what + " must be a non-empty string");
        }
        final int length = Utf8.encodedLengthOrBadChar(id);
        if (length < 0)
        {
            throw new InvalidEntryException(what + " '" + abbreviate(id) + "' holds an unpaired surrogate at char " +
                (-1 - length) + ": it must be valid Unicode");
        }
        final int max = Math.min(options.maxIdBytes(), StoreOptions.ID_BYTES_LIMIT);
        if (length > max)
        {
            throw new InvalidEntryException(what + " '" + abbreviate(id) + "' is " + length + " UTF-8 bytes; at most " +
                max + " are allowed (StoreOptions.maxIdBytes)");
        }
        return length;
    }

    private static String abbreviate(final String s)
    {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    // ------------------------------------------------------------------------------------------------ reads

    /**
     * Hands the entry to {@code visitor} without copying or allocating.
     *
     * @return whether the entry exists (the visitor was called).
     * @throws CorruptStoreException if the record fails its checksum.
     */
    public boolean read(final String id, final EntryVisitor visitor)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_ENTRY, id);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        final EntryView view = context.enterView();
        try
        {
            final long address = index.lookup(hash, id, KeyHash.NAMESPACE_ENTRY, context);
            if (address == 0)
            {
                return false;
            }
            view.wrap(log.buffer(IndexPageDescriptor.segmentId(address)), IndexPageDescriptor.offset(address));
            visitor.visit(view);
            return true;
        }
        finally
        {
            context.exitView(view);
            guard.exit(token);
        }
    }

    /** @return a copy of the entry, or empty. */
    public Optional<MemoryEntry> get(final String id)
    {
        final MemoryEntry[] found = new MemoryEntry[1];
        read(id, view -> found[0] = view.toEntry());
        return Optional.ofNullable(found[0]);
    }

    public boolean contains(final String id)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_ENTRY, id);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        try
        {
            return index.lookup(hash, id, KeyHash.NAMESPACE_ENTRY, context) != 0;
        }
        finally
        {
            guard.exit(token);
        }
    }

    /** @return the number of live entries (named state not counted). */
    public long size()
    {
        return counts.entries();
    }

    /**
     * Visits every live entry once, in no particular order, without copying. Weakly consistent: writes made during
     * the iteration may or may not be seen; no entry is seen twice. For an exact point-in-time view, open a
     * snapshot read-only.
     */
    public void forEach(final EntryVisitor visitor)
    {
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        final EntryView view = context.enterView();
        try
        {
            index.forEach((hash, address) ->
            {
                final UnsafeBuffer b = context.verified(address);
                final int offset = IndexPageDescriptor.offset(address);
                if (b.getByte(offset + TYPE_OFFSET) == TYPE_PUT)
                {
                    view.wrap(b, offset);
                    visitor.visit(view);
                }
            });
        }
        finally
        {
            context.exitView(view);
            guard.exit(token);
        }
    }

    /**
     * Visits every live entry in id order (by the UTF-8 bytes of the id, which is Unicode code point order). Sorts
     * the entries' addresses off the heap first (8 bytes an entry of direct memory), so heap use stays fixed. Exact
     * on a read-only store; on a store being written, entries changed during the call may show either version.
     */
    public void forEachInIdOrder(final EntryVisitor visitor)
    {
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        final EntryView view = context.enterView();
        try (io.memsnap.internal.AddressSorter sorter = new io.memsnap.internal.AddressSorter(log))
        {
            index.forEach((hash, address) ->
            {
                final UnsafeBuffer b = context.verified(address);
                if (b.getByte(IndexPageDescriptor.offset(address) + TYPE_OFFSET) == TYPE_PUT)
                {
                    sorter.add(address);
                }
            });
            sorter.sort();
            for (int i = 0, n = sorter.size(); i < n; i++)
            {
                final long address = sorter.get(i);
                view.wrap(log.buffer(IndexPageDescriptor.segmentId(address)), IndexPageDescriptor.offset(address));
                visitor.visit(view);
            }
        }
        finally
        {
            context.exitView(view);
            guard.exit(token);
        }
    }

    /** @return a copy of the named state, or empty. */
    public Optional<byte[]> getState(final String name)
    {
        final long hash = KeyHash.hash(seed, KeyHash.NAMESPACE_STATE, name);
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        try
        {
            final long address = index.lookup(hash, name, KeyHash.NAMESPACE_STATE, context);
            if (address == 0)
            {
                return Optional.empty();
            }
            final UnsafeBuffer b = log.buffer(IndexPageDescriptor.segmentId(address));
            final int offset = IndexPageDescriptor.offset(address);
            final byte[] value = new byte[b.getInt(offset + VALUE_LENGTH_OFFSET)];
            b.getBytes(valueOffset(offset, 0, b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF), value);
            return Optional.of(value);
        }
        finally
        {
            guard.exit(token);
        }
    }

    /** @return the names of the named states, sorted. */
    public List<String> stateNames()
    {
        final List<String> names = new ArrayList<>();
        final ReadContext context = readContexts.get();
        final int token = guard.enter();
        try
        {
            index.forEach((hash, address) ->
            {
                final UnsafeBuffer b = context.verified(address);
                final int offset = IndexPageDescriptor.offset(address);
                if (b.getByte(offset + TYPE_OFFSET) == TYPE_STATE_PUT)
                {
                    names.add(Utf8.decode(b, idOffset(offset, 0), b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF));
                }
            });
        }
        finally
        {
            guard.exit(token);
        }
        Collections.sort(names);
        return names;
    }

    /** @return the number of named states. */
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

    /** As {@link #snapshot(Map)} without labels. */
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
        return info(commits.snapshot(labels));
    }

    /**
     * Checkpoints the index now: freezes the current index version in O(1) and, without blocking readers or
     * writers, seals and flushes the index pages created since the previous checkpoint. The next snapshot names it,
     * and opening that snapshot replays only the records written after it. A background thread does this on its
     * own every {@link StoreOptions#checkpointRecords()} records; call it before a planned restart to make the next
     * open replay nothing.
     */
    public void checkpoint()
    {
        requireWritable();
        checkpoints.checkpoint();
    }

    /** @return the retained snapshots that validate, newest first. */
    public List<SnapshotInfo> snapshots()
    {
        requireOpenState();
        final List<SnapshotInfo> infos = new ArrayList<>();
        try
        {
            for (final long generation : manifests.generations())
            {
                try
                {
                    infos.add(info(manifests.read(generation)));
                }
                catch (final CorruptStoreException | java.nio.file.NoSuchFileException ex)
                {
                    LOG.log(System.Logger.Level.DEBUG, "skipping snapshot " + generation + ": " + ex.getMessage());
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not list snapshots of " + dir, ex);
        }
        return infos;
    }

    private static SnapshotInfo info(final Manifest m)
    {
        return new SnapshotInfo(m.generation, m.lastSequence, m.createdAtMillis, m.entryCount, m.stateCount,
            m.bytesFlushed, m.durationNanos, m.labels, m.checkpoint.lastSequence);
    }

    /** @return the snapshot this store was opened at (read-only) or last committed. */
    public SnapshotInfo lastSnapshot()
    {
        return info(commits.lastCommitted());
    }

    /**
     * Checks the store against its checksums: every retained manifest and every index page of the durable
     * checkpoint; with {@code deep}, also every record of the log and every live index slot against its record.
     * Runs beside readers and writers; reads only.
     *
     * @return the problems found, empty when the store is sound.
     */
    public VerifyReport verify(final boolean deep)
    {
        final long last;
        writeLock.lock();
        try
        {
            requireOpen();
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
     * Figures of the store now: contents, snapshots and their health (automatic ones included), off-heap index
     * memory. Takes the write lock for a moment (as {@link #lastSequence()}); never waits for a running snapshot or
     * checkpoint. On a read-only store it lists the directory to count the snapshots.
     *
     * @throws StoreClosedException if the store is closed.
     */
    public StoreStats stats()
    {
        requireOpenState();
        return stats.assemble();
    }

    /** @return the automatic snapshots of this store, null if read-only: for tests that move its clock by hand. */
    AutoSnapshotter autoSnapshotter()
    {
        return autoSnapshots;
    }

    /** @return the thread of this store's shutdown hook, or null: for tests. */
    Thread shutdownHookThread()
    {
        return shutdownHook == null ? null : shutdownHook.thread();
    }

    /** @return what {@link #open} found and repaired. */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    public int dimension()
    {
        return dimension;
    }

    public Path directory()
    {
        return dir;
    }

    public StoreOptions options()
    {
        return options;
    }

    /** @return the sequence number of the last write. */
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
            if (autoSnapshots != null)
            {
                autoSnapshots.snapshotAtClose(trigger, closeSnapshotDeadline(trigger));
            }
            final StoreIoException flushFailure = commits.flushOnClose();
            log.unmapAll();
            state.indexFile.unmapAll();
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
     * Per-thread scratch of the read path, so that reads allocate nothing: the entry view, a checksum and a view of
     * each segment for it. Matching a key checks the record's CRC first, so a damaged record is reported rather
     * than silently not found.
     */
    private final class ReadContext implements KeyMatcher
    {
        final EntryView view = new EntryView();
        final Checksum checksum = new Checksum();
        ByteBuffer[] views = new ByteBuffer[0];
        /** Visits in progress on this thread: a visitor may read the store again. */
        int depth;

        /** @return the view to hand to a visitor: this thread's own, or a new one for a read nested in a visit. */
        EntryView enterView()
        {
            return depth++ == 0 ? view : new EntryView();
        }

        /** Ends a visit: the view throws from now on (see EntryView's lifetime), so it cannot outlive the mapping. */
        void exitView(final EntryView visited)
        {
            visited.release();
            depth--;
        }

        @Override
        public boolean matches(final long address, final CharSequence key, final long namespace)
        {
            verified(address);
            return log.keyMatches(address, key, namespace);
        }

        UnsafeBuffer verified(final long address)
        {
            final int segmentId = IndexPageDescriptor.segmentId(address);
            final Segment segment = log.segment(segmentId);
            final int offset = IndexPageDescriptor.offset(address);
            if (segment == null || offset < 0 || offset > segment.length() - HEADER_LENGTH)
            {
                throw new CorruptStoreException("index points at segment " + segmentId + " offset " + offset +
                    ", outside the store", state.indexFile.path(), -1);
            }
            final UnsafeBuffer b = segment.buffer();
            if (options.verifyChecksumsOnRead())
            {
                final int length = b.getInt(offset + LENGTH_OFFSET);
                if (length < HEADER_LENGTH || length > segment.length() - offset)
                {
                    throw new CorruptStoreException("record has impossible length " + length, segment.path(), offset);
                }
                if (segmentId >= views.length)
                {
                    views = Arrays.copyOf(views, Math.max(segmentId + 1, views.length * 2));
                }
                if (views[segmentId] == null)
                {
                    views[segmentId] = segment.newView();
                }
                final int actual = checksum.compute(views[segmentId], offset + CHECKSUMMED_FROM,
                    length - CHECKSUMMED_FROM);
                final int stored = b.getInt(offset + CRC_OFFSET);
                if (actual != stored)
                {
                    throw new CorruptStoreException("record checksum mismatch", segment.path(), offset,
                        Checksum.unsigned(stored), Checksum.unsigned(actual));
                }
            }
            return b;
        }
    }
}
