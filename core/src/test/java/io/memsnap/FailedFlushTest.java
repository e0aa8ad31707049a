package io.memsnap;

import io.memsnap.crash.FaultyFileSystem;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.SegmentPreparer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A failed flush of a segment stops the writer: Linux may mark the pages it could not write clean, so a retried
 * flush would succeed and acknowledge records that never reached the disk. Every later write, sync and snapshot
 * throws until the store is reopened; a failed write (a full disk) does not stop it.
 */
class FailedFlushTest
{
    private static StoreOptions.Builder options()
    {
        return StoreOptions.builder().backgroundCompaction(false)
            .dimension(TestEntries.DIMENSION).checkpointRecords(Long.MAX_VALUE);
    }

    @Test
    void aFailedSegmentFlushStopsTheWriterUntilReopened(@TempDir final Path dir)
    {
        final FaultyFileSystem fs = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        final long acknowledged;
        try (MemoryStore store = MemoryStore.open(dir, options().build(), fs))
        {
            TestEntries.put(store, 1, 1);
            store.sync();
            acknowledged = store.lastSequence();
            TestEntries.put(store, 2, 1);
            fs.failNth(FaultyFileSystem.Op.FORCE, 1, FaultyFileSystem.IO_ERROR, false);
            assertThrows(StoreIoException.class, store::sync);
            assertTrue(fs.fired());
            fs.disarm();

            final StoreIoException again = assertThrows(StoreIoException.class, store::sync);
            assertTrue(again.getMessage().contains("open it again"), again.getMessage());
            assertThrows(StoreIoException.class, () -> TestEntries.put(store, 3, 1));
            assertThrows(StoreIoException.class, () -> store.delete(TestEntries.id(1)));
            assertThrows(StoreIoException.class, store::snapshot);
            assertTrue(store.contains(TestEntries.id(2)), "reads go on");
        }
        try (MemoryStore store = MemoryStore.open(dir, options().build()))
        {
            assertTrue(store.lastSequence() >= acknowledged);
            assertTrue(TestEntries.matches(store.get(TestEntries.id(1)).orElseThrow(), 1, 1));
            TestEntries.put(store, 3, 1);
            store.sync();
        }
    }

    @Test
    void aFailedWriteDoesNotStopTheWriter(@TempDir final Path dir)
    {
        final FaultyFileSystem fs = new FaultyFileSystem(StoreFileSystem.real()).sparing(SegmentPreparer.THREAD_PREFIX);
        try (MemoryStore store = MemoryStore.open(dir, options().build(), fs))
        {
            TestEntries.put(store, 1, 1);
            fs.failNth(FaultyFileSystem.Op.WRITE, 1, FaultyFileSystem.NO_SPACE, false);
            assertThrows(StoreIoException.class, store::snapshot);
            fs.disarm();
            TestEntries.put(store, 2, 1);
            store.snapshot();
            store.sync();
        }
    }
}
