package io.memsnap;

import io.memsnap.internal.format.FormatVersion;
import io.memsnap.internal.format.ManifestDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A power loss in the middle of a recycling commit (see ManifestStore.commit: the oldest manifest's file is renamed
 * to the pending name, overwritten in place, synced, renamed to the new name) can leave, under the OLD name, a torn
 * mix of the old manifest and the new one: the first rename did not reach the disk, part of the overwrite did. The
 * snapshot of that name was being retired and the new one was never committed, so nothing committed is damaged:
 * verify passes it (with a warning), opens restore the newest snapshot, and the next snapshot retires the file. A
 * damaged manifest that cannot be such a file still fails verify.
 *
 * <p>The state is built byte for byte from the two real manifests, the old one before the recycling commit and the
 * new one it wrote.
 */
class TornRecycleTest
{
    @TempDir
    Path dir;

    private final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
        .dimension(DIMENSION).segmentSize(256 * 1024).build();

    /** Which part of the torn file holds new bytes. */
    enum Tear
    {
        /** The header (with the generation field) holds the new bytes, the rest the old ones. */
        NEW_HEAD,
        /** The header holds the old bytes, the rest the new ones. */
        OLD_HEAD,
        /** The first half is new, the rest old, cut inside the fixed fields after the generation. */
        NEW_HALF
    }

    /** The generations of the store that {@link #tornRecycle} built. */
    private long oldest;
    private long newest;

    /**
     * Builds a store whose oldest manifest file is a recycle torn by a power loss: three manifests retained, then a
     * snapshot recycles the oldest; its file is put back under the old name holding a mix of the two manifests, and
     * the new name is removed (its rename never reached the disk).
     */
    private void tornRecycle(final Tear tear) throws IOException
    {
        final byte[] before;
        final byte[] after;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            snapshotFourTimes(store);
            final List<SnapshotInfo> retained = store.snapshots();
            assertEquals(StoreOptions.DEFAULT_RETAINED_SNAPSHOTS, retained.size());
            newest = retained.get(0).generation();
            oldest = retained.get(retained.size() - 1).generation();
            before = Files.readAllBytes(manifest(oldest));
            final Object inode = Files.getAttribute(manifest(oldest), "unix:ino");
            put(store, 4, 0);
            final long recycling = store.snapshot().generation();
            assertEquals(newest + 1, recycling);
            assertEquals(inode, Files.getAttribute(manifest(recycling), "unix:ino"), "the commit recycled the file");
            after = Files.readAllBytes(manifest(recycling));
            Files.delete(manifest(recycling));
        }
        final int cut;
        final byte[] head;
        final byte[] tail;
        switch (tear)
        {
            case NEW_HEAD:
                cut = ManifestDescriptor.generationOffset(FormatVersion.CURRENT_MAJOR) + Long.BYTES;
                head = after;
                tail = before;
                break;
            case OLD_HEAD:
                cut = ManifestDescriptor.generationOffset(FormatVersion.CURRENT_MAJOR) + Long.BYTES;
                head = before;
                tail = after;
                break;
            default:
                cut = before.length / 2;
                head = after;
                tail = before;
                break;
        }
        // The file keeps the old length (the inode's size did not reach the disk) unless the new bytes reach further.
        final byte[] torn = Arrays.copyOf(tail, tear == Tear.OLD_HEAD ? after.length : before.length);
        System.arraycopy(head, 0, torn, 0, cut);
        assertFalse(Arrays.equals(torn, before) || Arrays.equals(torn, after));
        Files.write(manifest(oldest), torn);
    }

    @ParameterizedTest
    @EnumSource(Tear.class)
    void aTornRecycleIsNotDamage(final Tear tear) throws IOException
    {
        tornRecycle(tear);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .readOnly(true).build()))
        {
            assertEquals(newest, store.recoveryReport().restoredGeneration());
            assertTrue(store.recoveryReport().skippedSnapshots().isEmpty(), store.recoveryReport().toString());
            for (final boolean deep : new boolean[] {false, true})
            {
                final VerifyReport report = store.verify(deep);
                assertTrue(report.ok(), report.toString());
                assertEquals(1, report.warnings().size(), report.toString());
                assertTrue(report.warnings().get(0).what().startsWith("abandoned recycled manifest"),
                    report.toString());
                assertTrue(report.warnings().get(0).file().endsWith(ManifestDescriptor.fileName(oldest)),
                    report.toString());
            }
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(newest, store.recoveryReport().restoredGeneration());
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            assertEquals(5, store.size(), "the tail after the newest snapshot is replayed");
            assertTrue(Files.exists(manifest(oldest)), "the writer's open keeps the file, as any that fails");
            final VerifyReport before = store.verify(true);
            assertTrue(before.ok() && before.warnings().size() == 1, before.toString());
            put(store, 5, 0);
            final SnapshotInfo next = store.snapshot();
            assertFalse(Files.exists(manifest(oldest)), "the next snapshot retires it as the oldest");
            assertEquals(List.of(next.generation(), newest, newest - 1), generations(store));
            final VerifyReport after = store.verify(true);
            assertTrue(after.ok() && after.warnings().isEmpty(), after.toString());
        }
    }

    /**
     * With the oldest manifest pinned, a commit recycles the oldest unpinned one: torn by a power loss, that file is
     * no damage either, and the next snapshot retires it; the pinned manifest is never taken for a recycle, so damage
     * to it fails verify.
     */
    @Test
    void nextToAPinnedOldestTheOldestUnpinnedIsRecycledAndATornOneIsNoDamage() throws IOException
    {
        final long pinned;
        final long recycledName;
        final byte[] before;
        final byte[] after;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            snapshotFourTimes(store);
            pinned = generations(store).get(2);
            store.pin(pinned, "keep");
            assertEquals(4, generations(store).size(), "the newest three and the pinned one");
            recycledName = generations(store).get(2);
            before = Files.readAllBytes(manifest(recycledName));
            final Object inode = Files.getAttribute(manifest(recycledName), "unix:ino");
            put(store, 4, 0);
            final long recycling = store.snapshot().generation();
            assertEquals(inode, Files.getAttribute(manifest(recycling), "unix:ino"), "the oldest unpinned one's file");
            assertTrue(Files.exists(manifest(pinned)));
            after = Files.readAllBytes(manifest(recycling));
            Files.delete(manifest(recycling));
        }
        final byte[] torn = before.clone();
        System.arraycopy(after, 0, torn, 0, ManifestDescriptor.generationOffset(FormatVersion.CURRENT_MAJOR) +
            Long.BYTES);
        Files.write(manifest(recycledName), torn);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            final VerifyReport report = store.verify(false);
            assertTrue(report.ok(), report.toString());
            assertEquals(1, report.warnings().size(), report.toString());
            assertTrue(report.warnings().get(0).file().endsWith(ManifestDescriptor.fileName(recycledName)),
                report.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            put(store, 5, 0);
            store.snapshot();
            assertFalse(Files.exists(manifest(recycledName)), "the next snapshot retires it");
            assertTrue(Files.exists(manifest(pinned)));
            assertTrue(store.verify(false).ok() && store.verify(false).warnings().isEmpty());
        }
        StoreFiles.flip(manifest(pinned), ManifestDescriptor.ENTRY_COUNT_OFFSET, 0x01);
        assertManifestDamaged(pinned);
    }

    @Test
    void aDamagedNewestManifestStillFailsVerify() throws IOException
    {
        tornRecycle(Tear.NEW_HEAD);
        StoreFiles.flip(manifest(newest), ManifestDescriptor.ENTRY_COUNT_OFFSET, 0x01);
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .readOnly(true).build()))
        {
            final VerifyReport report = store.verify(false);
            assertFalse(report.ok(), report.toString());
            assertTrue(report.problems().stream().anyMatch(p -> p.file().endsWith(ManifestDescriptor.fileName(newest))),
                report.toString());
        }
    }

    @Test
    void anOldestManifestNamingAnotherGenerationIsDamage() throws IOException
    {
        tornRecycle(Tear.OLD_HEAD);
        // Neither its own generation (old bytes) nor a newer one than every manifest (the recycling commit's).
        rewriteLong(manifest(oldest), ManifestDescriptor.generationOffset(FormatVersion.CURRENT_MAJOR), newest - 1);
        assertManifestDamaged(oldest);
    }

    @Test
    void aDamagedOldestManifestWithOneNewerIsDamage() throws IOException
    {
        // A commit recycles only with three manifests retained: with two, a damaged oldest is no recycle.
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            put(store, 0, 0);
            store.snapshot();
            assertEquals(2, store.snapshots().size());
            oldest = store.snapshots().get(1).generation();
        }
        StoreFiles.flip(manifest(oldest), ManifestDescriptor.ENTRY_COUNT_OFFSET, 0x01);
        assertManifestDamaged(oldest);
    }

    private void assertManifestDamaged(final long generation)
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().backgroundCompaction(false)
            .readOnly(true).build()))
        {
            final VerifyReport report = store.verify(false);
            assertFalse(report.ok(), report.toString());
            assertTrue(report.problems().get(0).file().endsWith(ManifestDescriptor.fileName(generation)),
                report.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertTrue(Files.exists(manifest(generation)), "the writer's open keeps a damaged manifest for verify");
            assertFalse(store.verify(false).ok());
        }
    }

    private static void rewriteLong(final Path file, final int offset, final long value) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
        Files.write(file, bytes);
    }

    /** Puts entries 0..3, a snapshot after each: the creation's manifest and four more, three retained. */
    private static void snapshotFourTimes(final MemoryStore store)
    {
        for (int i = 0; i < 4; i++)
        {
            put(store, i, 0);
            store.snapshot();
        }
    }

    private static List<Long> generations(final MemoryStore store)
    {
        return store.snapshots().stream().map(SnapshotInfo::generation).collect(Collectors.toList());
    }

    private Path manifest(final long generation)
    {
        return dir.resolve(ManifestDescriptor.fileName(generation));
    }
}
