package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.Checksum;
import io.memsnap.internal.segment.Segment;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Checks the record ranges a manifest says its snapshot flushed (each segment entry's {@code [flushed from,
 * committed length)} and its CRC32C) against the segments: every byte appended since the snapshot before it,
 * alignment padding and PAD records included, and the records below the index checkpoint the manifest names, which
 * no replay reads. {@code verify --deep} reports a mismatch as damage; opens take a mismatch in the newest snapshot
 * committed into a slot for a commit whose records a power cut kept from the disk ({@link #incompleteCommit}, see
 * {@link SnapshotWriter}). Stateless.
 */
public final class FlushedRanges
{
    /** A range whose bytes do not match. Immutable. */
    public static final class Mismatch
    {
        public final Manifest.FileEntry entry;
        /** The segment, or null if it is missing. */
        public final Segment segment;
        /** The CRC32C of the bytes found; meaningless when the segment is missing or shorter. */
        public final int actualCrc;

        Mismatch(final Manifest.FileEntry entry, final Segment segment, final int actualCrc)
        {
            this.entry = entry;
            this.segment = segment;
            this.actualCrc = actualCrc;
        }

        /** @return whether the segment is missing or shorter than the range (no checksum was computed). */
        public boolean missing()
        {
            return segment == null || segment.length() < entry.committedLength;
        }

        @Override
        public String toString()
        {
            return segment == null ? "segment " + entry.segmentId + " is missing" :
                segment.length() < entry.committedLength ? segment.path() + " is shorter than " +
                entry.committedLength + " bytes" : "the bytes " + entry.flushedFrom + " to " + entry.committedLength +
                " of " + segment.path() + " give CRC32C " + Long.toHexString(Checksum.unsigned(actualCrc)) +
                " where the manifest holds " + Long.toHexString(Checksum.unsigned(entry.flushedCrc));
        }
    }

    private FlushedRanges()
    {
    }

    /**
     * Whether {@code manifest}, the newest on disk, is a commit whose slot reached the disk and whose records did not
     * all: it was written beside them ({@link SnapshotWriter#PARALLEL_MAX_BYTES}), nothing made durable after it says
     * its records are ({@code durableUpTo}, the durable watermark, is below its last sequence), and a range it flushed,
     * in a segment that is there, does not hold the bytes it names. Such a snapshot was never committed (its snapshot
     * call did not return before the power cut): opens take the one before it. Reads at most
     * {@link SnapshotWriter#PARALLEL_MAX_BYTES}. (Damage to those records before anything else was made durable reads
     * the same way: the records that still validate are kept, the snapshot is not.)
     *
     * @param durableUpTo the last sequence the durable watermark says is durable, or -1 if there is none.
     * @param segments    the segment of an id, or null where it is missing (or not mapped: it is not checked then).
     * @return the first range that does not match, or null if the commit is whole (or was not written beside its
     * records, or records after it were acknowledged durable).
     */
    public static Mismatch incompleteCommit(final ManifestStore manifests, final Manifest manifest,
        final long durableUpTo, final IntFunction<Segment> segments)
    {
        if (!manifests.inSlot(manifest.generation) || manifest.bytesFlushed > SnapshotWriter.PARALLEL_MAX_BYTES ||
            durableUpTo >= manifest.lastSequence)
        {
            return null;
        }
        for (final Mismatch m : mismatches(manifest, segments))
        {
            if (!m.missing())
            {
                return m;
            }
        }
        return null;
    }

    /**
     * @param segments the segment of an id, or null where it is missing.
     * @return every range that does not match (or lies in a segment that is missing or too short), in order.
     */
    public static List<Mismatch> mismatches(final Manifest manifest, final IntFunction<Segment> segments)
    {
        final Checksum checksum = new Checksum();
        final List<Mismatch> found = new ArrayList<>();
        for (final Manifest.FileEntry e : manifest.segments)
        {
            if (e.flushedFrom >= e.committedLength)
            {
                continue;
            }
            final Segment segment = segments.apply(e.segmentId);
            if (segment == null || segment.length() < e.committedLength)
            {
                found.add(new Mismatch(e, segment, 0));
                continue;
            }
            final int actual = checksum.compute(segment.newView(), e.flushedFrom, e.committedLength - e.flushedFrom);
            if (actual != e.flushedCrc)
            {
                found.add(new Mismatch(e, segment, actual));
            }
        }
        return found;
    }
}
