package io.memsnap;

import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Retention on real files: by count, by age, by pin (surviving many commits, reopens, read-only opens, going at the
 * unpin commit, expiring), at a writer's open, with the rules the store records; pins of snapshots that are not
 * retained are refused; recycling never reuses a pinned manifest's file. The rules themselves are tested with
 * explicit times in {@code RetentionPolicyTest}, a SIGKILL in {@code CrashTest} and power cuts in
 * {@code CrashStateExplorerTest}.
 */
class RetentionTest
{
    private static final long DAY = Duration.ofDays(1).toMillis();

    @TempDir
    Path dir;

    private static StoreOptions.Builder small()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(256 * 1024).preallocate(false);
    }

    /** Writes a new version of entries 0..9 and takes a snapshot. */
    private static SnapshotInfo step(final MemoryStore store, final long version)
    {
        for (int i = 0; i < 10; i++)
        {
            put(store, i, version);
        }
        return store.snapshot();
    }

    private List<Long> onDisk()
    {
        return Manifests.onDisk(dir);
    }

    private static List<Long> generations(final MemoryStore store)
    {
        return store.snapshots().stream().map(SnapshotInfo::generation).collect(Collectors.toList());
    }

    private static SnapshotInfo find(final MemoryStore store, final long generation)
    {
        return store.snapshots().stream().filter(s -> s.generation() == generation).findFirst().orElse(null);
    }

    /** Opens {@code generation} read-only and checks that it holds version {@code version} of entries 0..9. */
    private void assertHoldsVersion(final long generation, final long version)
    {
        try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).generation(generation)
            .build()))
        {
            assertEquals(10, old.size());
            for (int i = 0; i < 10; i++)
            {
                assertTrue(matches(old.get(id(i)).orElseThrow(), i, version), "entry " + i + " of " + generation);
            }
        }
    }

    @Test
    void theCountRuleKeepsTheNewestN() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(5).build()))
        {
            SnapshotInfo last = null;
            for (int v = 0; v < 10; v++)
            {
                last = step(store, v);
            }
            assertEquals(List.of("last-5"), last.retainedBecause());
            assertEquals(List.of(10L, 9L, 8L, 7L, 6L), onDisk());
            assertEquals(onDisk(), generations(store));
            for (final SnapshotInfo s : store.snapshots())
            {
                assertEquals(List.of("last-5"), s.retainedBecause(), s.toString());
                assertTrue(s.pinLabel().isEmpty());
            }
        }
    }

    @Test
    void anAgeLongerThanTheTestKeepsEverySnapshot() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(2)
            .retainedSnapshotAge(Duration.ofDays(3650)).build()))
        {
            for (int v = 0; v < 8; v++)
            {
                step(store, v);
            }
            assertEquals(9, onDisk().size(), "the creation's snapshot and eight more, all younger than ten years");
            final List<SnapshotInfo> all = store.snapshots();
            assertEquals(List.of("last-2", "age<3650d"), all.get(0).retainedBecause());
            assertEquals(List.of("age<3650d"), all.get(8).retainedBecause());
        }
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(2).build()))
        {
            assertEquals(2, onDisk().size(), "without the age rule, the open deletes all but the newest two");
        }
    }

    @Test
    void aZeroAgeKeepsOnlyWhatTheCountKeeps() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(2)
            .retainedSnapshotAge(Duration.ZERO).build()))
        {
            for (int v = 0; v < 5; v++)
            {
                step(store, v);
            }
            assertEquals(List.of(5L, 4L), onDisk());
            assertEquals(List.of("last-2"), store.snapshots().get(1).retainedBecause());
        }
    }

    @Test
    void aPinnedOldSnapshotSurvivesManyCommitsAndGoesWithTheUnpin() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            final long pinned = step(store, 100).generation();
            final SnapshotInfo info = store.pin(pinned, "before migration");
            assertEquals(pinned, info.generation());
            assertEquals(Optional.of("before migration"), info.pinLabel());
            assertTrue(info.pinExpiresAt().isEmpty());
            assertEquals(List.of("last-3", "pinned: before migration"), info.retainedBecause());
            for (int v = 0; v < 30; v++)
            {
                step(store, v);
            }
            assertTrue(onDisk().contains(pinned));
            assertEquals(4, onDisk().size(), "the newest three and the pinned one");
            assertEquals(List.of("pinned: before migration"), find(store, pinned).retainedBecause());
            assertHoldsVersion(pinned, 100);

            final long before = store.lastSnapshot().generation();
            assertTrue(store.unpin(pinned));
            assertEquals(before + 1, store.lastSnapshot().generation(), "an unpin is a commit");
            assertFalse(onDisk().contains(pinned), "retention after the unpin commit deleted it");
            assertNull(find(store, pinned));
            assertEquals(3, onDisk().size());
            assertFalse(store.unpin(pinned), "not pinned any more");
            assertEquals(before + 1, store.lastSnapshot().generation(), "nothing written");
        }
    }

    @Test
    void pinsSurviveReopensAndShowInReadOnlyOpens() throws IOException
    {
        final long pinned;
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            pinned = step(store, 7).generation();
            step(store, 8);
            store.pin(pinned, "rewind safety", Duration.ofDays(14));
        }
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            final SnapshotInfo s = find(reader, pinned);
            assertEquals(Optional.of("rewind safety"), s.pinLabel());
            assertTrue(s.pinExpiresAt().orElseThrow().isAfter(Instant.now().plus(Duration.ofDays(13))));
            assertTrue(s.retainedBecause().contains("pinned: rewind safety"), s.toString());
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            for (int v = 0; v < 10; v++)
            {
                step(store, v);
            }
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertEquals(Optional.of("rewind safety"), find(store, pinned).pinLabel());
            step(store, 11);
            assertEquals(List.of("pinned: rewind safety"), find(store, pinned).retainedBecause());
        }
        assertHoldsVersion(pinned, 7);
    }

    @Test
    void pinningASnapshotThatIsNotRetainedIsRefusedAndWritesNothing() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            for (int v = 0; v < 5; v++)
            {
                step(store, v);
            }
            final List<Long> before = onDisk();
            assertFalse(before.contains(0L));
            for (final long generation : new long[] {0, 2, 999})
            {
                final NoSuchSnapshotException ex = assertThrows(NoSuchSnapshotException.class,
                    () -> store.pin(generation, "too late"));
                assertTrue(ex.getMessage().contains("generation " + generation + " is not retained") &&
                    ex.getMessage().contains(before.toString()), ex.getMessage());
            }
            assertThrows(InvalidEntryException.class, () -> store.pin(5, "two\nlines"));
            assertThrows(InvalidEntryException.class, () -> store.pin(5, ""));
            assertThrows(IllegalArgumentException.class, () -> store.pin(5, "a", Duration.ZERO));
            assertEquals(before, onDisk(), "nothing committed");
            assertEquals(5, store.lastSnapshot().generation());
            assertTrue(store.snapshots().stream().allMatch(s -> s.pinLabel().isEmpty()));
        }
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertThrows(ReadOnlyStoreException.class, () -> reader.pin(5, "no"));
            assertThrows(ReadOnlyStoreException.class, () -> reader.unpin(5));
        }
    }

    /** The clock of the store is the test's: a pin keeps its snapshot up to its expiry, excluded. */
    @Test
    void aPinExpires() throws IOException
    {
        final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        try (MemoryStore store = MemoryStore.openWithWallClock(dir, small().build(), StoreFileSystem.real(), clock::get))
        {
            final long shortly = step(store, 1).generation();
            final long forever = step(store, 2).generation();
            final Instant expiry = store.pin(shortly, "an hour", Duration.ofHours(1)).pinExpiresAt().orElseThrow();
            assertEquals(clock.get() + Duration.ofHours(1).toMillis(), expiry.toEpochMilli());
            store.pin(forever, "for ever");
            for (int v = 0; v < 5; v++)
            {
                step(store, v);
            }
            clock.addAndGet(Duration.ofHours(1).toMillis() - 1);
            step(store, 9);
            assertEquals(List.of("pinned: an hour"), find(store, shortly).retainedBecause(), "a millisecond left");
            clock.incrementAndGet();
            final SnapshotInfo expired = find(store, shortly);
            assertEquals(List.of(), expired.retainedBecause(), "the next commit deletes it");
            assertTrue(expired.pinLabel().isEmpty());
            step(store, 10);
            assertFalse(onDisk().contains(shortly));
            assertEquals(Optional.of("for ever"), find(store, forever).pinLabel());
            assertFalse(store.unpin(shortly), "the expired pin was not carried forward");
        }
    }

    @Test
    void retentionRunsAtAWritersOpenWithTheRulesItIsGivenOrThoseTheStoreRecords() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().retainedSnapshots(6).build()))
        {
            for (int v = 0; v < 8; v++)
            {
                step(store, v);
            }
        }
        assertEquals(6, onDisk().size());
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
            .retainedSnapshots(2).build()))
        {
            assertEquals(6, reader.snapshots().size());
            assertTrue(reader.snapshots().stream().allMatch(s -> s.retainedBecause().equals(List.of("last-6"))),
                "a reader shows the writer's rules, recorded in the newest snapshot");
        }
        try (MemoryStore tool = MemoryStore.open(dir, small().retentionFromStore(true).build()))
        {
            assertEquals(6, onDisk().size(), "a tool keeps what the store's writer keeps");
            step(tool, 9);
            assertEquals(6, onDisk().size());
        }
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            assertEquals(List.of(9L, 8L, 7L), onDisk(), "the open applied its own rules before any write");
        }
    }

    /**
     * A pinned oldest snapshot's slot is never the one a commit writes: it keeps its slot and its bytes through many
     * commits, while commits go on writing the slots of the snapshots retention drops, and the slots file holds no
     * more than those kept and the next commit's.
     */
    @Test
    void commitsNeverWriteThePinnedSnapshotsSlot() throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            for (int v = 0; v < 3; v++)
            {
                step(store, v);
            }
            final long oldest = onDisk().get(onDisk().size() - 1);
            store.pin(oldest, "keep");
            final int pinnedSlot = Manifests.slotOf(dir, oldest);
            final Path slots = dir.resolve(ManifestSlotsDescriptor.FILE_NAME);
            final byte[] pinnedBytes = slotBytes(slots, pinnedSlot);
            final Set<Integer> written = new HashSet<>();
            for (int v = 0; v < 12; v++)
            {
                final long g = step(store, v).generation();
                written.add(Manifests.slotOf(dir, g));
                assertEquals(pinnedSlot, Manifests.slotOf(dir, oldest));
                assertArrayEquals(pinnedBytes, slotBytes(slots, pinnedSlot));
            }
            assertFalse(written.contains(pinnedSlot), "a commit wrote the pinned snapshot's slot");
            assertEquals(ManifestSlotsDescriptor.slotOffset(5), Files.size(slots), "the newest three, the pinned one " +
                "and the next commit's: the slots of the snapshots retention dropped were reused");
            final Set<Long> kept = new HashSet<>(onDisk());
            assertEquals(Set.of(oldest, 16L, 15L, 14L), kept);
        }
    }

    private static byte[] slotBytes(final Path slots, final int index)
    {
        final byte[] all = StoreFiles.read(slots);
        final int from = (int)ManifestSlotsDescriptor.slotOffset(index);
        return java.util.Arrays.copyOfRange(all, from, from + ManifestSlotsDescriptor.SLOT_LENGTH);
    }

    /**
     * A manifest whose pins extension is malformed (its checksum fixed) is damage: a writer refuses the store before
     * anything changes rather than take it for "no pins" and delete pinned snapshots, and verify reports it.
     */
    @Test
    void aMalformedPinsExtensionIsDamageNotNoPins() throws IOException
    {
        final long newest;
        try (MemoryStore store = MemoryStore.open(dir, small().build()))
        {
            final long pinned = step(store, 1).generation();
            store.pin(pinned, "keep");
            newest = store.lastSnapshot().generation();
        }
        final Path file = Manifests.fileOf(dir, newest);
        final Manifest m = Manifests.read(dir, newest);
        final byte[] body = m.extension(ManifestDescriptor.EXTENSION_PINS).body();
        body[PinsDescriptor.PIN_COUNT_OFFSET] = 7; // seven pins, one there
        Manifests.rewrite(dir, m.withExtension(new ManifestExtension(ManifestDescriptor.EXTENSION_PINS,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, body)));
        final Map<String, String> before = StoreFiles.fingerprint(dir);
        final CorruptStoreException ex = assertThrows(CorruptStoreException.class,
            () -> MemoryStore.open(dir, small().build()).close());
        assertTrue(ex.getMessage().contains("pins extension"), ex.getMessage());
        assertEquals(before, StoreFiles.fingerprint(dir), "refused before anything changed");
        try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            final VerifyReport report = reader.verify(false);
            assertFalse(report.ok(), report.toString());
            assertEquals(file.toString(), report.problems().get(0).file(), report.toString());
        }
    }

}
