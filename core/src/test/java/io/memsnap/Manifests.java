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
public final class Manifests
{
    private Manifests()
    {
    }

    /** @return the generations of the manifests on disk, newest first (files and slots that validate). */
    public static List<Long> onDisk(final Path dir)
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

    public static Manifest read(final Path dir, final long generation) throws IOException
    {
        return store(dir).read(generation);
    }

    /** @return the file that holds the manifest of {@code generation}: its own, or manifests.mss. */
    public static Path fileOf(final Path dir, final long generation) throws IOException
    {
        final ManifestStore store = store(dir);
        store.read(generation);
        return store.path(generation);
    }

    /** @return where byte {@code at} of the manifest of {@code generation} lies in {@link #fileOf its file}. */
    public static long offsetOf(final Path dir, final long generation, final int at) throws IOException
    {
        final ManifestStore store = store(dir);
        store.read(generation);
        if (!store.inSlot(generation))
        {
            return at;
        }
        return ManifestSlotsDescriptor.slotOffset(slotOf(dir, generation)) +
            ManifestSlotsDescriptor.payloadToSlot(ManifestSlotsDescriptor.MANIFEST_OFFSET + at);
    }

    /** XORs byte {@code at} of the manifest of {@code generation} with {@code mask}, where it lies. */
    public static void flip(final Path dir, final long generation, final int at, final int mask) throws IOException
    {
        StoreFiles.flip(fileOf(dir, generation), offsetOf(dir, generation, at), mask);
    }

    /** @return the index of the slot holding {@code generation}. */
    public static int slotOf(final Path dir, final long generation) throws IOException
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
    public static void rewrite(final Path dir, final Manifest m) throws IOException
    {
        rewrite(dir, m.generation, ManifestCodec.encode(m));
    }

    /**
     * Writes {@code bytes} as the manifest of {@code generation}, where it lies: into its slot (with the slot's
     * checksum made to match), or as its file.
     */
    public static void rewrite(final Path dir, final long generation, final byte[] bytes) throws IOException
    {
        final ManifestStore store = store(dir);
        store.read(generation);
        if (store.inSlot(generation))
        {
            final int index = slotOf(dir, generation);
            StoreFiles.writeAt(store.slots().path(), ManifestSlotsDescriptor.slotOffset(index),
                ManifestSlots.slot(index, generation, bytes));
        }
        else
        {
            StoreFiles.write(store.path(generation), bytes);
        }
    }

    /** @return the bytes of the manifest of {@code generation}, wherever it lies. */
    public static byte[] bytes(final Path dir, final long generation) throws IOException
    {
        final ManifestStore store = store(dir);
        store.read(generation);
        if (!store.inSlot(generation))
        {
            return StoreFiles.read(store.path(generation));
        }
        return store.slots().read(slotOf(dir, generation)).manifest();
    }

    private static ManifestStore store(final Path dir)
    {
        return new ManifestStore(StoreFileSystem.real(), dir); // only read, unless a test writes through rewrite
    }
}
