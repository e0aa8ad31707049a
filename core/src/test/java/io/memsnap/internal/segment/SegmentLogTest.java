package io.memsnap.internal.segment;

import io.memsnap.CorruptStoreException;
import io.memsnap.StoreOptions;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link SegmentLog#buffer} resolves a segment id: in the table, during the grace period of a segment taken out
 * of it, and never after, when the id is not one a reader can have found: a typed error naming the file.
 */
class SegmentLogTest
{
    private static final int LENGTH = StoreOptions.MIN_SEGMENT_SIZE;

    @TempDir
    Path dir;

    private SegmentLog log;

    @AfterEach
    void unmap()
    {
        if (log != null)
        {
            log.unmapAll();
        }
    }

    @Test
    void aSegmentPastItsGracePeriodIsATypedErrorNamingItsFile() throws IOException
    {
        final Segment first = Segment.create(StoreFileSystem.real(), dir, 1, LENGTH, 1, false);
        final Segment tail = Segment.create(StoreFileSystem.real(), dir, 2, LENGTH, 1, false);
        log = new SegmentLog(StoreFileSystem.real(), dir, LENGTH, false, new Segment[] {null, first, tail});
        log.resume(2, SegmentDescriptor.HEADER_LENGTH, 1, new int[] {0, SegmentDescriptor.HEADER_LENGTH, 0});
        assertSame(first.buffer(), log.buffer(1));

        assertSame(first, log.remove(1));
        assertSame(first.buffer(), log.buffer(1), "a reader that found an address before the removal resolves it");

        log.forget(first);
        first.unmap();
        final CorruptStoreException past = assertThrows(CorruptStoreException.class, () -> log.buffer(1));
        assertEquals(dir.resolve(SegmentDescriptor.fileName(1)), past.file());
        assertTrue(past.getMessage().contains("segment 1,"), past.getMessage());

        final CorruptStoreException never = assertThrows(CorruptStoreException.class, () -> log.buffer(7));
        assertEquals(dir.resolve(SegmentDescriptor.fileName(7)), never.file());
    }
}
