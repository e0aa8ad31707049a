package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves, on a real file system that really runs out of space (a small tmpfs, filled with a filler file), that a
 * full disk is a typed {@link StoreIoException} and never a crash: a snapshot commits into a slot of manifests.mss
 * whose block was allocated when the file was made, so it needs no space; one that must grow that file (every slot
 * holds a snapshot retention keeps) fails to its caller, leaves the previous snapshot intact on disk (it still opens
 * read-only, unchanged) and the store usable (reads go on); a put whose record needs space fails with the same
 * exception and changes nothing, and an index checkpoint that needs the file to grow fails alone; once the filler is
 * gone the next put, checkpoint and snapshot succeed, and reopening restores every write.
 *
 * <p>Segments are sparse by default: a put fails as soon as its record needs a block the segment does not have yet
 * (a positional write that gets ENOSPC; it would be a SIGBUS if records were stored through a mapping of the hole).
 * With {@code preallocate} the segment's blocks were written when it was created, so puts into it go on and only a
 * put that needs a new segment fails.
 *
 * <p>Each test runs on a real tmpfs ({@code mount -t tmpfs}, which needs root; that run is skipped, and says so,
 * where the mount is refused), and on the store's file-system seam with a {@link DiskFullFileSystem}, which refuses
 * every write that needs a block a file does not have, as a full disk does, and always runs.
 */
class SnapshotFailureTest
{
    private static final String TMPFS_SIZE = "24m";

    @TempDir
    Path dir;

    private Path mountPoint;
    private boolean mounted;
    private Path filler;
    private DiskFullFileSystem seam;
    private final PreparerWatch preparer = new PreparerWatch();

    /** @return the directory the store goes in, on a disk that {@link #fill()} fills. */
    private Path disk(final String kind) throws Exception
    {
        if (kind.equals("seam"))
        {
            seam = new DiskFullFileSystem();
            return dir;
        }
        mountPoint = dir.resolve("tmpfs");
        Files.createDirectories(mountPoint);
        final String output = run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", mountPoint.toString());
        mounted = output == null;
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (the run on the seam covers it): " + output);
        filler = mountPoint.resolve("filler");
        return mountPoint;
    }

    /** The disk, watched for the files the store's preparer makes ahead ({@link #rollToAFreshSegment} waits for one). */
    private StoreFileSystem fs()
    {
        final HookedFileSystem watched = new HookedFileSystem(seam != null ? seam : StoreFileSystem.real());
        watched.hook(preparer);
        return watched;
    }

    private void fill() throws IOException
    {
        if (seam != null)
        {
            seam.fill();
        }
        else
        {
            fillFile(filler);
        }
    }

    private void free() throws IOException
    {
        if (seam != null)
        {
            seam.free();
        }
        else
        {
            Files.delete(filler);
        }
    }

    @AfterEach
    void unmountTmpfs() throws Exception
    {
        if (mounted && run("umount", mountPoint.toString()) != null)
        {
            assertNull(run("umount", "-l", mountPoint.toString()), "could not unmount " + mountPoint);
        }
    }

    @ParameterizedTest(name = "{0}, {1} segments")
    @CsvSource({"tmpfs, sparse", "seam, sparse", "tmpfs, preallocated", "seam, preallocated"})
    void onAFullDiskASnapshotCommitsIntoItsSlotAndOneThatNeedsSpaceFailsWithStoreIoException(final String kind,
        final String segments) throws Exception
    {
        final Path storeDir = disk(kind).resolve("store");
        final boolean preallocated = segments.equals("preallocated");
        final StoreOptions options = options().toBuilder().preallocate(preallocated).build();
        final Map<Integer, Long> expected = new HashMap<>();
        final SnapshotInfo first;
        final SnapshotInfo recovered;
        try (MemoryStore store = MemoryStore.open(storeDir, options, fs()))
        {
            for (int i = 0; i < 1500; i++)
            {
                write(store, expected, i, 0);
            }
            first = store.snapshot();
            for (int i = 0; i < 1500; i += 7)
            {
                write(store, expected, i, 1);
            }
            for (int i = 3; i < 1500; i += 11)
            {
                assertTrue(store.delete(id(i)));
                expected.remove(i);
            }
            rollToAFreshSegment(store, storeDir);
            assertEquals(preallocated, newestSegmentIsPreallocated(storeDir));
            final List<String> filesBefore = fileNames(storeDir);

            fill();

            // The records are written, and the slot the commit writes had its block when manifests.mss was made: a
            // snapshot needs no space.
            final SnapshotInfo onFullDisk = store.snapshot();
            assertEquals(expected.size(), onFullDisk.entryCount());
            assertEquals(filesBefore, fileNames(storeDir), "no file added");
            assertHolds(store, expected);
            // One that must grow manifests.mss (every slot holds a snapshot retention keeps) needs a block: it fails,
            // typed, and the one before it stays.
            store.pin(first.generation(), "keep");
            SnapshotInfo committed = store.lastSnapshot();
            StoreIoException failed = null;
            for (int i = 0; i < 4 && failed == null; i++)
            {
                try
                {
                    committed = store.snapshot();
                }
                catch (final StoreIoException ex)
                {
                    failed = ex;
                }
            }
            assertNotNull(failed, "no snapshot needed a new slot");
            assertNoSpace(failed);
            assertTrue(failed.getMessage().contains("snapshot " + committed.generation() + " is intact"),
                failed.getMessage());
            assertEquals(committed.generation(), store.lastSnapshot().generation());
            assertFirstSnapshotIntact(storeDir, first);
            assertHolds(store, expected);

            try
            {
                assertTrue(store.delete(id(0)), "a delete goes on where its record fits the blocks the segment has");
                expected.remove(0);
            }
            catch (final StoreIoException ex)
            {
                assertFalse(preallocated, "a delete must fit the preallocated segment");
                assertNoSpace(ex);
            }

            // Preallocated, the current segment and the next one, made ahead before the disk filled, have their
            // blocks: writing into them needs no space, and only a put that needs a file not made yet fails. Sparse,
            // a put fails once its record needs a block the segment lacks.
            int accepted = 0;
            long acceptedBytes = 0;
            int refused = -1;
            for (int i = 1500; i < 5000 && refused < 0; i++)
            {
                try
                {
                    write(store, expected, i, 0);
                    accepted++;
                    acceptedBytes += recordBytes(i, 0);
                }
                catch (final StoreIoException ex)
                {
                    assertNoSpace(ex);
                    refused = i;
                }
            }
            if (preallocated)
            {
                assertTrue(acceptedBytes > DiskFullFileSystem.BLOCK, "puts into the preallocated segment must go on " +
                    "(" + accepted + " did)");
            }
            else
            {
                assertTrue(acceptedBytes < DiskFullFileSystem.BLOCK, "a put into a hole of the sparse segment must " +
                    "fail: " + accepted + " puts of " + acceptedBytes + " bytes went on");
            }
            assertTrue(refused > 0, "a put that needs space must fail on a full disk");
            assertTrue(store.get(id(refused)).isEmpty(), "the refused put left nothing");
            assertThrows(StoreIoException.class, store::snapshot, "it still needs a new slot");
            final int again = refused;
            assertThrows(StoreIoException.class, () -> put(store, again, 0));
            assertHolds(store, expected);
            assertFirstSnapshotIntact(storeDir, first);

            free();

            write(store, expected, refused, 0);
            store.checkpoint(); // so that the reopen below replays only what follows
            recovered = store.snapshot();
            assertTrue(recovered.generation() > first.generation());
            assertEquals(expected.size(), recovered.entryCount());
            write(store, expected, refused + 1, 0);
            write(store, expected, 1, 2);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options, fs()))
        {
            assertEquals(recovered.generation(), store.recoveryReport().restoredGeneration());
            assertEquals(2, store.recoveryReport().replayedRecords());
            assertHolds(store, expected);
            // The snapshot after the failed one flushed from the last committed point again, a range the writer's
            // running checksum did not cover whole: its manifest's checksum of that range must still hold.
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
        }
        assertFirstSnapshotIntact(storeDir, first);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tmpfs", "seam"})
    void anIndexCheckpointThatCannotGrowTheFileFailsAloneAndSucceedsOnceSpaceIsBack(final String kind)
        throws Exception
    {
        final Path storeDir = disk(kind).resolve("store");
        final Path indexFile = storeDir.resolve("index.msi");
        final int keys = 3000;
        final long[] versions = new long[keys];
        final SnapshotInfo before;
        // Preallocated segments, so that only the index needs space while the disk is full.
        final StoreOptions options = options().toBuilder().preallocate(true).build();
        try (MemoryStore store = MemoryStore.open(storeDir, options, fs()))
        {
            for (int i = 0; i < keys; i++)
            {
                putSmall(store, i, 0);
            }
            rollToAFreshSegment(store, storeDir);
            store.checkpoint();
            before = store.snapshot();
            final long indexLength = Files.size(indexFile);

            fill();

            // Every put copies the path it changes (root, directory page, bucket) to new pages, held in memory until
            // a checkpoint writes them: the file must grow then, and cannot. The checkpoint fails, typed; puts and
            // reads go on; the durable checkpoint and the file stay as they were.
            for (int i = 0; i < keys; i += 7)
            {
                putSmall(store, i, ++versions[i]);
            }
            final StoreIoException refused = assertThrows(StoreIoException.class, store::checkpoint);
            assertNoSpace(refused);
            assertTrue(refused.getMessage().contains("index checkpoint"), refused.getMessage());
            for (int i = 1; i < keys; i += 7)
            {
                putSmall(store, i, ++versions[i]);
            }
            assertHoldsSmall(store, versions);

            free();

            // The failed checkpoint was not published: a snapshot still names the one before it.
            assertEquals(before.checkpointSequence(), store.snapshot().checkpointSequence());
            store.checkpoint();
            assertTrue(Files.size(indexFile) > indexLength, "the index grew once space was back");
            store.snapshot();
            putSmall(store, 7, ++versions[7]);
            assertHoldsSmall(store, versions);
        }
        try (MemoryStore store = MemoryStore.open(storeDir, options, fs()))
        {
            assertHoldsSmall(store, versions);
            assertEquals(1, store.recoveryReport().replayedRecords(), "opened from the checkpoint written late");
            assertTrue(store.verify(true).ok(), store.verify(true).toString());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static StoreOptions options()
    {
        // No background compaction: its copies would take the space the test counts on.
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(256 * 1024).backgroundCompaction(false).build();
    }

    private static void write(final MemoryStore store, final Map<Integer, Long> expected, final int n,
        final long version)
    {
        put(store, n, version);
        expected.put(n, version);
    }

    /** A 56-byte record: one non-zero whose value is the version, no metadata. */
    private static void putSmall(final MemoryStore store, final int n, final long version)
    {
        store.put("s" + n, SparseVector.of(new int[] {n}, new float[] {version}), 1.0f, n, null);
    }

    private static void assertHoldsSmall(final MemoryStore store, final long[] versions)
    {
        assertEquals(versions.length, store.size());
        for (int n = 0; n < versions.length; n++)
        {
            final MemoryEntry e = store.get("s" + n).orElseThrow(() -> new AssertionError("missing"));
            assertEquals(SparseVector.of(new int[] {n}, new float[] {versions[n]}), e.vector(), "s" + n);
        }
    }

    private static void assertHolds(final MemoryStore store, final Map<Integer, Long> expected)
    {
        assertEquals(expected.size(), store.size());
        for (int n = 0; n < 5000; n++)
        {
            final Long version = expected.get(n);
            if (version == null)
            {
                assertTrue(store.get(id(n)).isEmpty(), id(n) + " must be absent");
            }
            else
            {
                assertTrue(matches(store.get(id(n)).orElseThrow(), n, version), id(n) + " version " + version);
            }
        }
    }

    /** The snapshot taken before the failures still opens, read-only, exactly as it was taken. */
    private static void assertFirstSnapshotIntact(final Path storeDir, final SnapshotInfo first)
    {
        try (MemoryStore old = MemoryStore.open(storeDir,
            StoreOptions.builder().readOnly(true).generation(first.generation()).build()))
        {
            assertEquals(1500, old.size());
            for (int n = 0; n < 1500; n++)
            {
                assertTrue(matches(old.get(id(n)).orElseThrow(), n, 0), id(n));
            }
        }
    }

    /** @return the bytes of the record of {@link TestEntries#put}, aligned. */
    private static int recordBytes(final int n, final long version)
    {
        return RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(vector(n, version).nnz(),
            id(n).getBytes(StandardCharsets.UTF_8).length, metadata(n, version).length));
    }

    /**
     * Rolls the log into a new segment, writing a named state until it rolls, then waits for the file the preparer
     * makes for the roll after it: the tail segment then has room for the puts of a test (segments grow from 64 KiB:
     * where the tail stands in its segment depends on every write before).
     */
    private void rollToAFreshSegment(final MemoryStore store, final Path storeDir) throws IOException
    {
        final long segments = segmentCount(storeDir);
        while (segmentCount(storeDir) == segments)
        {
            store.putState("filler", new byte[16 * 1024]);
        }
        preparer.awaitNextOf(store);
    }

    /** @return the segment files the log started (not the one made ahead for its next roll). */
    private static long segmentCount(final Path storeDir) throws IOException
    {
        try (Stream<Path> files = Files.list(storeDir))
        {
            return files.filter(StoreFiles::isStartedSegment).count();
        }
    }

    private static void assertNoSpace(final StoreIoException ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause())
        {
            if (t instanceof IOException && String.valueOf(t.getMessage()).contains("No space left on device"))
            {
                return;
            }
        }
        fail("not a disk-full error", ex);
    }

    /**
     * @return whether the newest segment occupies disk blocks for its whole length (preallocated), not only for the
     * bytes written into it (sparse). Checks that the index file is not sparse: it grows by writes.
     */
    private static boolean newestSegmentIsPreallocated(final Path storeDir) throws Exception
    {
        final Path index = storeDir.resolve("index.msi");
        assertTrue(allocatedBytes(index) >= Files.size(index), "the index file is sparse");
        final Path newest;
        try (Stream<Path> files = Files.list(storeDir))
        {
            newest = files.filter(StoreFiles::isStartedSegment).max(Path::compareTo).orElseThrow();
        }
        return allocatedBytes(newest) >= Files.size(newest);
    }

    private static long allocatedBytes(final Path file) throws Exception
    {
        final String[] stat = runForOutput("stat", "-c", "%b %B", file.toString()).trim().split(" ");
        return Long.parseLong(stat[0]) * Long.parseLong(stat[1]);
    }

    private static List<String> fileNames(final Path storeDir) throws IOException
    {
        try (Stream<Path> files = Files.list(storeDir))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Writes a file until the file system refuses another byte. */
    private static void fillFile(final Path filler) throws IOException
    {
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            for (final int size : new int[] {1 << 20, 64 * 1024, 4096, 1})
            {
                final ByteBuffer chunk = ByteBuffer.allocate(size);
                try
                {
                    while (true)
                    {
                        chunk.clear();
                        while (chunk.hasRemaining())
                        {
                            channel.write(chunk);
                        }
                    }
                }
                catch (final IOException full)
                {
                    assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
                }
            }
        }
    }

    /** @return null on success, else what the command printed. */
    private static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return process.waitFor() == 0 ? null : String.join(" ", command) + ": " + output;
    }

    private static String runForOutput(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
        return output;
    }
}
