package io.memsnap;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/** verify() passes a sound store and names the file and offset of a flipped byte in a record or an index page. */
class VerifyTest
{
    @TempDir
    Path dir;

    /** No background compaction: the counts of records verified are exact, and its copies would add to them. */
    private final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).segmentSize(128 * 1024)
        .backgroundCompaction(false).build();

    private void build()
    {
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < 2_000; i++)
            {
                put(store, i, 0);
            }
            store.putState("s", new byte[] {1});
            store.checkpoint();
            store.snapshot();
            for (int i = 0; i < 500; i++)
            {
                put(store, i, 1);
            }
            store.checkpoint(); // the overwritten versions are not touched again at open
            store.snapshot();
        }
    }

    @Test
    void soundStorePasses()
    {
        build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final VerifyReport report = store.verify(true);
            assertTrue(report.ok(), report.toString());
            assertEquals(2_500 + 1, report.records());
            assertEquals(2_001, report.entries());
            assertTrue(report.indexPages() > 10);
            assertEquals(3, report.manifests());
        }
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertTrue(store.verify(true).ok());
        }
    }

    @Test
    void deepVerifyFindsAFlippedByteInAnOldRecord() throws IOException
    {
        build();
        // Record 1 (version 0 of entry 0) was overwritten: no read touches it any more, only deep verify.
        final int offset = SegmentDescriptor.HEADER_LENGTH + RecordDescriptor.HEADER_LENGTH;
        flip(dir.resolve(SegmentDescriptor.fileName(1)), offset);
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            assertTrue(store.verify(false).ok(), "shallow verify does not read records");
            final VerifyReport report = store.verify(true);
            assertFalse(report.ok());
            final VerifyReport.Problem first = report.problems().get(0);
            assertTrue(first.file().endsWith(SegmentDescriptor.fileName(1)), first.toString());
            assertEquals(SegmentDescriptor.HEADER_LENGTH, first.offset());
            assertTrue(first.what().contains("checksum"), first.what());
        }
    }

    @Test
    void verifyFindsAFlippedByteInAnIndexPage() throws IOException
    {
        build();
        flip(dir.resolve(IndexPageDescriptor.FILE_NAME), 2L * IndexPageDescriptor.PAGE_SIZE + 100);
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final VerifyReport report = store.verify(false);
            assertFalse(report.ok());
            assertEquals(2L * IndexPageDescriptor.PAGE_SIZE, report.problems().get(0).offset());
        }
    }

    /**
     * A snapshot's manifest holds the CRC32C of the log range it flushed (the writer computes it as it appends). A
     * flipped byte in a record's alignment padding escapes the record's own checksum but not that one.
     */
    @Test
    void deepVerifyChecksTheRangeEachSnapshotFlushed() throws IOException
    {
        build();
        final ManifestStore manifests = new ManifestStore(io.memsnap.internal.fs.StoreFileSystem.real(), dir);
        final Manifest newest = manifests.read(manifests.generations().get(0));
        long target = -1;
        Path segment = null;
        for (final Manifest.FileEntry e : newest.segments)
        {
            if (e.flushedFrom >= e.committedLength)
            {
                continue;
            }
            segment = dir.resolve(SegmentDescriptor.fileName(e.segmentId));
            final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
            for (int offset = e.flushedFrom; offset < e.committedLength && target < 0; )
            {
                final int length = b.getInt(offset + RecordDescriptor.LENGTH_OFFSET);
                if (length % RecordDescriptor.ALIGNMENT != 0)
                {
                    target = offset + length;
                }
                offset += RecordDescriptor.alignedLength(length);
            }
            if (target >= 0)
            {
                break;
            }
        }
        assertTrue(target > 0, "the fixture should have a padded record in the newest snapshot's range");
        flip(segment, target);
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final VerifyReport report = store.verify(true);
            assertFalse(report.ok());
            assertEquals(1, report.problems().size(), report.toString());
            final VerifyReport.Problem problem = report.problems().get(0);
            assertTrue(problem.what().contains("flushed do not match"), problem.what());
            assertTrue(problem.file().endsWith(segment.getFileName().toString()), problem.toString());
        }
    }

    static void flip(final Path file, final long offset) throws IOException
    {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.seek(offset);
            final int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x5A);
        }
    }
}
