package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.LibraryVersion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
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

    /** Format version the manifest was read in (this build's when it was written by it). */
    public final int majorVersion;
    public final int minorVersion;
    /** The oldest library version that reads this manifest (3.0 and later; derived from the version before). */
    public final LibraryVersion oldestReader;
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
    /** Extensions in increasing tag order (3.0 and later; empty before). */
    public final List<ManifestExtension> extensions;

    /** A manifest this build writes: the current format version, no extensions. */
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
        this(FormatVersion.CURRENT_MAJOR, minorVersion, LibraryVersion.FIRST_READER_OF_4_0, generation, lastSequence,
            createdAtMillis, entryCount, stateCount, seed, dimension, hashFunction, checkpoint, tailSegment, tailOffset,
            bytesFlushed, durationNanos, segments, labels, List.of());
    }

    /** A manifest with everything explicit: what a decoder read, or a writer with extensions. */
    public Manifest(
        final int majorVersion,
        final int minorVersion,
        final LibraryVersion oldestReader,
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
        final Map<String, String> labels,
        final List<ManifestExtension> extensions)
    {
        this.majorVersion = majorVersion;
        this.minorVersion = minorVersion;
        this.oldestReader = oldestReader;
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
        final List<ManifestExtension> sorted = new ArrayList<>(extensions);
        sorted.sort(Comparator.comparingInt(e -> e.tag));
        for (int i = 1; i < sorted.size(); i++)
        {
            if (sorted.get(i).tag == sorted.get(i - 1).tag)
            {
                throw new IllegalArgumentException("manifest extension " + sorted.get(i).tag + " given twice");
            }
        }
        this.extensions = List.copyOf(sorted);
    }

    /** @return the extension with this tag, or null if the manifest has none. */
    public ManifestExtension extension(final int tag)
    {
        for (final ManifestExtension e : extensions)
        {
            if (e.tag == tag)
            {
                return e;
            }
        }
        return null;
    }

    /** @return this manifest with the extension of its tag replaced (or added). */
    public Manifest withExtension(final ManifestExtension extension)
    {
        final List<ManifestExtension> list = new ArrayList<>();
        for (final ManifestExtension e : extensions)
        {
            if (e.tag != extension.tag)
            {
                list.add(e);
            }
        }
        list.add(extension);
        return new Manifest(majorVersion, minorVersion, oldestReader, generation, lastSequence, createdAtMillis,
            entryCount, stateCount, seed, dimension, hashFunction, checkpoint, tailSegment, tailOffset, bytesFlushed,
            durationNanos, segments, labels, list);
    }

    /**
     * @return the same snapshot in another format version under another generation: what a migration step commits
     * (the records, checkpoint, counts, labels, flushed ranges and extensions are the same).
     */
    public Manifest inVersion(final int major, final int minor, final LibraryVersion reader, final long newGeneration)
    {
        return new Manifest(major, minor, reader, newGeneration, lastSequence, createdAtMillis, entryCount,
            stateCount, seed, dimension, hashFunction, checkpoint, tailSegment, tailOffset, bytesFlushed,
            durationNanos, segments, labels, extensions);
    }

    /**
     * @return this manifest with another duration: the whole commit's, which the manifest written during the commit
     * cannot hold.
     */
    public Manifest withDuration(final long nanos)
    {
        return new Manifest(majorVersion, minorVersion, oldestReader, generation, lastSequence, createdAtMillis,
            entryCount, stateCount, seed, dimension, hashFunction, checkpoint, tailSegment, tailOffset, bytesFlushed,
            nanos, segments, labels, extensions);
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
