package io.memsnap;

import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Consumer;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A write whose key points at a damaged record (the one it would replace or delete) throws
 * {@link CorruptStoreException} and leaves nothing in the log: the next sequence is unchanged, later writes work, and
 * the next open replays only those later writes instead of refusing the store or applying the failed one.
 */
class DamagedReplacedRecordTest
{
    private static final String KEY = "damaged";

    @TempDir
    Path dir;

    private final StoreOptions options = StoreOptions.builder().backgroundCompaction(false)
        .dimension(DIMENSION).segmentSize(128 * 1024).build();

    @Test
    void putOverADamagedEntryAppendsNothing()
    {
        damagedWriteAppendsNothing(s -> s.put(KEY, vector(1, 0)), s -> s.put(KEY, vector(1, 1)));
    }

    @Test
    void deleteOfADamagedEntryAppendsNothing()
    {
        damagedWriteAppendsNothing(s -> s.put(KEY, vector(1, 0)), s -> s.delete(KEY));
    }

    @Test
    void putStateOverADamagedStateAppendsNothing()
    {
        damagedWriteAppendsNothing(s -> s.putState(KEY, new byte[] {1, 2, 3}), s -> s.putState(KEY, new byte[] {4}));
    }

    @Test
    void deleteStateOfADamagedStateAppendsNothing()
    {
        damagedWriteAppendsNothing(s -> s.putState(KEY, new byte[] {1, 2, 3}), s -> s.deleteState(KEY));
    }

    /**
     * @param create writes the record of {@link #KEY}: the first record of a fresh store, so at the start of segment 1.
     * @param write  the write that meets it damaged.
     */
    private void damagedWriteAppendsNothing(final Consumer<MemoryStore> create, final Consumer<MemoryStore> write)
    {
        final long sequenceAfterFailure;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            create.accept(store);
            store.checkpoint(); // the next open maps the index and replays only what follows the record
            store.snapshot();
            // Damage the body of the record (its vector, or its key when it has none): its checksum no longer holds.
            StoreFiles.flip(dir.resolve(SegmentDescriptor.fileName(1)),
                SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH, 0x40);
            final long before = store.lastSequence();

            final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () -> write.accept(store));
            assertEquals(SegmentDescriptor.HEADER_LENGTH, ex.offset(), ex.getMessage());
            assertEquals(before, store.lastSequence(), "a write that threw must not be in the log");

            store.put("after", vector(2, 0));
            sequenceAfterFailure = store.lastSequence();
            assertEquals(before + 1, sequenceAfterFailure);
            store.sync();
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertEquals(1, store.recoveryReport().replayedRecords(), store.recoveryReport().toString());
            assertEquals(sequenceAfterFailure, store.lastSequence());
            assertTrue(store.contains("after"));
        }
    }
}
