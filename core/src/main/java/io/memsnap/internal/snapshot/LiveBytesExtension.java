package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.SegmentLiveBytesDescriptor;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentUsage;

import java.nio.file.Path;

/**
 * The manifest extension {@link ManifestDescriptor#EXTENSION_SEGMENT_LIVE_BYTES} ({@link SegmentLiveBytesDescriptor}):
 * the live bytes of each segment at the manifest's checkpoint, and from it which segments a snapshot needs.
 * Thread safe: stateless.
 */
public final class LiveBytesExtension
{
    /** Adds the table of the checkpoint a manifest names, when the checkpoint has one. */
    public static final SnapshotWriter.ExtensionSource SOURCE = (freeze, checkpoint) ->
        checkpoint.liveBytes == null ? null : of(checkpoint.liveBytes);

    private LiveBytesExtension()
    {
    }

    public static ManifestExtension of(final SegmentUsage.Table table)
    {
        return new ManifestExtension(ManifestDescriptor.EXTENSION_SEGMENT_LIVE_BYTES,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, table.encode());
    }

    /**
     * @param file the manifest's path, for messages.
     * @return the table of the manifest's checkpoint, or null if the manifest has none (written before it existed).
     */
    public static SegmentUsage.Table read(final Manifest manifest, final Path file)
    {
        final ManifestExtension e = manifest.extension(ManifestDescriptor.EXTENSION_SEGMENT_LIVE_BYTES);
        return e == null ? null : SegmentUsage.Table.decode(e.body(), file);
    }

    /**
     * @param table the manifest's table ({@link #read}), or null if it has none.
     * @return whether opening the manifest's snapshot read-only needs segment {@code id}: its checkpoint's index
     * points into it, or its records up to the snapshot's are replayed; without a table, every segment the manifest
     * lists.
     */
    public static boolean needs(final Manifest manifest, final SegmentUsage.Table table, final int id)
    {
        if (table == null)
        {
            return manifest.segment(id) != null;
        }
        return table.live(id) > 0 || id >= manifest.checkpoint.replaySegment && id <= manifest.tailSegment;
    }

    /**
     * @param reachEnd what {@link #recoveryReach} says of the manifest.
     * @return whether a writer's recovery from the manifest needs segment {@code id}: as {@link #needs}, and every
     * segment its replay reaches, for a writer replays the log to its end, past the snapshot.
     */
    public static boolean neededByRecovery(final Manifest manifest, final SegmentUsage.Table table, final int reachEnd,
        final int id)
    {
        return id >= manifest.checkpoint.replaySegment && id < reachEnd || needs(manifest, table, id);
    }

    /**
     * @param segments the store's segments by id (null where absent).
     * @return the id after the last segment a writer's recovery from the manifest may replay: from its checkpoint's
     * replay segment on, each next segment while it is present and on the same timeline (a replay follows a segment
     * into the next only then; after a rewind, the segments of other timelines after its stop are moved aside). When
     * the replay segment is absent, none: that replay could not start.
     */
    public static int recoveryReach(final Manifest manifest, final Segment[] segments)
    {
        final int from = manifest.checkpoint.replaySegment;
        if (from <= 0 || from >= segments.length || segments[from] == null)
        {
            return from;
        }
        final long timeline = segments[from].timeline();
        int id = from + 1;
        while (id < segments.length && segments[id] != null && segments[id].timeline() == timeline)
        {
            id++;
        }
        return id;
    }
}
