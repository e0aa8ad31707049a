package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.NoSuchSnapshotException;
import io.memsnap.RecoveryMode;
import io.memsnap.RecoveryReport;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.IndexPlacementExtension;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.FlushedRanges;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a retained snapshot read-only: no lock, nothing written, the log replayed up to the snapshot's last record
 * only, so another process may write to the store meanwhile. A snapshot whose manifest the writer retires (or whose
 * slot a commit rewrites) while it is read is gone, not damaged: the newest one is looked for again. The newest one,
 * committed into a slot whose records a power cut kept from the disk, is passed over, and said to be.
 *
 * <p>Not thread safe: runs once, in an open.
 */
final class ReadOnlyOpener
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap.recovery");
    /** How often a read-only open lists the manifests again when all it listed were retired while it looked. */
    private static final int MAX_LISTINGS = 20;

    private ReadOnlyOpener()
    {
    }

    static Recovered open(final StoreDirectory directory, final StoreOptions options, final long start)
        throws IOException
    {
        return openListedAgain(directory, options, start, 1);
    }

    private static Recovered openListedAgain(final StoreDirectory directory, final StoreOptions options,
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
            final List<ReaderPins.Pin> pins = new ArrayList<>();
            boolean snapshotFilesValid = false;
            try
            {
                final Manifest manifest = manifests.read(generation);
                StoreOpener.checkDimension(manifest, options, manifests.path(generation));
                final Checkpoint checkpoint = manifest.checkpoint;
                indexFile = IndexFile.open(StoreFileSystem.real(), dir, checkpoint.indexFile, checkpoint.indexPages,
                    true);
                final HashIndex index = HashIndex.open(indexFile,
                    IndexPlacementExtension.placement(manifest, manifests.path(generation)), checkpoint.rootPage,
                    checkpoint.indexPages);
                snapshotFilesValid = true; // from here on, damage is in the log: an older snapshot replays it too
                final SegmentUsage.Table table = LiveBytesExtension.read(manifest, manifests.path(generation));
                final Segment[] segments = new Segment[manifest.tailSegment + 1];
                final int[] ends = new int[segments.length];
                for (final Manifest.FileEntry entry : manifest.segments)
                {
                    if (entry.segmentId <= 0 || entry.segmentId > manifest.tailSegment)
                    {
                        throw new CorruptStoreException("manifest names segment " + entry.segmentId + " beyond its " +
                            "tail " + manifest.tailSegment, manifests.path(generation), 0);
                    }
                    if (!LiveBytesExtension.needs(manifest, table, entry.segmentId))
                    {
                        continue; // listed, not needed: compaction may have deleted it
                    }
                    // Pinned before it is mapped, through the pin's channel: the writer does not delete it under us.
                    final ReaderPins.Pin pin = ReaderPins.pin(dir.resolve(SegmentDescriptor.fileName(
                        entry.segmentId)));
                    pins.add(pin);
                    final Segment s = Segment.open(dir, entry.segmentId, pin.channel());
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
                final FlushedRanges.Mismatch missing = i > 0 ? null : FlushedRanges.incompleteCommit(manifests,
                    manifest, durableUpTo(dir), id -> id < segments.length ? segments[id] : null);
                if (missing != null)
                {
                    // The newest slot commit, whose records a power cut kept from the disk: never committed.
                    throw new IncompleteCommit(generation, missing);
                }
                final SegmentLog log = new SegmentLog(StoreFileSystem.real(), dir, options.segmentSize(), false,
                    segments);
                // The live bytes at the snapshot: its checkpoint's, brought up to date by the replay (unknown when the
                // manifest has no table: written before manifests carried one).
                final SegmentUsage usage = table == null ? null : SegmentUsage.of(table);
                final Replay replay = LogReplayer.replay(index, log, segments, checkpoint, manifest.seed,
                    manifest.lastSequence, ends, usage);
                if (replay.stop != Replay.Stop.LIMIT)
                {
                    throw new CorruptStoreException("record " + replay.nextSequence + ", which snapshot " +
                        generation + " holds, is damaged or missing: " + replay.problem + "; run 'memsnap " +
                        "salvage' to copy what validates into a new store", replay.segment.path(), replay.offset,
                        replay.expectedCrc, replay.actualCrc);
                }
                log.resume(manifest.tailSegment, manifest.tailOffset, manifest.lastSequence + 1, ends);
                final String next = SnapshotChooser.nextSlotProblem(manifests, manifest);
                if (next != null && options.generation() == StoreOptions.NEWEST_GENERATION)
                {
                    SnapshotChooser.refuseInStrictMode(next, manifests, options);
                    skipped.add(next);
                }
                final RecoveryReport report = new RecoveryReport(generation, skipped, replay.replayed,
                    manifest.lastSequence, null, List.of(), System.nanoTime() - start);
                return new Recovered(null, manifests, log, indexFile, index, null,
                    new IndexCheckpointer(indexFile, index, checkpoint, null), null, null, manifest,
                    generations.get(0) + 1, replay.entryCount, replay.stateCount, report, usage, pins);
            }
            catch (final IncompleteCommit ex)
            {
                release(opened, pins, indexFile);
                if (options.generation() != StoreOptions.NEWEST_GENERATION)
                {
                    throw new NoSuchSnapshotException(options.generation(), dir, generations);
                }
                skipped.add(ex.getMessage());
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                // The writer's retention deleted this manifest (or a commit rewrote its slot) while we listed: gone.
                gone++;
                release(opened, pins, indexFile);
                if (options.generation() != StoreOptions.NEWEST_GENERATION)
                {
                    if (manifests.path(generation).toString().equals(ex.getFile()) ||
                        !java.nio.file.Files.exists(manifests.path(generation)))
                    {
                        // Retired or recycled by the writer while we looked (and its index file deleted): not
                        // retained any more.
                        throw new NoSuchSnapshotException(options.generation(), dir, generations);
                    }
                    throw ex;
                }
            }
            catch (final CorruptStoreException ex)
            {
                release(opened, pins, indexFile);
                if (options.generation() != StoreOptions.NEWEST_GENERATION ||
                    options.recoveryMode() == RecoveryMode.STRICT || snapshotFilesValid)
                {
                    throw ex;
                }
                skipped.add("generation " + generation + ": " + ex.getMessage());
                LOG.log(System.Logger.Level.WARNING, "snapshot generation {0} of {1} does not validate, " +
                    "falling back to the previous one: {2}", generation, dir, ex.getMessage());
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                // An unknown format version, a failing disk: nothing to fall back past; release what was mapped.
                release(opened, pins, indexFile);
                throw ex;
            }
        }
        if (options.generation() != StoreOptions.NEWEST_GENERATION)
        {
            throw new NoSuchSnapshotException(options.generation(), dir, generations);
        }
        if (gone > 0 && gone == generations.size() && listings < MAX_LISTINGS)
        {
            // Every manifest listed was retired by the writer while we looked (it snapshots faster than we read):
            // list again and take the newest then.
            return openListedAgain(directory, options, start, listings + 1);
        }
        throw new CorruptStoreException(generations.isEmpty() ? "no memsnap store here (no manifest)" :
            "no snapshot in the store validates (" + String.join("; ", skipped) + ")", dir, 0);
    }

    /** The newest snapshot, committed into a slot whose records a power cut kept from the disk: passed over. */
    private static final class IncompleteCommit extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        IncompleteCommit(final long generation, final FlushedRanges.Mismatch missing)
        {
            super("generation " + generation + ": never committed (its slot reached the disk, the records it names " +
                "did not: " + missing + ")", null, false, false);
        }
    }

    /** @return the last sequence the durable watermark says is durable, or -1 if it says nothing. */
    private static long durableUpTo(final Path dir) throws IOException
    {
        try
        {
            final DurableWatermark.Mark mark = DurableWatermark.read(dir);
            return mark == null ? -1 : mark.lastSequence;
        }
        catch (final CorruptStoreException ex)
        {
            return -1; // a writer's open refuses it; read-only, the snapshots are read as if it said nothing
        }
    }

    /** Unmaps what a failed attempt mapped and releases its pins. */
    private static void release(final List<Segment> opened, final List<ReaderPins.Pin> pins,
        final IndexFile indexFile)
    {
        for (final Segment s : opened)
        {
            s.unmap();
        }
        for (final ReaderPins.Pin pin : pins)
        {
            try
            {
                pin.close();
            }
            catch (final IOException ignored)
            {
                // only read through: nothing to lose
            }
        }
        if (indexFile != null)
        {
            indexFile.unmapAll();
        }
    }
}
