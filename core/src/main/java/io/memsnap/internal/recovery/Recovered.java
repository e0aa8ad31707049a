package io.memsnap.internal.recovery;

import io.memsnap.RecoveryReport;
import io.memsnap.internal.StoreDirectory;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.DurableWatermark;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.IndexFileDeleter;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.SnapshotWriter;

import java.util.List;

/**
 * What an open produced: the parts of a store, ready to use, and what recovery found. Immutable; the parts are
 * handed to the store and owned by it from then on.
 */
public final class Recovered
{
    /** The directory and its writer lock; null for a read-only open. */
    public final StoreDirectory directory;
    public final ManifestStore manifests;
    public final SegmentLog log;
    public final IndexFile indexFile;
    public final HashIndex index;
    public final SnapshotWriter snapshotWriter;
    public final IndexCheckpointer checkpointer;
    /** The durable watermark the writer moves; null for a read-only open. */
    public final DurableWatermark watermark;
    /** Deletes the index files no snapshot needs; null for a read-only open. */
    public final IndexFileDeleter indexFiles;
    /** The snapshot restored. */
    public final Manifest manifest;
    public final long nextGeneration;
    public final long entryCount;
    public final long stateCount;
    public final RecoveryReport report;
    /**
     * The live-record accounting, up to date with the replay: the writer's, or a read-only open's at its snapshot
     * (never changed after the open; null when the snapshot's manifest has no live-bytes table).
     */
    public final SegmentUsage usage;
    /** The pins of the segment files a read-only open mapped (closed with the store); empty for a writer. */
    public final List<ReaderPins.Pin> pins;

    Recovered(
        final StoreDirectory directory,
        final ManifestStore manifests,
        final SegmentLog log,
        final IndexFile indexFile,
        final HashIndex index,
        final SnapshotWriter snapshotWriter,
        final IndexCheckpointer checkpointer,
        final DurableWatermark watermark,
        final IndexFileDeleter indexFiles,
        final Manifest manifest,
        final long nextGeneration,
        final long entryCount,
        final long stateCount,
        final RecoveryReport report,
        final SegmentUsage usage,
        final List<ReaderPins.Pin> pins)
    {
        this.usage = usage;
        this.pins = List.copyOf(pins);
        this.directory = directory;
        this.manifests = manifests;
        this.log = log;
        this.indexFile = indexFile;
        this.index = index;
        this.snapshotWriter = snapshotWriter;
        this.checkpointer = checkpointer;
        this.watermark = watermark;
        this.indexFiles = indexFiles;
        this.manifest = manifest;
        this.nextGeneration = nextGeneration;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.report = report;
    }
}
