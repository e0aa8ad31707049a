package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.RecoveryMode;
import io.memsnap.RecoveryReport;
import io.memsnap.StoreOptions;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.format.WatermarkDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.IndexPlacement;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentSizing;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.FlushedRanges;
import io.memsnap.internal.snapshot.Freeze;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.IndexFileDeleter;
import io.memsnap.internal.snapshot.IndexFileExtension;
import io.memsnap.internal.snapshot.IndexPlacementExtension;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestExtension;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.NextSlotExtension;
import io.memsnap.internal.snapshot.PinSet;
import io.memsnap.internal.snapshot.RetentionExtension;
import io.memsnap.internal.snapshot.RetentionPolicy;
import io.memsnap.internal.snapshot.SnapshotWriter;
import io.memsnap.internal.snapshot.TimelineExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Opens a store directory: creates a new store, or recovers the newest snapshot that validates and replays the
 * valid tail after it (see the package documentation for the steps).
 *
 * <p>A writer takes the lock before it looks at the directory. Everything that can refuse the store (foreign files,
 * the lock, format versions, an older major not asked to be upgraded ({@link FormatUpgrade}), damaged manifests,
 * damaged acknowledged records) is decided before anything on disk is changed; then recovery flushes the records it
 * replayed, moves doubtful files aside, and records the durable watermark, so that a crash during recovery leaves a
 * store that recovers the same way.
 *
 * <p>Not thread safe: runs once, before the store is handed out.
 */
public final class StoreOpener
{
    private StoreOpener()
    {
    }

    public static Recovered open(final Path dir, final StoreOptions options, final StoreFileSystem fs)
        throws IOException
    {
        final long start = System.nanoTime();
        if (options.readOnly())
        {
            final StoreDirectory directory = StoreDirectory.open(fs, dir, false);
            directory.scan();
            return ReadOnlyOpener.open(directory, options, start);
        }
        final StoreDirectory directory = StoreDirectory.open(fs, dir, true);
        try
        {
            directory.lock();
            directory.scan();
            final ManifestStore manifests = new ManifestStore(fs, dir);
            final List<Long> generations = manifests.generations();
            if (generations.isEmpty())
            {
                return create(fs, directory, manifests, options, start);
            }
            final SnapshotChooser.Chosen chosen = SnapshotChooser.choose(fs, dir, manifests, generations, options);
            if (FormatUpgrade.isOlder(chosen.manifest))
            {
                // Refused unless asked for, before anything changes; upgraded under this lock if asked for.
                final SnapshotChooser.Chosen upgraded = FormatUpgrade.atOpen(fs, directory, manifests, chosen, options);
                return recover(fs, directory, manifests, upgraded, manifests.generations(), options, start);
            }
            try
            {
                return recover(fs, directory, manifests, chosen, generations, options, start);
            }
            catch (final IncompleteCommit ex)
            {
                // The newest snapshot's slot reached the disk and its records did not: never committed.
                final SnapshotChooser.Chosen before = SnapshotChooser.choose(fs, dir, manifests, generations, options,
                    Set.of(ex.generation));
                return recover(fs, directory, manifests, before, generations, options, start);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            directory.close();
            throw ex;
        }
    }

    /**
     * Thrown inside {@link #recover} when the snapshot chosen is the newest, committed into a slot, and its records
     * are not all on disk (see {@link FlushedRanges}): everything it mapped is released, and the open chooses again
     * without it.
     */
    private static final class IncompleteCommit extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final long generation;

        IncompleteCommit(final long generation, final String why)
        {
            super("snapshot " + generation + " was never committed: " + why, null, false, false);
            this.generation = generation;
        }
    }

    static void checkDimension(final Manifest manifest, final StoreOptions options, final Path file)
    {
        if (options.dimension() != 0 && options.dimension() != manifest.dimension)
        {
            throw new IllegalArgumentException("the store in " + file.getParent() + " has dimension " +
                manifest.dimension + " but StoreOptions asks for " + options.dimension() +
                ": open it with dimension " + manifest.dimension + " (or 0 to take the store's)");
        }
    }

    private static Recovered create(final StoreFileSystem fs, final StoreDirectory directory,
        final ManifestStore manifests, final StoreOptions options, final long start) throws IOException
    {
        final Path dir = directory.path();
        // Without a manifest, no write was ever acknowledged: any files are from a creation that did not finish.
        // Refuse if a segment holds a record all the same (manifests deleted by hand?) rather than lose it.
        for (final int id : directory.segmentIds())
        {
            if (holdsRecord(dir, id))
            {
                throw new CorruptStoreException("the store has no manifest but segment " + id +
                    " holds records: its manifests were lost; run 'memsnap salvage' to copy them into a new store",
                    dir.resolve(SegmentDescriptor.fileName(id)), SegmentDescriptor.HEADER_LENGTH);
            }
        }
        if (options.dimension() == 0)
        {
            throw new IllegalArgumentException("there is no store in " + directory.path() +
                " yet: creating one needs StoreOptions.dimension");
        }
        manifests.deletePending();
        for (final int id : directory.segmentIds())
        {
            fs.deleteIfExists(dir.resolve(SegmentDescriptor.fileName(id)));
        }
        for (final long generation : directory.indexGenerations())
        {
            fs.deleteIfExists(dir.resolve(IndexPageDescriptor.fileName(generation)));
        }
        fs.deleteIfExists(dir.resolve(WatermarkDescriptor.FILE_NAME));
        fs.deleteIfExists(manifests.slots().path());
        manifests.createSlotsUnlessPresent();
        manifests.startWriting(NextSlotExtension.NONE);

        final IndexFile indexFile = IndexFile.create(fs, dir);
        SegmentLog log = null;
        final Manifest manifest;
        final HashIndex index;
        final SnapshotWriter snapshotWriter;
        final IndexCheckpointer checkpointer;
        final SegmentUsage usage;
        try
        {
            index = HashIndex.create(indexFile, IndexPlacement.DEFAULT);
            final Segment first = Segment.create(fs, dir, 1, SegmentSizing.first(options.segmentSize()), 1,
                options.preallocate());
            log = new SegmentLog(fs, dir, options.segmentSize(), options.preallocate(), new Segment[] {null, first},
                options.writeBufferBytes());
            log.resume(1, SegmentDescriptor.HEADER_LENGTH, 1, new int[2]);
            final long seed = new SecureRandom().nextLong();
            snapshotWriter = new SnapshotWriter(fs, dir, manifests, log, seed, options.dimension());
            snapshotWriter.addExtensionSource(IndexFileExtension.SOURCE);
            IndexPlacementExtension.addTo(snapshotWriter, index.placement());
            final Checkpoint nothingSealed = new Checkpoint(index.rootPage(), 1, 1, 0, 1,
                SegmentDescriptor.HEADER_LENGTH, 0, 0, 0);
            usage = new SegmentUsage();
            checkpointer = new IndexCheckpointer(indexFile, index, nothingSealed, usage);
            snapshotWriter.addExtensionSource(LiveBytesExtension.SOURCE);
            final Checkpoint initial = checkpointer.write(checkpointer.freeze(log, 0, 0), () -> { });
            final Freeze freeze = Freeze.take(log, 0, 0, System.nanoTime());
            manifest = snapshotWriter.write(freeze, initial, null, 0, Collections.emptyMap(), List.of(),
                List.of(RetentionExtension.encode(RetentionPolicy.of(options), PinSet.NONE)),
                SnapshotWriter.NEVER_ABANDON);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (log != null)
            {
                log.unmapAll();
            }
            indexFile.unmapAll();
            throw ex;
        }
        final RecoveryReport report = new RecoveryReport(0, List.of(), 0, 0, null, List.of(),
            System.nanoTime() - start);
        final IndexCheckpointer created = checkpointer;
        final IndexFileDeleter indexFiles = new IndexFileDeleter(fs, dir, manifests, List.of(0L),
            indexFile::generation, () -> created.durable().indexFile);
        return new Recovered(directory, manifests, log, indexFile, index, snapshotWriter, checkpointer,
            new DurableWatermark(fs, dir, null), indexFiles, manifest, 1, 0, 0, report, usage, List.of());
    }

    /**
     * @return whether anything was written where the first record of a segment goes. A segment whose creation a
     * crash interrupted never received a record: its file is made whole before a roll writes its header and its
     * first record.
     */
    private static boolean holdsRecord(final Path dir, final int id) throws IOException
    {
        final Path file = dir.resolve(SegmentDescriptor.fileName(id));
        if (Files.size(file) < SegmentDescriptor.HEADER_LENGTH + 8)
        {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file))
        {
            final ByteBuffer first = ByteBuffer.allocate(8);
            ch.read(first, SegmentDescriptor.HEADER_LENGTH);
            return first.getLong(0) != 0;
        }
    }

    private static Recovered recover(
        final StoreFileSystem fs,
        final StoreDirectory directory,
        final ManifestStore manifests,
        final SnapshotChooser.Chosen chosen,
        final List<Long> generations,
        final StoreOptions options,
        final long start) throws IOException
    {
        final Path dir = directory.path();
        final Manifest manifest = chosen.manifest;
        refuseUnknownWriterExtensions(manifest, manifests.path(manifest.generation));
        final SegmentUsage.Table table = LiveBytesExtension.read(manifest, manifests.path(manifest.generation));
        final List<Integer> ids = directory.segmentIds();
        final int maxId = Math.max(ids.isEmpty() ? 0 : ids.get(ids.size() - 1), manifest.tailSegment);
        final Segment[] segments = new Segment[maxId + 1];
        final List<Integer> unreadable = new ArrayList<>();
        final List<Integer> neverStarted = new ArrayList<>();
        CorruptStoreException damagedTailSegment = null;
        SegmentLog log = null;
        DurableWatermark watermark = null;
        try
        {
            // The writer carries the pins forward from this manifest: damage to them is refused before anything
            // changes, never taken for no pins (retention would then delete pinned snapshots).
            RetentionExtension.pins(manifest, manifests.path(manifest.generation));
            RetentionExtension.policy(manifest, manifests.path(manifest.generation));
            TimelineExtension.read(manifest, manifests.path(manifest.generation)); // the timeline it writes on
            final DurableWatermark.Mark mark = DurableWatermark.read(dir);
            for (final int id : ids)
            {
                try
                {
                    segments[id] = Segment.open(dir, id);
                }
                catch (final CorruptStoreException ex)
                {
                    if (LiveBytesExtension.needs(manifest, table, id))
                    {
                        throw ex;
                    }
                    if (id < manifest.checkpoint.replaySegment)
                    {
                        continue; // a reclaimed segment not yet deleted: nothing of it is read
                    }
                    if (Segment.neverStarted(dir.resolve(SegmentDescriptor.fileName(id))))
                    {
                        neverStarted.add(id); // prepared ahead of the log and never rolled into: deleted below
                        continue;
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
                if (s == null && !LiveBytesExtension.needs(manifest, table, entry.segmentId))
                {
                    continue; // reclaimed: the snapshot lists it but does not need it
                }
                if (s == null || s.length() < entry.committedLength)
                {
                    throw new CorruptStoreException("segment " + entry.segmentId + " that snapshot " +
                        manifest.generation + " needs is missing or shorter than its committed " +
                        entry.committedLength + " bytes; run 'memsnap salvage' to copy what validates into a new " +
                        "store", dir.resolve(SegmentDescriptor.fileName(entry.segmentId)), s == null ? 0 : s.length());
                }
                ends[entry.segmentId] = entry.committedLength;
            }

            if (manifest.generation == generations.get(0))
            {
                final FlushedRanges.Mismatch missing = FlushedRanges.incompleteCommit(manifests, manifest,
                    mark == null ? -1 : mark.lastSequence, id -> id < segments.length ? segments[id] : null);
                if (missing != null)
                {
                    throw new IncompleteCommit(manifest.generation, "its records did not all reach the disk (" +
                        missing + ")");
                }
            }
            log = new SegmentLog(fs, dir, options.segmentSize(), options.preallocate(), segments,
                options.writeBufferBytes());
            // A manifest written before the table existed: counted once from the checkpoint's index (O(entries)).
            final SegmentUsage usage = table != null ? SegmentUsage.of(table) : SegmentUsage.recount(chosen.index, log);
            final Checkpoint checkpoint = manifest.checkpoint.withLiveBytes(usage.table());
            final Replay replay = LogReplayer.replay(chosen.index, log, segments, checkpoint, manifest.seed,
                Long.MAX_VALUE, ends, usage);
            final List<Long> olderAbandoned = new ArrayList<>();
            for (final long generation : generations)
            {
                if (generation < manifest.generation && isAbandoned(manifests, generation))
                {
                    olderAbandoned.add(generation);
                }
            }
            final int nextSlot = NextSlotExtension.read(manifest, manifests.path(manifest.generation));
            final long highestSlotGeneration = manifests.highestGeneration(); // before the open frees any slot
            final TailRepair.Plan plan = TailRepair.decide(dir, manifests, chosen, replay, mark, segments, unreadable,
                neverStarted, damagedTailSegment, olderAbandoned, manifests.slots().readAll(), nextSlot,
                options.recoveryMode());

            // Decided: from here on the directory changes.
            final Segment stop = replay.segment;
            for (int id = stop.id() + 1; id < segments.length; id++)
            {
                if (segments[id] != null)
                {
                    segments[id].unmap();
                    segments[id] = null;
                }
            }
            final List<String> changed = plan.apply(fs, dir, manifests);
            manifests.createSlotsUnlessPresent();
            manifests.startWriting(nextSlot);
            final IndexCheckpointer checkpointer = new IndexCheckpointer(chosen.indexFile, chosen.index, checkpoint,
                usage);
            // An index file no manifest names is an unfinished copy, or an old generation whose deletion a crash
            // interrupted (or one only a snapshot moved aside named).
            final IndexFileDeleter indexFiles = new IndexFileDeleter(fs, dir, manifests,
                directory.indexGenerations(), chosen.indexFile::generation, () -> checkpointer.durable().indexFile);
            indexFiles.deleteUnneeded(manifests.generations());
            log.resume(stop.id(), replay.offset, replay.nextSequence, ends);
            // The records replayed, and those the restored snapshot flushed beside its slot, may never have reached the
            // disk (a crash of the process leaves them in the page cache only): make them durable before any new write
            // is acknowledged after them.
            for (int id = firstFlushedSegment(manifest); id <= stop.id(); id++)
            {
                if (segments[id] != null)
                {
                    log.force(segments[id]);
                }
            }
            if (plan.newSegment)
            {
                log.startNewSegment();
            }
            watermark = new DurableWatermark(fs, dir, mark);
            watermark.write(replay.lastSequence(), log.tailAddress(), false);

            final SnapshotWriter snapshotWriter = new SnapshotWriter(fs, dir, manifests, log, manifest.seed,
                manifest.dimension);
            snapshotWriter.addExtensionSource(LiveBytesExtension.SOURCE);
            snapshotWriter.addExtensionSource(IndexFileExtension.SOURCE);
            IndexPlacementExtension.addTo(snapshotWriter, chosen.index.placement());
            final RecoveryReport report = new RecoveryReport(manifest.generation, chosen.skipped, replay.replayed,
                replay.lastSequence(), plan.cut, changed, System.nanoTime() - start);
            return new Recovered(directory, manifests, log, chosen.indexFile, chosen.index, snapshotWriter,
                checkpointer, watermark, indexFiles, manifest, Math.max(generations.get(0), highestSlotGeneration) + 1,
                replay.entryCount, replay.stateCount, report, usage, List.of());
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (watermark != null)
            {
                watermark.close();
            }
            if (log != null)
            {
                log.unmapAll(); // its table holds a segment started here too
            }
            else
            {
                for (final Segment s : segments)
                {
                    if (s != null)
                    {
                        s.unmap();
                    }
                }
            }
            chosen.indexFile.unmapAll();
            throw ex;
        }
    }

    /** @return the first segment holding records {@code manifest} flushed, or its tail segment if none. */
    private static int firstFlushedSegment(final Manifest manifest)
    {
        for (final Manifest.FileEntry e : manifest.segments)
        {
            if (e.flushedFrom < e.committedLength)
            {
                return Math.min(e.segmentId, manifest.tailSegment);
            }
        }
        return manifest.tailSegment;
    }

    /**
     * @return whether the manifest file of {@code generation} holds no snapshot of that name: a recycling commit
     * overwrote it for a newer generation and a crash or a power loss kept the rename from the directory.
     */
    private static boolean isAbandoned(final ManifestStore manifests, final long generation) throws IOException
    {
        try
        {
            return SnapshotChooser.readUnlessAbandoned(manifests, generation) == null;
        }
        catch (final CorruptStoreException ex)
        {
            return false; // damage: left for verify to report, and for a fallback to skip
        }
    }

    /** A writer must know every extension flagged for writers: refused before anything changes. */
    static void refuseUnknownWriterExtensions(final Manifest manifest, final Path file)
    {
        for (final ManifestExtension e : manifest.extensions)
        {
            if (e.writersMustKnow() && !ManifestDescriptor.isKnownExtension(e.tag))
            {
                throw new IncompatibleFormatException(file, manifest.majorVersion, manifest.minorVersion,
                    FormatVersion.CURRENT_MAJOR, FormatVersion.CURRENT_MINOR, "extension " + e.tag + ", which a " +
                    "writer must know and this build does not; open it read-only (StoreOptions.readOnly) to read it");
            }
        }
    }
}
