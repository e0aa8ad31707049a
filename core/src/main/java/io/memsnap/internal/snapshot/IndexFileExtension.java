package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static io.memsnap.internal.format.ManifestDescriptor.EXTENSION_INDEX_FILE;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_FILE_EXTENSION_LENGTH;
import static io.memsnap.internal.format.ManifestDescriptor.INDEX_FILE_GENERATION_OFFSET;

/**
 * The manifest extension that names the index file a snapshot's checkpoint lives in (layout in
 * {@link ManifestDescriptor}): absent for {@code index.msi}, so that a store that never changed index files stays
 * readable by builds that know nothing of them. Stateless.
 */
public final class IndexFileExtension
{
    /** What every writer adds to its manifests: the extension of the checkpoint's index file, if above 0. */
    public static final SnapshotWriter.ExtensionSource SOURCE = (freeze, checkpoint) -> of(checkpoint.indexFile);

    private IndexFileExtension()
    {
    }

    /** @return the extension naming the index file of {@code generation}, or null for generation 0. */
    public static ManifestExtension of(final long generation)
    {
        if (generation == 0)
        {
            return null;
        }
        final ByteBuffer body = ByteBuffer.allocate(INDEX_FILE_EXTENSION_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        body.putLong(INDEX_FILE_GENERATION_OFFSET, generation);
        return new ManifestExtension(EXTENSION_INDEX_FILE, ManifestDescriptor.EXTENSION_READERS_MUST_KNOW,
            body.array());
    }

    /**
     * @param extensions a manifest's extensions.
     * @return the generation of the index file they name: 0 ({@code index.msi}) without the extension.
     * @throws CorruptStoreException if the extension is malformed.
     */
    public static long generation(final List<ManifestExtension> extensions, final Path manifest)
    {
        for (final ManifestExtension e : extensions)
        {
            if (e.tag == EXTENSION_INDEX_FILE)
            {
                final long generation = e.length() == INDEX_FILE_EXTENSION_LENGTH ?
                    ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN).getLong(INDEX_FILE_GENERATION_OFFSET) : 0;
                if (generation < 1)
                {
                    throw new CorruptStoreException("manifest names an impossible index file (extension " +
                        EXTENSION_INDEX_FILE + ": " + e.length() + " bytes, generation " + generation + ")", manifest,
                        0);
                }
                return generation;
            }
        }
        return 0;
    }
}
