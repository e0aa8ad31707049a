package io.memsnap.internal.snapshot;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decoded content of one manifest: everything needed to open a snapshot: the index checkpoint it builds on,
 * the end of its records, the files it needs. Thread safe: immutable.
 */
public final class Manifest
{
    /** One segment the snapshot needs: committed length, and the range this snapshot flushed with its CRC32C. */
    public static final class FileEntry
    {
        public final int segmentId;
        public final int committedLength;
        public final int flushedFrom;
        public final int flushedCrc;

        public FileEntry(final int segmentId, final int committedLength, final int flushedFrom, final int flushedCrc)
        {
            this.segmentId = segmentId;
            this.committedLength = committedLength;
            this.flushedFrom = flushedFrom;
            this.flushedCrc = flushedCrc;
        }
    }

    public final int minorVersion;
    public final long generation;
    public final long lastSequence;
    public final long createdAtMillis;
    public final long entryCount;
    public final long stateCount;
    public final long seed;
    public final int dimension;
    public final int hashFunction;
    public final Checkpoint checkpoint;
    public final int tailSegment;
    public final int tailOffset;
    public final long bytesFlushed;
    public final long durationNanos;
    public final FileEntry[] segments;
    public final Map<String, String> labels;

    public Manifest(
        final int minorVersion,
        final long generation,
        final long lastSequence,
        final long createdAtMillis,
        final long entryCount,
        final long stateCount,
        final long seed,
        final int dimension,
        final int hashFunction,
        final Checkpoint checkpoint,
        final int tailSegment,
        final int tailOffset,
        final long bytesFlushed,
        final long durationNanos,
        final FileEntry[] segments,
        final Map<String, String> labels)
    {
        this.minorVersion = minorVersion;
        this.generation = generation;
        this.lastSequence = lastSequence;
        this.createdAtMillis = createdAtMillis;
        this.entryCount = entryCount;
        this.stateCount = stateCount;
        this.seed = seed;
        this.dimension = dimension;
        this.hashFunction = hashFunction;
        this.checkpoint = checkpoint;
        this.tailSegment = tailSegment;
        this.tailOffset = tailOffset;
        this.bytesFlushed = bytesFlushed;
        this.durationNanos = durationNanos;
        this.segments = segments.clone();
        this.labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** @return the entry of a segment, or null if the snapshot does not need it. */
    public FileEntry segment(final int segmentId)
    {
        for (final FileEntry e : segments)
        {
            if (e.segmentId == segmentId)
            {
                return e;
            }
        }
        return null;
    }
}
