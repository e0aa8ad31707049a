package io.memsnap;

import io.memsnap.internal.format.SegmentDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read-only reader of an old generation while the writer compacts past it, in this process and in another one:
 * it keeps reading exactly its snapshot, the segment files it mapped are not deleted while it is open (the writer
 * finds them pinned), and they are deleted at the writer's first snapshot after it closed.
 */
class ReaderPinTest
{
    private static final int ENTRIES = 300;

    @TempDir
    Path dir;

    private static StoreOptions writerOptions()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .backgroundCompaction(false).build();
    }

    @Test
    void readerInThisProcessKeepsItsSnapshotAndItsFiles() throws IOException
    {
        try (MemoryStore writer = MemoryStore.open(dir, writerOptions()))
        {
            final long generation = fill(writer);
            final MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                .generation(generation).build());
            final String before = digest(reader);
            final CompactionResult result = compactPast(writer);
            assertTrue(result.segmentsCompacted() > 0, result.toString());
            assertTrue(Files.exists(firstSegment()), "the reader's segment was deleted under it");
            assertTrue(writer.compact().bytesAwaitingDeletion() > 0, "pinned files await deletion");
            assertEquals(before, digest(reader), "the reader's snapshot changed");
            reader.close();
            writer.snapshot();
            assertFalse(Files.exists(firstSegment()), "a segment nothing needs survived the reader's close");
        }
    }

    @Test
    void readerInAnotherProcessKeepsItsSnapshotAndItsFiles() throws Exception
    {
        try (MemoryStore writer = MemoryStore.open(dir, writerOptions()))
        {
            final long generation = fill(writer);
            final String expected;
            try (MemoryStore own = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                .generation(generation).build()))
            {
                expected = digest(own);
            }
            final Process child = new ProcessBuilder(ChildJvm.command(List.of(), PinnedReaderChild.class,
                List.of(dir.toString(), Long.toString(generation)))).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)); Writer in = new OutputStreamWriter(child.getOutputStream(),
                StandardCharsets.UTF_8))
            {
                assertEquals("ready " + expected, out.readLine());
                compactPast(writer);
                assertTrue(Files.exists(firstSegment()), "the other process's segment was deleted under it");
                in.write("read\n");
                in.flush();
                assertEquals("read " + expected, out.readLine(), "the other process's snapshot changed");
                in.write("close\n");
                in.flush();
                assertEquals("closed", out.readLine());
                assertTrue(child.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, child.exitValue());
            }
            finally
            {
                child.destroyForcibly();
            }
            writer.snapshot();
            assertFalse(Files.exists(firstSegment()), "a segment nothing needs survived the reader's exit");
        }
    }

    /** Writes version 0 of every entry and snapshots: the generation the reader opens. */
    private static long fill(final MemoryStore writer)
    {
        for (int n = 0; n < ENTRIES; n++)
        {
            TestEntries.put(writer, n, 0);
        }
        return writer.snapshot().generation();
    }

    /**
     * Overwrites two entries in three twice (the third stays live in the old segments, which compaction then copies),
     * compacts, and snapshots until the reader's generation is retired.
     */
    private static CompactionResult compactPast(final MemoryStore writer)
    {
        for (int version = 1; version <= 2; version++)
        {
            for (int n = 0; n < ENTRIES; n++)
            {
                if (n % 3 != 0)
                {
                    TestEntries.put(writer, n, version);
                }
            }
        }
        final CompactionResult result = writer.compact();
        for (int i = 0; i < writer.options().retainedSnapshots() + 1; i++)
        {
            writer.snapshot();
        }
        return result;
    }

    private Path firstSegment()
    {
        return dir.resolve(SegmentDescriptor.fileName(1));
    }

    /** @return a SHA-256 of every entry of the store, in id order, with every field but the sequence number. */
    static String digest(final MemoryStore store)
    {
        final MessageDigest sha;
        try
        {
            sha = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        store.forEachInIdOrder(view ->
        {
            final MemoryEntry e = view.toEntry();
            sha.update(e.id().getBytes(StandardCharsets.UTF_8));
            final ByteBuffer b = ByteBuffer.allocate(16 + 8 * e.vector().nnz());
            b.putFloat(e.importance()).putLong(e.storedAtMillis()).putInt(e.vector().nnz());
            for (int i = 0; i < e.vector().nnz(); i++)
            {
                b.putInt(e.vector().indices()[i]).putFloat(e.vector().values()[i]);
            }
            sha.update(b.array());
            sha.update(e.metadata());
        });
        return store.size() + ":" + HexFormat.of().formatHex(sha.digest());
    }
}
