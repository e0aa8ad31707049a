package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A full disk where records wait in the write buffer: the write, batch, sync or snapshot that must hand them to the
 * file fails with {@link StoreIoException} and writes nothing of its own; what the buffer held stays readable and is
 * handed over by the first hand-off after space came back, and a reopen then finds every write.
 */
class WriteBufferFullDiskTest
{
    private static final int BUFFER = StoreOptions.MIN_WRITE_BUFFER_BYTES;

    @TempDir
    Path dir;

    private static StoreOptions options(final Durability durability)
    {
        return StoreOptions.builder().backgroundCompaction(false).dimension(DIMENSION).segmentSize(1 << 20)
            .durability(durability).writeBufferBytes(BUFFER).build();
    }

    @Test
    void bufferedWritesWaitForSpaceAndStayReadable()
    {
        final DiskFullFileSystem disk = new DiskFullFileSystem();
        int n = 0;
        try (MemoryStore store = MemoryStore.open(dir, options(Durability.BUFFERED), disk))
        {
            store.snapshot();
            disk.fill();
            StoreIoException full = null;
            while (full == null && n < 10_000) // the buffer fills within a few hundred writes
            {
                try
                {
                    put(store, n, 0);
                    n++;
                }
                catch (final StoreIoException ex)
                {
                    full = ex;
                }
            }
            assertNotNull(full, "no write had to hand the buffer off");
            final long last = store.lastSequence();
            assertEquals(n, store.size(), "the write that failed is not applied");
            assertThrows(StoreIoException.class, store::sync);
            assertThrows(StoreIoException.class, () -> store.snapshot());
            assertEquals(last, store.lastSequence());
            for (int i = 0; i < n; i++)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0), id(i));
            }
            disk.free();
            put(store, n, 0);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, options(Durability.BUFFERED)))
        {
            assertTrue(store.recoveryReport().clean(), store.recoveryReport().toString());
            assertEquals(n + 1, store.size());
            for (int i = 0; i <= n; i++)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0), id(i));
            }
            assertTrue(store.verify(true).ok());
        }
    }

    @Test
    void aBatchThatCannotBeHandedOffIsAppliedAndHandedOffLater()
    {
        final DiskFullFileSystem disk = new DiskFullFileSystem();
        final int count = 40; // less than the buffer: the only hand-off is the one at the end of the batch
        try (MemoryStore store = MemoryStore.open(dir, options(Durability.ON_SYNC), disk))
        {
            store.snapshot();
            final WriteBatch batch = new WriteBatch();
            for (int i = 0; i < count; i++)
            {
                batch.put(id(i), vector(i, 0), importance(i, 0), storedAt(i, 0), metadata(i, 0));
            }
            disk.fill();
            final StoreIoException ex = assertThrows(StoreIoException.class, () -> store.write(batch));
            assertTrue(ex.getMessage().contains("applied and readable but could not be handed to the file"),
                ex.getMessage());
            assertEquals(count, store.size());
            assertThrows(StoreIoException.class, () -> put(store, count, 0), "a write behind it hands off first");
            assertEquals(count, store.size());
            disk.free();
            put(store, count, 0); // hands off the batch, then itself
        }
        try (MemoryStore store = MemoryStore.open(dir, options(Durability.ON_SYNC)))
        {
            for (int i = 0; i <= count; i++)
            {
                assertTrue(matches(store.get(id(i)).orElseThrow(), i, 0), id(i));
            }
        }
    }
}
