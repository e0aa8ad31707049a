package io.memsnap.internal;

import io.memsnap.CorruptStoreException;
import io.memsnap.RecoveryMode;
import io.memsnap.RecoveryReport;
import io.memsnap.StoreOptions;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.RecordScanner;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.Freeze;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.SnapshotWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Opens a store directory: creates a new store, or restores the newest snapshot that validates and replays the
 * valid tail after it.
 *
 * <p>Everything that can refuse the store (foreign files, the lock, format versions, damaged manifests) is checked
 * before anything on disk is changed. Then, and only for a writer: stale pending manifests and manifests newer than
 * the one restored (they failed to validate) are deleted, segments past a torn tail are deleted, and a torn tail is
 * left behind by starting a new segment, so that bytes after the cut can never be mistaken for records later.
 *
 * <p>Not thread safe: runs once, before the store is handed out.
 */
public final class StoreOpener
{
    private static final System.Logger LOG = System.getLogger("io.memsnap.recovery");
    /** How often a read-only open lists the manifests again when all it listed were retired while it looked. */
    private static final int MAX_LISTINGS = 20;

    /** What an open produced. Fields are handed to the store and owned by it from then on. */
    public static final class OpenState
    {
        public StoreDirectory directory;
        public ManifestStore manifests;
        public SegmentLog log;
        public IndexFile indexFile;
        public HashIndex index;
        public SnapshotWriter snapshotWriter;
        public IndexCheckpointer checkpointer;
        public Manifest manifest;
        public long nextGeneration;
        public long entryCount;
        public long stateCount;
        public RecoveryReport report;
    }

    private StoreOpener()
    {
    }


    public static OpenState open(final Path dir, final StoreOptions options, final StoreFileSystem fs)
        throws IOException
    {
        final long start = System.nanoTime();
        final StoreDirectory directory = StoreDirectory.scan(fs, dir, !options.readOnly());
        if (options.readOnly())
        {
            return openReadOnly(directory, options, start);
        }
        try
        {
            directory.lock();
            final ManifestStore manifests = new ManifestStore(fs, dir);
            final List<Long> generations = manifests.generations();
            if (generations.isEmpty())
            {
                return create(fs, directory, manifests, options, start);
            }
            final List<String> skipped = new ArrayList<>();
            // Index pages that a snapshot tried so far commits: a fallback replays into pages above them only, so
            // that a newer snapshot stays whole on disk until the recovery that passes over it succeeds.
            int committedByNewer = 0;
            // Files under a manifest name that hold no snapshot of that name (an interrupted recycling commit).
            final List<Long> abandoned = new ArrayList<>();
            // Fall back only past damage to a snapshot's own files (its manifest, its index root). Damage found
            // while replaying the log is not repaired by an older snapshot, which replays the same log, and must
            // not be "repaired" by cutting intact records: it is thrown, and nothing on disk has changed.
            for (final long generation : generations)
            {
                IndexFile indexFile = null;
                final Manifest manifest;
                final HashIndex index;
                try
                {
                    manifest = readUnlessAbandoned(manifests, generation);
                    if (manifest == null)
                    {
                        // A manifest file that a recycling snapshot overwrote for a newer generation when the process
                        // or the machine stopped: never committed under any name, nothing to restore, not damage.
                        abandoned.add(generation);
                        continue;
                    }
                    committedByNewer = Math.max(committedByNewer, manifest.checkpoint.indexPages);
                    checkDimension(manifest, options, manifests.path(generation));
                    final Checkpoint checkpoint = manifest.checkpoint;
                    indexFile = IndexFile.open(fs, dir, checkpoint.indexPages, committedByNewer, false);
                    index = HashIndex.open(indexFile, checkpoint.rootPage, checkpoint.indexPages);
                }
                catch (final CorruptStoreException ex)
                {
                    if (indexFile != null)
                    {
                        indexFile.unmapAll();
                    }
                    if (options.recoveryMode() == RecoveryMode.STRICT)
                    {
                        throw ex;
                    }
                    skipped.add("generation " + generation + ": " + ex.getMessage());
                    LOG.log(System.Logger.Level.WARNING, "snapshot generation {0} of {1} does not validate, " +
                        "falling back to the previous one: {2}", generation, dir, ex.getMessage());
                    continue;
                }
                return recover(fs, directory, manifests, manifest, indexFile, index, generations, skipped, abandoned,
                    options, start);
            }
            throw new CorruptStoreException("no snapshot in the store validates (" + String.join("; ", skipped) + ")",
                dir, 0);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            directory.close();
            throw ex;
        }
    }

    private static void checkDimension(final Manifest manifest, final StoreOptions options, final Path file)
    {
        if (options.dimension() != 0 && options.dimension() != manifest.dimension)
        {
            throw new IllegalArgumentException("the store in " + file.getParent() + " has dimension " +
                manifest.dimension + " but StoreOptions asks for " + options.dimension() +
                ": open it with dimension " + manifest.dimension + " (or 0 to take the store's)");
        }
    }

    private static OpenState create(final StoreFileSystem fs, final StoreDirectory directory,
        final ManifestStore manifests, final StoreOptions options, final long start) throws IOException
    {
        if (options.dimension() == 0)
        {
            throw new IllegalArgumentException("there is no store in " + directory.path() +
                " yet: creating one needs StoreOptions.dimension");
        }
        final Path dir = directory.path();
        // Without a manifest, no write was ever acknowledged: any files are from a creation that did not finish.
        // Refuse if a segment holds a record all the same (manifests deleted by hand?) rather than lose it.
        for (final int id : directory.segmentIds())
        {
            if (holdsRecord(dir, id))
            {
                throw new CorruptStoreException("the store has no manifest but segment " + id +
                    " holds records: its manifests were lost", dir.resolve(SegmentDescriptor.fileName(id)),
                    SegmentDescriptor.HEADER_LENGTH);
            }
        }
        manifests.deletePending();
        for (final int id : directory.segmentIds())
        {
            fs.deleteIfExists(dir.resolve(SegmentDescriptor.fileName(id)));
        }
        fs.deleteIfExists(dir.resolve(IndexPageDescriptor.FILE_NAME));

        final OpenState state = new OpenState();
        state.directory = directory;
        state.manifests = manifests;
        state.indexFile = IndexFile.create(fs, dir);
        state.index = HashIndex.create(state.indexFile);
        final Segment first = Segment.create(fs, dir, 1, options.segmentSize(), 1, options.preallocate());
        state.log = new SegmentLog(fs, dir, options.segmentSize(), options.preallocate(), new Segment[] {null, first});
        state.log.resume(1, SegmentDescriptor.HEADER_LENGTH, 1, new int[2]);
        final long seed = new SecureRandom().nextLong();
        state.snapshotWriter = new SnapshotWriter(fs, dir, manifests, state.log, seed, options.dimension());
        final Checkpoint nothingSealed = new Checkpoint(state.index.rootPage(), 1, 1, 0, 1,
            SegmentDescriptor.HEADER_LENGTH, 0, 0, 0);
        state.checkpointer = new IndexCheckpointer(state.indexFile, state.index, nothingSealed);
        final Checkpoint initial = state.checkpointer.write(state.checkpointer.freeze(state.log, 0, 0), () -> { });
        final Freeze freeze = Freeze.take(state.log, 0, 0, System.nanoTime());
        state.manifest = state.snapshotWriter.write(freeze, initial, null, 0, Collections.emptyMap(), -1);
        state.nextGeneration = 1;
        state.report = new RecoveryReport(0, List.of(), 0, 0, null, List.of(), System.nanoTime() - start);
        return state;
    }

    /**
     * @return whether anything was written where the first record of a segment goes. A segment whose creation a
     * crash interrupted never received a record: its header is written and synced before the first record.
     */
    private static boolean holdsRecord(final Path dir, final int id) throws IOException
    {
        final Path file = dir.resolve(SegmentDescriptor.fileName(id));
        if (Files.size(file) < SegmentDescriptor.HEADER_LENGTH + 8)
        {
            return false;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file))
        {
            final java.nio.ByteBuffer first = java.nio.ByteBuffer.allocate(8);
            ch.read(first, SegmentDescriptor.HEADER_LENGTH);
            return first.getLong(0) != 0;
        }
    }

    private static OpenState recover(
        final StoreFileSystem fs,
        final StoreDirectory directory,
        final ManifestStore manifests,
        final Manifest manifest,
        final IndexFile indexFile,
        final HashIndex index,
        final List<Long> generations,
        final List<String> skipped,
        final List<Long> abandoned,
        final StoreOptions options,
        final long start) throws IOException
    {
        final Path dir = directory.path();
        final List<Integer> ids = directory.segmentIds();
        final int maxId = Math.max(ids.isEmpty() ? 0 : ids.get(ids.size() - 1), manifest.tailSegment);
        final Segment[] segments = new Segment[maxId + 1];
        final List<Integer> unreadable = new ArrayList<>();
        CorruptStoreException damagedTailSegment = null;
        try
        {
            for (final int id : ids)
            {
                try
                {
                    segments[id] = Segment.open(dir, id);
                }
                catch (final CorruptStoreException ex)
                {
                    if (manifest.segment(id) != null)
                    {
                        throw ex;
                    }
                    if (holdsRecord(dir, id))
                    {
                        // Damage, not an interrupted creation: records of the tail are lost with it.
                        if (options.recoveryMode() == RecoveryMode.STRICT)
                        {
                            throw ex;
                        }
                        damagedTailSegment = damagedTailSegment == null ? ex : damagedTailSegment;
                    }
                    unreadable.add(id); // a segment whose creation a crash interrupted; nothing reached it
                }
            }
            final int[] ends = new int[segments.length];
            for (final Manifest.FileEntry entry : manifest.segments)
            {
                final Segment s = entry.segmentId < segments.length ? segments[entry.segmentId] : null;
                if (s == null || s.length() < entry.committedLength)
                {
                    throw new CorruptStoreException("segment " + entry.segmentId + " that snapshot " +
                        manifest.generation + " needs is missing or shorter than its committed " +
                        entry.committedLength + " bytes", dir.resolve(SegmentDescriptor.fileName(entry.segmentId)),
                        s == null ? 0 : s.length());
                }
                ends[entry.segmentId] = entry.committedLength;
            }

            final SegmentLog log = new SegmentLog(fs, dir, options.segmentSize(), options.preallocate(), segments);
            final OpenState state = new OpenState();
            final Replay replay = replay(state, index, log, segments, manifest, Long.MAX_VALUE, ends);
            if (replay.expected <= manifest.lastSequence)
            {
                throw new CorruptStoreException("record " + replay.expected + ", which snapshot " +
                    manifest.generation + " holds, is " + (replay.cut == null ? "missing (the log ends before it)" :
                    "damaged: " + replay.problem), replay.current.path(), replay.offset, replay.expectedCrc,
                    replay.actualCrc);
            }
            if (replay.cut != null && options.recoveryMode() == RecoveryMode.STRICT)
            {
                throw new CorruptStoreException("torn record in the tail after snapshot " + manifest.generation +
                    ": " + replay.problem, replay.current.path(), replay.offset, replay.expectedCrc, replay.actualCrc);
            }
            final Segment current = replay.current;
            final int offset = replay.offset;
            final long expected = replay.expected;
            final long replayed = replay.replayed;
            String cut = replay.cut;
            if (cut == null && damagedTailSegment != null)
            {
                cut = "after " + current.path() + " (sequence " + expected + "): the next segment is damaged: " +
                    damagedTailSegment.getMessage();
            }

            // From here on the directory changes.
            final List<String> discarded = new ArrayList<>();
            manifests.deletePending();
            for (final long generation : generations)
            {
                if (generation > manifest.generation || abandoned.contains(generation) ||
                    generation < manifest.generation && isAbandoned(manifests, generation))
                {
                    manifests.delete(generation);
                    discarded.add(manifests.path(generation).getFileName().toString());
                }
            }
            for (int id = current.id() + 1; id < segments.length; id++)
            {
                if (segments[id] != null || unreadable.contains(id))
                {
                    if (segments[id] != null)
                    {
                        segments[id].unmap();
                        segments[id] = null;
                    }
                    fs.deleteIfExists(dir.resolve(SegmentDescriptor.fileName(id)));
                    discarded.add(SegmentDescriptor.fileName(id));
                }
            }
            log.resume(current.id(), offset, expected, ends);
            if (cut != null)
            {
                LOG.log(System.Logger.Level.WARNING, "cut the tail of {0} at a torn record: {1}", dir, cut);
                log.startNewSegment();
            }
            if (!discarded.isEmpty())
            {
                LOG.log(System.Logger.Level.WARNING, "discarded unreachable files in {0}: {1}", dir, discarded);
                fs.syncDirectory(dir);
            }

            state.directory = directory;
            state.manifests = manifests;
            state.log = log;
            state.indexFile = indexFile;
            state.index = index;
            state.manifest = manifest;
            state.nextGeneration = generations.get(0) + 1;
            state.snapshotWriter = new SnapshotWriter(fs, dir, manifests, log, manifest.seed, manifest.dimension);
            state.checkpointer = new IndexCheckpointer(indexFile, index, manifest.checkpoint);
            state.report = new RecoveryReport(manifest.generation, skipped, replayed, expected - 1, cut, discarded,
                System.nanoTime() - start);
            return state;
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            for (final Segment s : segments)
            {
                if (s != null)
                {
                    s.unmap();
                }
            }
            indexFile.unmapAll();
            throw ex;
        }
    }

    /** Where a replay stopped, and why. */
    private static final class Replay
    {
        Segment current;
        int offset;
        long expected;
        long replayed;
        String cut;
        String problem;
        long expectedCrc;
        long actualCrc;
    }

    /**
     * Replays, on top of the manifest's index checkpoint, the records after it that checksum and carry the next
     * sequence number, following the segment chain, up to {@code maxSequence} at most. Sets the counts in
     * {@code state} and the end of each segment passed in {@code ends}.
     */
    private static Replay replay(final OpenState state, final HashIndex index, final SegmentLog log,
        final Segment[] segments, final Manifest manifest, final long maxSequence, final int[] ends)
    {
        final Checkpoint checkpoint = manifest.checkpoint;
        state.entryCount = checkpoint.entryCount;
        state.stateCount = checkpoint.stateCount;
        final RecordScanner scanner = new RecordScanner();
        final Replay r = new Replay();
        r.current = segments[checkpoint.replaySegment];
        r.offset = checkpoint.replayOffset;
        r.expected = checkpoint.lastSequence + 1;
        while (r.expected <= maxSequence)
        {
            final int status = scanner.scan(r.current, r.offset, r.expected);
            if (status == RecordScanner.VALID)
            {
                r.offset += scanner.alignedLength();
                if (!RecordDescriptor.isPadType(scanner.type()))
                {
                    apply(state, index, log, manifest.seed, r.current, r.offset - scanner.alignedLength(),
                        scanner.type());
                    r.expected++;
                    r.replayed++;
                }
                continue;
            }
            final int nextId = r.current.id() + 1;
            final Segment next = nextId < segments.length ? segments[nextId] : null;
            if (next != null && next.firstSequence() == r.expected)
            {
                ends[r.current.id()] = r.offset;
                r.current = next;
                r.offset = SegmentDescriptor.HEADER_LENGTH;
                continue;
            }
            if (status == RecordScanner.TORN)
            {
                r.problem = scanner.problem();
                r.expectedCrc = scanner.expectedCrc();
                r.actualCrc = scanner.actualCrc();
                r.cut = r.current.path() + " at offset " + r.offset + " (sequence " + r.expected + "): " + r.problem;
            }
            else if (r.expected <= maxSequence && maxSequence != Long.MAX_VALUE)
            {
                r.problem = "the log ends before sequence " + maxSequence;
                r.cut = r.current.path() + " at offset " + r.offset + ": " + r.problem;
            }
            break;
        }
        return r;
    }

    /**
     * @return whether the manifest file of {@code generation} holds no snapshot of that name: a recycling commit
     * overwrote it for a newer generation and a crash or a power loss kept the rename from the directory.
     */
    private static boolean isAbandoned(final ManifestStore manifests, final long generation) throws IOException
    {
        try
        {
            return readUnlessAbandoned(manifests, generation) == null;
        }
        catch (final CorruptStoreException ex)
        {
            return false; // damage: left for verify to report, and for a fallback to skip
        }
    }

    /**
     * Writer's open (it holds the lock, so no snapshot is recycling now): reads a manifest.
     *
     * @return null if the file is an abandoned recycle (see {@link ManifestStore#read}).
     */
    private static Manifest readUnlessAbandoned(final ManifestStore manifests, final long generation)
        throws IOException
    {
        try
        {
            return manifests.read(generation);
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            if (Files.exists(manifests.path(generation)))
            {
                LOG.log(System.Logger.Level.DEBUG, "skipping generation {0}: {1}", generation, ex.getMessage());
                return null;
            }
            throw ex;
        }
    }

    /** Applies one replayed record to the index, as the write path did when it was written. */
    private static void apply(final OpenState state, final HashIndex index, final SegmentLog log, final long seed,
        final Segment segment, final int offset, final byte type)
    {
        final UnsafeBuffer b = segment.buffer();
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        final String id = Utf8.decode(b, RecordDescriptor.idOffset(offset, nnz), idLength);
        final boolean isState = RecordDescriptor.isStateType(type);
        final long namespace = isState ? KeyHash.NAMESPACE_STATE : KeyHash.NAMESPACE_ENTRY;
        final long hash = KeyHash.hash(seed, namespace, id);
        final int bucket = index.prepare(hash, id, namespace, log);
        if (RecordDescriptor.isDeleteType(type))
        {
            if (index.remove(bucket, hash, id, namespace, log) != 0)
            {
                if (isState)
                {
                    state.stateCount--;
                }
                else
                {
                    state.entryCount--;
                }
            }
        }
        else if (index.put(bucket, hash, id, namespace, log, IndexPageDescriptor.address(segment.id(), offset)) == 0)
        {
            if (isState)
            {
                state.stateCount++;
            }
            else
            {
                state.entryCount++;
            }
        }
    }

    private static OpenState openReadOnly(final StoreDirectory directory, final StoreOptions options,
        final long start) throws IOException
    {
        return openReadOnlyListedAgain(directory, options, start, 1);
    }

    private static OpenState openReadOnlyListedAgain(final StoreDirectory directory, final StoreOptions options,
        final long start, final int listings) throws IOException
    {
        final Path dir = directory.path();
        final ManifestStore manifests = new ManifestStore(StoreFileSystem.real(), dir); // never writes here
        final List<String> skipped = new ArrayList<>();
        final List<Long> generations = manifests.generations();
        int gone = 0;
        for (int i = 0; i < generations.size(); i++)
        {
            final long generation = generations.get(i);
            if (options.generation() != StoreOptions.NEWEST_GENERATION && generation != options.generation())
            {
                continue;
            }
            IndexFile indexFile = null;
            final List<Segment> opened = new ArrayList<>();
            boolean snapshotFilesValid = false;
            try
            {
                final Manifest manifest = manifests.read(generation);
                checkDimension(manifest, options, manifests.path(generation));
                final Checkpoint checkpoint = manifest.checkpoint;
                indexFile = IndexFile.open(StoreFileSystem.real(), dir, checkpoint.indexPages, true);
                final HashIndex index = HashIndex.open(indexFile, checkpoint.rootPage, checkpoint.indexPages);
                snapshotFilesValid = true; // from here on, damage is in the log: an older snapshot replays it too
                final Segment[] segments = new Segment[manifest.tailSegment + 1];
                final int[] ends = new int[segments.length];
                for (final Manifest.FileEntry entry : manifest.segments)
                {
                    if (entry.segmentId <= 0 || entry.segmentId > manifest.tailSegment)
                    {
                        throw new CorruptStoreException("manifest names segment " + entry.segmentId + " beyond its " +
                            "tail " + manifest.tailSegment, manifests.path(generation), 0);
                    }
                    final Segment s = Segment.open(dir, entry.segmentId);
                    opened.add(s);
                    if (s.length() < entry.committedLength)
                    {
                        throw new CorruptStoreException("segment is shorter than its committed " +
                            entry.committedLength + " bytes", s.path(), s.length());
                    }
                    segments[entry.segmentId] = s;
                    ends[entry.segmentId] = entry.committedLength;
                }
                if (segments[manifest.tailSegment] == null || segments[checkpoint.replaySegment] == null)
                {
                    throw new CorruptStoreException("manifest does not list the segments it replays (" +
                        checkpoint.replaySegment + " to " + manifest.tailSegment + ")", manifests.path(generation), 0);
                }
                final SegmentLog log = new SegmentLog(StoreFileSystem.real(), dir, options.segmentSize(), false,
                    segments);
                final OpenState state = new OpenState();
                final Replay replay = replay(state, index, log, segments, manifest, manifest.lastSequence, ends);
                if (replay.cut != null)
                {
                    throw new CorruptStoreException("record " + replay.expected + ", which snapshot " + generation +
                        " holds, is damaged or missing: " + replay.problem, replay.current.path(), replay.offset,
                        replay.expectedCrc, replay.actualCrc);
                }
                state.manifests = manifests;
                state.indexFile = indexFile;
                state.index = index;
                state.log = log;
                state.log.resume(manifest.tailSegment, manifest.tailOffset, manifest.lastSequence + 1, ends);
                state.checkpointer = new IndexCheckpointer(indexFile, index, checkpoint); // never writes here
                state.manifest = manifest;
                state.nextGeneration = generations.get(0) + 1;
                state.report = new RecoveryReport(generation, skipped, replay.replayed, manifest.lastSequence, null,
                    List.of(), System.nanoTime() - start);
                return state;
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                // The writer's retention deleted (or recycled) this manifest while we listed: gone, not damaged.
                gone++;
                for (final Segment s : opened)
                {
                    s.unmap();
                }
                if (indexFile != null)
                {
                    indexFile.unmapAll();
                }
                if (options.generation() != StoreOptions.NEWEST_GENERATION)
                {
                    if (manifests.path(generation).toString().equals(ex.getFile()))
                    {
                        // Retired or recycled by the writer while we looked: not retained any more.
                        throw new io.memsnap.NoSuchSnapshotException(options.generation(), dir, generations);
                    }
                    throw ex;
                }
            }
            catch (final CorruptStoreException ex)
            {
                for (final Segment s : opened)
                {
                    s.unmap();
                }
                if (indexFile != null)
                {
                    indexFile.unmapAll();
                }
                if (options.generation() != StoreOptions.NEWEST_GENERATION ||
                    options.recoveryMode() == RecoveryMode.STRICT || snapshotFilesValid)
                {
                    throw ex;
                }
                skipped.add("generation " + generation + ": " + ex.getMessage());
                LOG.log(System.Logger.Level.WARNING, "snapshot generation {0} of {1} does not validate, " +
                    "falling back to the previous one: {2}", generation, dir, ex.getMessage());
            }
        }
        if (options.generation() != StoreOptions.NEWEST_GENERATION)
        {
            throw new io.memsnap.NoSuchSnapshotException(options.generation(), dir, generations);
        }
        if (gone > 0 && gone == generations.size() && listings < MAX_LISTINGS)
        {
            // Every manifest listed was retired by the writer while we looked (it snapshots faster than we read):
            // list again and take the newest then.
            return openReadOnlyListedAgain(directory, options, start, listings + 1);
        }
        throw new CorruptStoreException(generations.isEmpty() ? "no memsnap store here (no manifest)" :
            "no snapshot in the store validates (" + String.join("; ", skipped) + ")", dir, 0);
    }
}
