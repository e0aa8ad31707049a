package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Supplier;

import static io.memsnap.internal.format.TimelineDescriptor.*;

/**
 * Encodes and decodes manifest extension {@link ManifestDescriptor#EXTENSION_TIMELINE}: the timeline a snapshot
 * belongs to (layout in {@link io.memsnap.internal.format.TimelineDescriptor}). Stateless.
 */
public final class TimelineExtension
{
    private TimelineExtension()
    {
    }

    /** @return the extension that records {@code timeline}, or null for the first timeline (which records none). */
    public static ManifestExtension encode(final Timeline timeline)
    {
        if (timeline.isFirst())
        {
            return null;
        }
        final ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(TIMELINE_OFFSET, timeline.id).putLong(PARENT_OFFSET, timeline.parent)
            .putLong(BRANCHED_FROM_OFFSET, timeline.branchedFrom)
            .putLong(BRANCH_SEQUENCE_OFFSET, timeline.branchSequence);
        return new ManifestExtension(ManifestDescriptor.EXTENSION_TIMELINE,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, b.array());
    }

    /** @return the source that adds to each manifest the timeline {@code current} gives when it is committed. */
    public static SnapshotWriter.ExtensionSource source(final Supplier<Timeline> current)
    {
        return (freeze, checkpoint) -> encode(current.get());
    }

    /**
     * @param file the manifest's path, for messages, or null to name its file alone.
     * @return the timeline the manifest records, {@link Timeline#FIRST} if it records none.
     * @throws CorruptStoreException if the extension is malformed.
     */
    public static Timeline read(final Manifest manifest, final Path file)
    {
        final ManifestExtension e = manifest.extension(ManifestDescriptor.EXTENSION_TIMELINE);
        if (e == null)
        {
            return Timeline.FIRST;
        }
        if (e.length() < LENGTH)
        {
            throw malformed("only " + e.length() + " bytes", manifest, file);
        }
        final ByteBuffer b = ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN);
        final Timeline t = new Timeline(b.getLong(TIMELINE_OFFSET), b.getLong(PARENT_OFFSET),
            b.getLong(BRANCHED_FROM_OFFSET), b.getLong(BRANCH_SEQUENCE_OFFSET));
        if (t.id < 1 || t.parent < 0 || t.parent >= t.id || t.branchedFrom < 0 ||
            t.branchedFrom >= manifest.generation || t.branchSequence < 0 || t.branchSequence > manifest.lastSequence)
        {
            throw malformed("impossible " + t + " in manifest " + manifest.generation + " of last sequence " +
                manifest.lastSequence, manifest, file);
        }
        return t;
    }

    private static CorruptStoreException malformed(final String problem, final Manifest manifest, final Path file)
    {
        return new CorruptStoreException("the manifest's timeline extension (tag " +
            ManifestDescriptor.EXTENSION_TIMELINE + ") is malformed: " + problem,
            file != null ? file : Path.of(ManifestDescriptor.fileName(manifest.generation)), -1);
    }
}
