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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Commits a snapshot: flushes (fdatasync) the segments holding the record bytes appended since the previous snapshot
 * and those started since (their headers), fsyncs the directory if segments were created, then commits a manifest naming the point of the log and the newest durable index
 * checkpoint. Costs what was written since the previous snapshot, never anything older, whatever the size of the
 * store.
 *
 * <p>Nothing the previous manifest needs is touched, so a failure at any step leaves the previous snapshot whole.
 *
 * <p>Concurrency: runs without the write lock (the bytes it flushes are below the freeze and never change again);
 * one snapshot at a time (the store's snapshot lock).
 */
public final class SnapshotWriter
{
    /** A snapshot that is never abandoned. */
    public static final BooleanSupplier NEVER_ABANDON = () -> false;

    private final StoreFileSystem fs;
    private final Path dir;
    private final ManifestStore manifests;
    private final SegmentLog log;
    private final long seed;
    private final int dimension;
    private final Checksum checksum = new Checksum();
    private final List<ExtensionSource> extensionSources = new CopyOnWriteArrayList<>();
    private boolean recycled;
    /** Value of {@link SegmentLog#filesCreated()} at the last directory fsync. */
    private int directorySyncedAt = -1;

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

    /** @return whether the last {@link #write} reused the file of the manifest it was given to recycle. */
    public boolean recycled()
    {
        return recycled;
    }

    /** As {@link #write(Freeze, Checkpoint, Manifest, long, Map, long, List)} with no extension of the commit's own. */
    public Manifest write(final Freeze freeze, final Checkpoint checkpoint, final Manifest previous,
        final long generation, final Map<String, String> labels, final long recycle) throws IOException
    {
        return write(freeze, checkpoint, previous, generation, labels, recycle, List.of(), NEVER_ABANDON);
    }

    /**
     * @param freeze     the point of the log to commit.
     * @param checkpoint a durable index checkpoint at or before the freeze.
     * @param previous   the last committed manifest, or null for the first snapshot of a new store.
     * @param recycle    a manifest generation whose file the commit may reuse (see {@link ManifestStore#commit}),
     *                   or -1; {@link #recycled()} tells whether it did.
     * @param own        extensions of this commit alone (the pins it records, say), besides those of the
     *                   {@link ExtensionSource}s.
     * @param abandon    asked before the flush of each segment and before the commit of the manifest: true gives
     *                   up there, committing nothing ({@link #NEVER_ABANDON} for never).
     * @return the manifest committed, or null if abandoned.
     */
    public Manifest write(final Freeze freeze, final Checkpoint checkpoint, final Manifest previous,
        final long generation, final Map<String, String> labels, final long recycle,
        final List<ManifestExtension> own, final BooleanSupplier abandon) throws IOException
    {
        recycled = false;
        final int previousTailSegment = previous == null ? 0 : previous.tailSegment;
        final int previousTailOffset = previous == null ? SegmentDescriptor.HEADER_LENGTH : previous.tailOffset;
        long bytes = 0;
        final List<Manifest.FileEntry> entries = new ArrayList<>();
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
            // A segment started since the previous snapshot is flushed even when it holds no record yet: the roll
            // wrote its header without a flush, and this manifest names the segment.
            if (from < committed || segment.id() > previousTailSegment)
            {
                if (abandon.getAsBoolean())
                {
                    return null;
                }
                log.force(segment);
                bytes += committed - from;
            }
            entries.add(new Manifest.FileEntry(segment.id(), committed, from, crc));
        }
        final int filesCreated = log.filesCreated();
        if (filesCreated != directorySyncedAt)
        {
            fs.syncDirectory(dir);
            directorySyncedAt = filesCreated;
        }
        if (abandon.getAsBoolean())
        {
            return null;
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
            LibraryVersion.FIRST_READER_OF_3_0, generation, freeze.lastSequence, freeze.createdAtMillis,
            freeze.entryCount, freeze.stateCount, seed, dimension, KeyHash.FUNCTION_ID, checkpoint,
            freeze.tailSegment, freeze.tailOffset, bytes, System.nanoTime() - freeze.startNanos,
            entries.toArray(new Manifest.FileEntry[0]), labels, extensions);
        recycled = manifests.commit(manifest, recycle);
        return manifest;
    }
}
