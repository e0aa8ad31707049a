package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static io.memsnap.internal.format.ManifestDescriptor.EXTENSION_NEXT_SLOT;
import static io.memsnap.internal.format.ManifestDescriptor.NEXT_SLOT_EXTENSION_LENGTH;
import static io.memsnap.internal.format.ManifestDescriptor.NEXT_SLOT_OFFSET;

/**
 * The manifest extension that names the slot of {@code manifests.mss} the commit after a manifest writes (layout in
 * {@link ManifestDescriptor}); every 4.0 manifest carries it. Stateless.
 */
public final class NextSlotExtension
{
    /** What a manifest without the extension (one written before 4.0) names: no slot. */
    public static final int NONE = -1;

    private NextSlotExtension()
    {
    }

    public static ManifestExtension of(final int slot)
    {
        final ByteBuffer body = ByteBuffer.allocate(NEXT_SLOT_EXTENSION_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(NEXT_SLOT_OFFSET, slot);
        return new ManifestExtension(EXTENSION_NEXT_SLOT, ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW,
            body.array());
    }

    /**
     * @return the slot {@code manifest} names, or {@link #NONE} if it carries no such extension.
     * @throws CorruptStoreException if the extension is malformed.
     */
    public static int read(final Manifest manifest, final Path file)
    {
        final ManifestExtension e = manifest.extension(EXTENSION_NEXT_SLOT);
        if (e == null)
        {
            return NONE;
        }
        final int slot = e.length() == NEXT_SLOT_EXTENSION_LENGTH ?
            ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN).getInt(NEXT_SLOT_OFFSET) : NONE;
        if (slot < 0)
        {
            throw new CorruptStoreException("manifest " + manifest.generation + " names an impossible next slot " +
                "(extension " + EXTENSION_NEXT_SLOT + ": " + e.length() + " bytes, slot " + slot + ")", file, 0);
        }
        return slot;
    }
}
