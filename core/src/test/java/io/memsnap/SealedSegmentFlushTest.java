package io.memsnap;

import io.memsnap.crash.CrashMode;
import io.memsnap.crash.CrashModel;
import io.memsnap.crash.InterceptingFileSystem;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.segment.Writeback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.matches;
import static io.memsnap.TestEntries.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments the writer rolled past are flushed once by the write-back thread and marked durable; a {@code sync()} or
 * a snapshot then flushes only the segments that are not (the tail, and any sealed segment whose write-back flush has
 * not completed), and what it acknowledged survives a power cut that keeps only what was flushed.
 */
class SealedSegmentFlushTest
{
    /** About 600 bytes a record: some 100 records a 64 KiB segment. */
    private static final int ENTRIES = 800;

    @TempDir
    Path dir;

    /** Small segments that roll often; a write-back threshold the puts never reach, so only sealing flushes. */
    private static StoreOptions options(final Durability durability)
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .durability(durability).writebackBytes(Integer.MAX_VALUE).backgroundCompaction(false)
            .checkpointRecords(Long.MAX_VALUE).build();
    }

    @Test
    void aSyncAfterRollsFlushesOnlyTheSegmentsTheWritebackHasNotMadeDurable() throws Exception
    {
        for (final Durability durability : List.of(Durability.ON_SYNC, Durability.BUFFERED))
        {
            final Path store = dir.resolve(durability.name());
            final Thread caller = Thread.currentThread();
            final InterceptingFileSystem disk = new InterceptingFileSystem();
            final Set<String> byWriteback = ConcurrentHashMap.newKeySet();
            final Set<String> byCaller = ConcurrentHashMap.newKeySet();
            disk.beforeForce(".seg", file -> forcedBy(file, caller, byWriteback, byCaller));
            try (MemoryStore s = MemoryStore.open(store, options(durability), disk))
            {
                for (int i = 0; i < ENTRIES; i++)
                {
                    put(s, i, 0);
                }
                final List<String> segments = segmentFiles(store);
                assertTrue(segments.size() >= 5, "the puts rolled the log: " + segments);
                final List<String> sealed = segments.subList(0, segments.size() - 1);
                awaitIdleAfter(store, byWriteback, sealed);
                byCaller.clear();
                s.sync();
                assertEquals(Set.of(segments.get(segments.size() - 1)), byCaller,
                    durability + ": sync() flushed the tail alone; the write-back made " + sealed + " durable");

                for (int i = ENTRIES; i < 2 * ENTRIES; i++)
                {
                    put(s, i, 0);
                }
                final List<String> more = segmentFiles(store);
                awaitIdleAfter(store, byWriteback, more.subList(0, more.size() - 1));
                byCaller.clear();
                s.snapshot();
                assertEquals(Set.of(more.get(more.size() - 1)), byCaller,
                    durability + ": the snapshot flushed the tail alone");
            }
            try (MemoryStore reopened = MemoryStore.open(store, options(durability)))
            {
                assertEquals(2 * ENTRIES, reopened.size());
                for (int i = 0; i < 2 * ENTRIES; i += 37)
                {
                    assertTrue(matches(reopened.get(TestEntries.id(i)).orElseThrow(), i, 0), "entry " + i);
                }
            }
        }
    }

    @Test
    void aSealedSegmentWhoseWritebackFlushHasNotCompletedIsFlushedBySync() throws Exception
    {
        final Thread caller = Thread.currentThread();
        final InterceptingFileSystem disk = new InterceptingFileSystem();
        final CountDownLatch release = new CountDownLatch(1);
        final Set<String> byCaller = ConcurrentHashMap.newKeySet();
        disk.beforeForce(".seg", file ->
        {
            if (Thread.currentThread().getName().startsWith(Writeback.THREAD_PREFIX))
            {
                try
                {
                    release.await(30, TimeUnit.SECONDS); // a disk that stalls the write-back's flush
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            else if (Thread.currentThread() == caller)
            {
                byCaller.add(file.getFileName().toString());
            }
        });
        try (MemoryStore s = MemoryStore.open(dir, options(Durability.ON_SYNC), disk))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                put(s, i, 0);
            }
            final List<String> segments = segmentFiles(dir);
            assertTrue(segments.size() >= 5, "the puts rolled the log: " + segments);
            s.sync();
            assertEquals(new TreeSet<>(segmentFiles(dir)), new TreeSet<>(byCaller),
                "sync() flushed every segment whose write-back flush had not completed, and the tail");
            release.countDown();
        }
        finally
        {
            release.countDown();
        }
    }

    /**
     * The store's crash model: after a {@code sync()} that left the sealed segments to the write-back's flushes, a
     * power cut that keeps only what was flushed keeps every write the sync acknowledged.
     */
    @Test
    void whatASyncAcknowledgedAfterTheWritebackFlushedTheSealedSegmentsSurvivesAPowerCut() throws Exception
    {
        final Path root = dir.resolve("root");
        Files.createDirectories(root);
        final RecordingFileSystem fs = new RecordingFileSystem(root);
        final Thread caller = Thread.currentThread();
        final InterceptingFileSystem disk = new InterceptingFileSystem(fs);
        final Set<String> byWriteback = ConcurrentHashMap.newKeySet();
        final Set<String> byCaller = ConcurrentHashMap.newKeySet();
        disk.beforeForce(".seg", file -> forcedBy(file, caller, byWriteback, byCaller));
        final Path store = root.resolve("store");
        try (MemoryStore s = MemoryStore.open(store, options(Durability.BUFFERED), disk))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                put(s, i, 0);
            }
            final List<String> segments = segmentFiles(store);
            assertTrue(segments.size() >= 5, "the puts rolled the log: " + segments);
            awaitIdleAfter(store, byWriteback, segments.subList(0, segments.size() - 1));
            byCaller.clear();
            s.sync();
            fs.acknowledge(s.lastSequence());
            assertEquals(Set.of(segments.get(segments.size() - 1)), byCaller, "sync() flushed the tail alone");
            for (int i = ENTRIES; i < ENTRIES + 50; i++)
            {
                put(s, i, 1); // not synced: a power cut may lose them
            }
            WritebackIdle.await(store);
            final CrashModel model = new CrashModel(fs.journal());
            while (model.hasNext())
            {
                model.advance();
            }
            final Path cut = dir.resolve("cut");
            model.crashState(CrashMode.NOTHING, new Random(1)).writeTo(cut);
            try (MemoryStore reopened = MemoryStore.open(cut.resolve("store"), options(Durability.BUFFERED)))
            {
                for (int i = 0; i < ENTRIES; i++)
                {
                    assertTrue(matches(reopened.get(TestEntries.id(i)).orElseThrow(), i, 0), "entry " + i);
                }
            }
        }
    }

    /** Notes the flush of {@code file} by the write-back thread, or by {@code caller} (the test's thread). */
    private static void forcedBy(final Path file, final Thread caller, final Set<String> byWriteback,
        final Set<String> byCaller)
    {
        final Thread t = Thread.currentThread();
        if (t.getName().startsWith(Writeback.THREAD_PREFIX))
        {
            byWriteback.add(file.getFileName().toString());
        }
        else if (t == caller)
        {
            byCaller.add(file.getFileName().toString());
        }
    }

    /**
     * @return the names of the started segment files of {@code store}, in id order (not the file made ahead for the
     * next roll, which has no header yet): the last is the tail.
     */
    private static List<String> segmentFiles(final Path store) throws Exception
    {
        try (Stream<Path> files = Files.list(store))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(SegmentDescriptor.FILE_SUFFIX))
                .filter(StoreFiles::isStartedSegment).map(p -> p.getFileName().toString()).sorted()
                .collect(Collectors.toList());
        }
    }

    /** Waits until the write-back flushed each of {@code sealed} and went idle (so it marked each durable). */
    private static void awaitIdleAfter(final Path store, final Set<String> flushed, final List<String> sealed)
        throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!flushed.containsAll(sealed) && System.nanoTime() < deadline)
        {
            Thread.sleep(2);
        }
        assertTrue(flushed.containsAll(sealed), "the write-back flushed " + flushed + " of " + sealed);
        WritebackIdle.await(store);
    }
}
