package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.index.IndexPlacement;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static io.memsnap.internal.format.ManifestDescriptor.BUCKET_PROBING_EXTENSION_LENGTH;
import static io.memsnap.internal.format.ManifestDescriptor.BUCKET_PROBING_LINEAR;
import static io.memsnap.internal.format.ManifestDescriptor.BUCKET_PROBING_OFFSET;
import static io.memsnap.internal.format.ManifestDescriptor.EXTENSION_BUCKET_PROBING;
import static io.memsnap.internal.format.ManifestDescriptor.EXTENSION_INDEX_PLACEMENT;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_PLACEMENT_EXTENSION_LENGTH;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_PLACEMENT_OFFSET;

/**
 * The manifest extensions that record how the store's index places keys ({@link IndexPlacement}; layout in
 * {@link ManifestDescriptor}): absent for {@link IndexPlacement#LOW_BITS}, so that stores created before other
 * placements existed stay as they are; {@code EXTENSION_INDEX_PLACEMENT} for the spread positions, and with it
 * {@code EXTENSION_BUCKET_PROBING} for {@link IndexPlacement#SPREAD_PROBED}; each flagged as one readers must know,
 * so that a build that does not know a placement refuses the store (as a newer format) instead of missing its keys.
 * Stateless.
 */
public final class IndexPlacementExtension
{
    private IndexPlacementExtension()
    {
    }

    /** Adds to {@code writer} what a writer of a store of {@code placement} adds to each of its manifests. */
    public static void addTo(final SnapshotWriter writer, final int placement)
    {
        for (final ManifestExtension extension : of(placement))
        {
            writer.addExtensionSource((freeze, checkpoint) -> extension);
        }
    }

    /** @return the extensions recording {@code placement}, in tag order: none for {@link IndexPlacement#LOW_BITS}. */
    public static List<ManifestExtension> of(final int placement)
    {
        if (placement == IndexPlacement.LOW_BITS)
        {
            return List.of();
        }
        final ByteBuffer body = ByteBuffer.allocate(INDEX_PLACEMENT_EXTENSION_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(INDEX_PLACEMENT_OFFSET, IndexPlacement.SPREAD);
        final ManifestExtension spread = new ManifestExtension(EXTENSION_INDEX_PLACEMENT,
            ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, body.array());
        if (!IndexPlacement.isProbed(placement))
        {
            return List.of(spread);
        }
        final ByteBuffer probing = ByteBuffer.allocate(BUCKET_PROBING_EXTENSION_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        probing.putInt(BUCKET_PROBING_OFFSET, BUCKET_PROBING_LINEAR);
        return List.of(spread, new ManifestExtension(EXTENSION_BUCKET_PROBING,
            ManifestDescriptor.EXTENSION_READERS_MUST_KNOW, probing.array()));
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
        int placement = IndexPlacement.LOW_BITS;
        boolean probed = false;
        for (final ManifestExtension e : extensions)
        {
            if (e.tag == EXTENSION_INDEX_PLACEMENT)
            {
                placement = e.length() == INDEX_PLACEMENT_EXTENSION_LENGTH ?
                    ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(INDEX_PLACEMENT_OFFSET) : 0;
                if (placement != IndexPlacement.SPREAD)
                {
                    throw new CorruptStoreException("manifest names an impossible index placement (extension " +
                        EXTENSION_INDEX_PLACEMENT + ": " + e.length() + " bytes, placement " + placement + ")", path,
                        0);
                }
            }
            else if (e.tag == EXTENSION_BUCKET_PROBING)
            {
                final int scheme = e.length() == BUCKET_PROBING_EXTENSION_LENGTH ?
                    ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(BUCKET_PROBING_OFFSET) : 0;
                if (scheme != BUCKET_PROBING_LINEAR)
                {
                    throw new CorruptStoreException("manifest names an impossible bucket probing (extension " +
                        EXTENSION_BUCKET_PROBING + ": " + e.length() + " bytes, scheme " + scheme + ")", path, 0);
                }
                probed = true;
            }
        }
        if (!probed)
        {
            return placement;
        }
        if (placement != IndexPlacement.SPREAD)
        {
            throw new CorruptStoreException("manifest names bucket probing (extension " + EXTENSION_BUCKET_PROBING +
                ") without the spread placement (extension " + EXTENSION_INDEX_PLACEMENT + ")", path, 0);
        }
        return IndexPlacement.SPREAD_PROBED;
    }
}
