package io.memsnap.cli;

import io.memsnap.Manifests;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap verify DIR}: a manifest slot torn by a power loss in the middle of a commit is no damage (exit 0, a
 * warning), a damaged newest manifest is (exit 3).
 */
class VerifyCliTest
{
    private static final int DIMENSION = 1000;

    @TempDir
    Path dir;

    private long newest;

    /** Snapshots, the newest one's slot then torn: its first sectors new, the rest as never written. */
    private void tornSlot() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, TestStores.small(DIMENSION)))
        {
            for (int i = 0; i < 5; i++)
            {
                store.put("id-" + i, SparseVector.of(new int[] {i}, new float[] {1.0f}));
                newest = store.snapshot().generation();
            }
        }
        final int slot = Manifests.slotOf(dir, newest);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(ManifestSlotsDescriptor.FILE_NAME).toFile(), "rw"))
        {
            f.seek(ManifestSlotsDescriptor.slotOffset(slot) + 2 * ManifestSlotsDescriptor.SECTOR_LENGTH);
            f.write(new byte[ManifestSlotsDescriptor.SLOT_LENGTH - 2 * ManifestSlotsDescriptor.SECTOR_LENGTH]);
        }
    }

    @Test
    void aTornSlotPassesVerify() throws IOException
    {
        tornSlot();
        final ExportImportCliTest.Run verify = run("verify", dir.toString());
        assertEquals(Main.OK, verify.code, verify.toString());
        assertTrue(verify.out.startsWith("OK: "), verify.toString());
        assertTrue(verify.err.startsWith("memsnap: warning: ") && verify.err.contains(ManifestSlotsDescriptor.FILE_NAME)
            && verify.err.contains("cut short"), verify.toString());
        final ExportImportCliTest.Run deep = run("verify", "--deep", dir.toString());
        assertEquals(Main.OK, deep.code, deep.toString());
    }

    @Test
    void aDamagedNewestManifestFailsVerify() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, TestStores.small(DIMENSION)))
        {
            store.put("id-0", SparseVector.of(new int[] {0}, new float[] {1.0f}));
            newest = store.snapshot().generation();
        }
        Manifests.flip(dir, newest, ManifestDescriptor.ENTRY_COUNT_OFFSET, 0x01);
        final ExportImportCliTest.Run verify = run("verify", dir.toString());
        assertEquals(Main.CORRUPT, verify.code, verify.toString());
        assertTrue(verify.err.contains(ManifestSlotsDescriptor.FILE_NAME), verify.toString());
    }
}
