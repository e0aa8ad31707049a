package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;
import io.memsnap.internal.format.ManifestDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap verify DIR}: a manifest torn by a power loss in the middle of a recycling commit is no damage (exit
 * 0), a damaged newest manifest is (exit 3).
 */
class VerifyCliTest
{
    private static final int DIMENSION = 1000;

    @TempDir
    Path dir;

    private long oldest;
    private long newest;

    /**
     * Three manifests retained, then a snapshot recycles the oldest's file: put back under the old name with the new
     * manifest's header and the old one's rest (the overwrite partly on disk, the renames not), the new name gone.
     */
    private void tornRecycle() throws IOException
    {
        final byte[] before;
        final byte[] after;
        try (MemoryStore store = MemoryStore.open(dir, TestStores.small(DIMENSION)))
        {
            for (int i = 0; i < 4; i++)
            {
                store.put("id-" + i, SparseVector.of(new int[] {i}, new float[] {1.0f}));
                store.snapshot();
            }
            final List<SnapshotInfo> retained = store.snapshots();
            newest = retained.get(0).generation();
            oldest = retained.get(retained.size() - 1).generation();
            before = Files.readAllBytes(manifest(oldest));
            store.put("id-4", SparseVector.of(new int[] {4}, new float[] {1.0f}));
            after = Files.readAllBytes(manifest(store.snapshot().generation()));
            Files.delete(manifest(newest + 1));
        }
        final byte[] torn = before.clone();
        System.arraycopy(after, 0, torn, 0,
            ManifestDescriptor.generationOffset(io.memsnap.internal.format.FormatVersion.CURRENT_MAJOR) + Long.BYTES);
        Files.write(manifest(oldest), torn);
    }

    @Test
    void aTornRecycledManifestPassesVerify() throws IOException
    {
        tornRecycle();
        final ExportImportCliTest.Run verify = run("verify", dir.toString());
        assertEquals(Main.OK, verify.code, verify.toString());
        assertTrue(verify.out.startsWith("OK: "), verify.toString());
        assertTrue(verify.err.startsWith("memsnap: warning: ") && verify.err.contains(ManifestDescriptor.fileName(
            oldest)) && verify.err.contains("abandoned recycled manifest"), verify.toString());
        final ExportImportCliTest.Run deep = run("verify", "--deep", dir.toString());
        assertEquals(Main.OK, deep.code, deep.toString());
    }

    @Test
    void aDamagedNewestManifestFailsVerify() throws IOException
    {
        tornRecycle();
        final byte[] bytes = Files.readAllBytes(manifest(newest));
        bytes[ManifestDescriptor.ENTRY_COUNT_OFFSET] ^= 0x01;
        Files.write(manifest(newest), bytes);
        final ExportImportCliTest.Run verify = run("verify", dir.toString());
        assertEquals(Main.CORRUPT, verify.code, verify.toString());
        assertTrue(verify.err.contains(ManifestDescriptor.fileName(newest)), verify.toString());
    }

    private Path manifest(final long generation)
    {
        return dir.resolve(ManifestDescriptor.fileName(generation));
    }
}
