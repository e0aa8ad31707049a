package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Where slot commits go, on a real {@code manifests.mss}: over random pins, unpins and retention rules, a commit never
 * writes the slot of a snapshot the last committed manifest keeps, each manifest names as the next slot the one the
 * commit after it writes, and the file grows only when every slot holds a snapshot retention keeps.
 */
class ManifestSlotsTest
{
    private static final long NOW = 1_800_000_000_000L;

    @TempDir
    Path dir;

    private static Manifest manifest(final long generation)
    {
        final Checkpoint checkpoint = new Checkpoint(1, 2, 1, 0, 1, 64, 0, 0, 0);
        return new Manifest(0, generation, generation, NOW, 0, 0, 0, 8, 1, checkpoint, 1, 64, 0, 0,
            new Manifest.FileEntry[0], Collections.emptyMap());
    }

    @Test
    void commitsNeverWriteOverAKeptSnapshotAndGrowTheFileOnlyWhenEverySlotIsKept() throws IOException
    {
        final ManifestStore store = new ManifestStore(StoreFileSystem.real(), dir);
        store.createSlotsUnlessPresent();
        store.startWriting(NextSlotExtension.NONE);
        final Random random = new Random(67);
        RetainedSnapshots retained = new RetainedSnapshots(new RetentionPolicy(3, 0), new TreeMap<>(), PinSet.NONE);
        final Map<Integer, Long> slotOf = new HashMap<>();
        int named = store.nextSlot();
        int grew = 0;
        for (long g = 0; g < 400; g++)
        {
            PinEdit edit = PinEdit.NONE;
            final List<Long> onDisk = retained.generations();
            if (!onDisk.isEmpty() && random.nextInt(4) == 0)
            {
                final long target = onDisk.get(random.nextInt(onDisk.size()));
                edit = retained.pins().contains(target) ? PinEdit.unpin(target) :
                    PinEdit.pin(target, "p", PinsDescriptor.NEVER);
            }
            final PinSet pins = retained.carry(edit, g, NOW);
            final RetainedSnapshots.Commit plan = retained.plan(g, NOW, pins, NOW);
            final ManifestStore.Commit commit = store.prepare(manifest(g), plan.decision.kept());
            assertTrue(commit.inSlot());
            final int slot = store.nextSlot();
            assertEquals(named, slot, "the commit writes the slot the last manifest named");
            final Long over = slotOf.get(slot);
            assertTrue(over == null || !retained.decide(NOW).keeps(over) || !onDisk.contains(over),
                "generation " + g + " writes over " + over + ", which the last manifest keeps");
            final long before = Files.size(store.slots().path());
            store.write(commit);
            store.committed(commit);
            grew += Files.size(store.slots().path()) > before ? 1 : 0;
            if (Files.size(store.slots().path()) > before)
            {
                for (final long held : slotOf.values())
                {
                    assertTrue(plan.decision.keeps(held) || !onDisk.contains(held) ||
                        retained.decide(NOW).keeps(held), "grew while a slot held a dropped snapshot");
                }
            }
            slotOf.values().remove(g);
            slotOf.put(slot, g);
            named = NextSlotExtension.read(store.read(g), store.path(g));
            retained = retained.committed(plan, g, NOW);
            for (final long dropped : plan.decision.dropped())
            {
                store.delete(dropped);
                retained = retained.deleted(dropped);
                slotOf.values().remove(dropped);
            }
            assertEquals(retained.generations(), store.generations(), "the slots hold exactly what is retained");
        }
        assertTrue(grew > 0, "pins never made the file grow");
        assertTrue(ManifestSlotsDescriptor.slotCount(Files.size(store.slots().path())) <
            ManifestSlotsDescriptor.INITIAL_SLOTS + 40, "the file grew past what pins need");
        final List<ManifestSlots.Slot> slots = new ArrayList<>(store.slots().readAll());
        slots.removeIf(s -> s.state != ManifestSlots.Slot.State.VALID);
        assertEquals(retained.generations().size(), slots.size());
        store.close();
    }
}
