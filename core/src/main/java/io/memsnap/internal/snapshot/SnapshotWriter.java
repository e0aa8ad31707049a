package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.KeyHash;
import io.memsnap.internal.format.LibraryVersion;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Commits a snapshot: flushes (fdatasync) the segments holding the record bytes appended since the previous snapshot
 * and those started since (their headers), then commits a manifest naming the point of the log and the newest
 * durable index checkpoint, by default into a slot of {@code manifests.mss} rewritten in place
 * ({@link ManifestStore}). Costs what was written since the previous snapshot, never anything older, whatever the
 * size of the store.
 *
 * <p>The two flushes of a slot commit run at the same time when the file system allows it
 * ({@link StoreFileSystem#flushesInParallel}): the slot is written and fdatasynced by a helper thread while this one
 * fdatasyncs the records, and the commit is durable once both returned. So a power cut may leave the slot durable
 * and its records not: the manifest's checksums of the ranges it flushed tell, and recovery then takes the snapshot
 * before ({@link FlushedRanges}). Where flushes are not run in parallel (the file systems of the tests), the slot is
 * written first, the order a power cut finds hardest. A snapshot that may be abandoned, one that flushes more than
 * {@link #PARALLEL_MAX_BYTES}, one that names a segment started since the previous snapshot (no flushed range's
 * checksum covers its header), and a manifest too large for a slot (committed into a file of its own) flush the
 * records first and then commit.
 *
 * <p>Nothing the previous manifest needs is touched, so a failure at any step leaves the previous snapshot whole.
 *
 * <p>Concurrency: runs without the write lock (the bytes it flushes are below the freeze and never change again);
 * one snapshot at a time (the store's commit lock).
 */
public final class SnapshotWriter implements AutoCloseable
{
    /** A snapshot that is never abandoned. */
    public static final BooleanSupplier NEVER_ABANDON = () -> false;
    /**
     * The most record bytes a slot commit flushes beside its slot: a larger one flushes them first. Opens check the
     * records of the newest slot commit against its checksums ({@link FlushedRanges#incompleteCommit}), so this bounds
     * what they read.
     */
    public static final long PARALLEL_MAX_BYTES = 64L << 20;

    private final StoreFileSystem fs;
    private final Path dir;
    private final ManifestStore manifests;
    private final SegmentLog log;
    private final long seed;
    private final int dimension;
    private final Checksum checksum = new Checksum();
    private final List<ExtensionSource> extensionSources = new CopyOnWriteArrayList<>();
    /** Writes slots beside the records' flush; started at the first commit that needs it. */
    private SlotWriterThread slotWriter;

    public SnapshotWriter(final StoreFileSystem fs, final Path dir, final ManifestStore manifests,
        final SegmentLog log, final long seed, final int dimension)
    {
        this.fs = fs;
        this.dir = dir;
        this.manifests = manifests;
        this.log = log;
        this.seed = seed;
        this.dimension = dimension;
    }

    /**
     * What a feature adds to each manifest: called by the committing thread once per snapshot, after the freeze and
     * before the manifest is encoded. Implementations must be thread safe against the writer.
     */
    @FunctionalInterface
    public interface ExtensionSource
    {
        /** @return the extension for the manifest of this freeze and checkpoint, or null for none. */
        ManifestExtension extension(Freeze freeze, Checkpoint checkpoint);
    }

    /** Adds a feature's extension to every manifest written from now on. Thread safe. */
    public void addExtensionSource(final ExtensionSource source)
    {
        extensionSources.add(source);
    }

    /**
     * As {@link #write(Freeze, Checkpoint, Manifest, long, Map, Collection, List, BooleanSupplier)} with no
     * extension of the commit's own, retention keeping every snapshot on disk.
     */
    public Manifest write(final Freeze freeze, final Checkpoint checkpoint, final Manifest previous,
        final long generation, final Map<String, String> labels) throws IOException
    {
        return write(freeze, checkpoint, previous, generation, labels, manifests.generations(), List.of(),
            NEVER_ABANDON);
    }

    /**
     * @param freeze     the point of the log to commit.
     * @param checkpoint a durable index checkpoint at or before the freeze.
     * @param previous   the last committed manifest, or null for the first snapshot of a new store.
     * @param keptAfter  the generations retention keeps once this snapshot is committed: the commit after it may
     *                   write over any other's slot.
     * @param own        extensions of this commit alone (the pins it records, say), besides those of the
     *                   {@link ExtensionSource}s.
     * @param abandon    asked before the flush of each segment and before the commit of the manifest: true gives
     *                   up there, committing nothing ({@link #NEVER_ABANDON} for never).
     * @return the manifest committed (its duration the whole commit's), or null if abandoned.
     */
    public Manifest write(final Freeze freeze, final Checkpoint checkpoint, final Manifest previous,
        final long generation, final Map<String, String> labels, final Collection<Long> keptAfter, final List<ManifestExtension> own, final BooleanSupplier abandon)
        throws IOException
    {
        final int previousTailSegment = previous == null ? 0 : previous.tailSegment;
        final int previousTailOffset = previous == null ? SegmentDescriptor.HEADER_LENGTH : previous.tailOffset;
        long bytes = 0;
        final List<Manifest.FileEntry> entries = new ArrayList<>();
        final List<Segment> flushed = new ArrayList<>();
        boolean startedSince = false;
        for (final Segment segment : log.segments())
        {
            if (segment == null || segment.id() > freeze.tailSegment)
            {
                continue;
            }
            final int committed = freeze.committedLength(segment.id());
            final int from;
            if (segment.id() < previousTailSegment)
            {
                from = committed;
            }
            else if (segment.id() == previousTailSegment)
            {
                from = Math.min(previousTailOffset, committed);
            }
            else
            {
                from = SegmentDescriptor.HEADER_LENGTH;
            }
            int crc = 0;
            if (from < committed)
            {
                // Computed by the writer as it appended, unless the previous snapshot failed after its freeze (then
                // this one flushes from the last committed point again, a range the writer did not see whole).
                final long known = freeze.appended.crc(segment.id(), from, committed);
                crc = known >= 0 ? (int)known : checksum.compute(segment.newView(), from, committed - from);
            }
            bytes += committed - from;
            // A segment started since the previous snapshot is flushed even when it holds no record yet: the roll
            // wrote its header without a flush, and this manifest names the segment. Not one the write-back made
            // durable whole after it was sealed: nothing of it is left to flush, header included.
            if (!segment.isDurableSealed() && (from < committed || segment.id() > previousTailSegment))
            {
                startedSince |= segment.id() > previousTailSegment;
                flushed.add(segment);
            }
            entries.add(new Manifest.FileEntry(segment.id(), committed, from, crc));
        }
        final List<ManifestExtension> extensions = new ArrayList<>(own);
        for (final ExtensionSource source : extensionSources)
        {
            final ManifestExtension e = source.extension(freeze, checkpoint);
            if (e != null)
            {
                extensions.add(e);
            }
        }
        final Manifest manifest = new Manifest(FormatVersion.CURRENT_MAJOR, FormatVersion.CURRENT_MINOR,
            LibraryVersion.FIRST_READER_OF_4_0, generation, freeze.lastSequence, freeze.createdAtMillis,
            freeze.entryCount, freeze.stateCount, seed, dimension, KeyHash.FUNCTION_ID, checkpoint,
            freeze.tailSegment, freeze.tailOffset, bytes, System.nanoTime() - freeze.startNanos,
            entries.toArray(new Manifest.FileEntry[0]), labels, extensions);
        final ManifestStore.Commit commit = manifests.prepare(manifest, keptAfter);
        if (!commit.inSlot() || abandon != NEVER_ABANDON || bytes > PARALLEL_MAX_BYTES || startedSince)
        {
            // Records first, then the commit: a file commit must find them durable, an abandonable snapshot may still
            // give up between them, opens need not read more than PARALLEL_MAX_BYTES to check a commit, and a segment
            // started since the previous snapshot has a header that no checksum of a flushed range covers.
            for (final Segment segment : flushed)
            {
                if (abandon.getAsBoolean())
                {
                    return null;
                }
                log.force(segment);
            }
            if (abandon.getAsBoolean())
            {
                return null;
            }
            manifests.write(commit);
        }
        else if (fs.flushesInParallel() && !flushed.isEmpty())
        {
            final SlotWriterThread.Pending slot = slotWriter().submit(manifests, commit);
            try
            {
                forceAll(flushed);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                slot.awaitAfter(ex);
                throw ex;
            }
            slot.await();
        }
        else
        {
            manifests.write(commit); // the slot before its records: the order a power cut finds hardest
            forceAll(flushed);
        }
        manifests.committed(commit);
        return commit.manifest.withDuration(System.nanoTime() - freeze.startNanos);
    }

    private void forceAll(final List<Segment> segments) throws IOException
    {
        for (final Segment segment : segments)
        {
            log.force(segment);
        }
    }

    private SlotWriterThread slotWriter()
    {
        if (slotWriter == null)
        {
            slotWriter = new SlotWriterThread("memsnap-slot " + dir.getFileName());
        }
        return slotWriter;
    }

    /** Ends the helper thread, if one was started. Idempotent. */
    @Override
    public void close()
    {
        if (slotWriter != null)
        {
            slotWriter.close();
            slotWriter = null;
        }
    }
}
