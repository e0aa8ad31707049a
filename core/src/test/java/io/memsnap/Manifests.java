package io.memsnap;

import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestCodec;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The manifests of a store on disk, for tests that look at them or damage them: wherever each lives (a slot of
 * {@code manifests.mss}, or a file of its own), read through the engine's {@link ManifestStore}. Stateless.
 */
final class Manifests
{
    /** Where the bytes of one manifest lie: a file, the offset of the manifest in it, and its length. */
    static final class Location
    {
        final Path file;
        final long offset;
        final int length;

        Location(final Path file, final long offset, final int length)
        {
            this.file = file;
            this.offset = offset;
            this.length = length;
        }
    }

    private Manifests()
    {
    }

    /** @return the generations of the manifests on disk, newest first (files and slots that validate). */
    static List<Long> onDisk(final Path dir)
    {
        try
        {
            return store(dir).generations();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static Manifest read(final Path dir, final long generation) throws IOException
    {
        return store(dir).read(generation);
    }

    /** @return where the manifest of {@code generation} lies. */
    static Location locate(final Path dir, final long generation) throws IOException
    {
        final ManifestStore store = store(dir);
        final byte[] bytes = ManifestCodec.encode(store.read(generation));
        if (!store.inSlot(generation))
        {
            return new Location(store.path(generation), 0, bytes.length);
        }
        for (final ManifestSlots.Slot slot : store.slots().readAll())
        {
            if (slot.state == ManifestSlots.Slot.State.VALID && slot.generation == generation)
            {
                return new Location(store.slots().path(), ManifestSlotsDescriptor.slotOffset(slot.index) +
                    ManifestSlotsDescriptor.MANIFEST_OFFSET, bytes.length);
            }
        }
        throw new IllegalStateException("generation " + generation + " moved while it was looked for");
    }

    /** @return the index of the slot holding {@code generation}. */
    static int slotOf(final Path dir, final long generation) throws IOException
    {
        for (final ManifestSlots.Slot slot : store(dir).slots().readAll())
        {
            if (slot.state == ManifestSlots.Slot.State.VALID && slot.generation == generation)
            {
                return slot.index;
            }
        }
        throw new IllegalArgumentException("no slot holds generation " + generation);
    }

    /**
     * Writes {@code m} where the manifest of its generation lies, as a writer would (a slot whole, with its checksum;
     * or its file): for tests that plant a manifest with other content.
     */
    static void rewrite(final Path dir, final Manifest m) throws IOException
    {
        final ManifestStore store = store(dir);
        store.read(m.generation);
        final byte[] bytes = ManifestCodec.encode(m);
        if (store.inSlot(m.generation))
        {
            final int index = slotOf(dir, m.generation);
            StoreFiles.writeAt(store.slots().path(), ManifestSlotsDescriptor.slotOffset(index),
                ManifestSlots.slot(index, m.generation, bytes));
        }
        else
        {
            StoreFiles.write(store.path(m.generation), bytes);
        }
    }

    private static ManifestStore store(final Path dir)
    {
        return new ManifestStore(StoreFileSystem.real(), dir); // only read, unless a test writes through rewrite
    }
}
