package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.index.IndexPlacement;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static io.memsnap.internal.format.ManifestDescriptor.EXTENSION_INDEX_PLACEMENT;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_PLACEMENT_EXTENSION_LENGTH;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_PLACEMENT_OFFSET;

/**
 * The manifest extension that records how the store's index places keys ({@link IndexPlacement}; layout in
 * {@link ManifestDescriptor}): absent for {@link IndexPlacement#LOW_BITS}, so that stores created before other
 * placements existed stay as they are, and flagged as one readers must know, so that a build that knows only the low
 * bits refuses a store placed otherwise instead of missing its keys. Stateless.
 */
public final class IndexPlacementExtension
{
    private IndexPlacementExtension()
    {
    }

    /** @return what a writer of a store of {@code placement} adds to each of its manifests. */
    public static SnapshotWriter.ExtensionSource source(final int placement)
    {
        final ManifestExtension extension = of(placement);
        return (freeze, checkpoint) -> extension;
    }

    /** @return the extension recording {@code placement}, or null for {@link IndexPlacement#LOW_BITS}. */
    public static ManifestExtension of(final int placement)
    {
        if (placement == IndexPlacement.LOW_BITS)
        {
            return null;
        }
        final ByteBuffer body = ByteBuffer.allocate(INDEX_PLACEMENT_EXTENSION_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(INDEX_PLACEMENT_OFFSET, placement);
        return new ManifestExtension(EXTENSION_INDEX_PLACEMENT, ManifestDescriptor.EXTENSION_READERS_MUST_KNOW,
            body.array());
    }

    /**
     * @param manifest a manifest of the store.
     * @param path     where it was read from, for the message.
     * @return the placement it records: {@link IndexPlacement#LOW_BITS} without the extension.
     * @throws CorruptStoreException if the extension is malformed or names a placement this build does not know.
     */
    public static int placement(final Manifest manifest, final Path path)
    {
        return placement(manifest.extensions, path);
    }

    /** As {@link #placement(Manifest, Path)}, from a manifest's extensions. */
    public static int placement(final List<ManifestExtension> extensions, final Path path)
    {
        for (final ManifestExtension e : extensions)
        {
            if (e.tag == EXTENSION_INDEX_PLACEMENT)
            {
                final int placement = e.length() == INDEX_PLACEMENT_EXTENSION_LENGTH ?
                    ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(INDEX_PLACEMENT_OFFSET) : 0;
                if (placement == IndexPlacement.LOW_BITS || !IndexPlacement.isKnown(placement))
                {
                    throw new CorruptStoreException("manifest names an impossible index placement (extension " +
                        EXTENSION_INDEX_PLACEMENT + ": " + e.length() + " bytes, placement " + placement + ")", path,
                        0);
                }
                return placement;
            }
        }
        return IndexPlacement.LOW_BITS;
    }
}
