package io.memsnap.jcstress;

import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.memory.MemoryRegion;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import static io.memsnap.internal.format.IndexPageDescriptor.BODY_OFFSET;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@code IndexFile.checkpoint} writes a whole resident chunk to the file, maps that part of the file read-only and
 * publishes a chunk table naming the mapping through the volatile {@code chunks} field; {@code IndexFile.buffer}
 * loads that field.
 */
@JCStressTest
@Description("IndexFile.checkpoint seals and writes the pages of a whole resident chunk to the file, then replaces " +
    "the chunk by a read-only mapping of the file in a copy of the chunk table, published through the volatile " +
    "chunks field; IndexFile.buffer loads it. A reader sees the page's bytes whichever chunk it loads: the " +
    "resident region or the mapping. The writer allocated the chunk's 1,023 pages and wrote a marker in the " +
    "first before the checkpoint. r1: 1 if the reader got the mapping, 0 the resident region (-2: the entry null " +
    "or its region unusable); r2: the marker read.")
@Outcome(id = "0, 1311768467463790320", expect = ACCEPTABLE, desc = "the resident chunk, the marker")
@Outcome(id = "1, 1311768467463790320", expect = ACCEPTABLE, desc = "the mapping, the marker")
@Outcome(expect = FORBIDDEN, desc = "a chunk without the page's bytes")
@State
public class ChunkSwapPublicationTest
{
    private static final long MARKER = 0x1234_5678_9ABC_DEF0L;
    private static final int PAGE = 1;

    private final Path dir = TempFiles.newDirectory();
    private final IndexFile file;

    public ChunkSwapPublicationTest()
    {
        try
        {
            file = IndexFile.create(StoreFileSystem.real(), dir);
        }
        catch (final IOException e)
        {
            TempFiles.delete(dir);
            throw new UncheckedIOException(e);
        }
        while (file.nextPage() < IndexFile.CHUNK_PAGES)
        {
            file.allocate();
        }
        file.buffer(PAGE).putLong(IndexFile.pageOffset(PAGE) + BODY_OFFSET, MARKER);
    }

    @Actor
    public void checkpointer()
    {
        try
        {
            file.checkpoint(1, IndexFile.CHUNK_PAGES, IndexFile.CHUNK_PAGES, () -> {});
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    @Actor
    public void reader(final JJ_Result r)
    {
        try
        {
            final MemoryRegion chunk = file.buffer(PAGE);
            r.r1 = chunk.byteBuffer(0, Long.BYTES).isReadOnly() ? 1 : 0;
            r.r2 = chunk.getLong(IndexFile.pageOffset(PAGE) + BODY_OFFSET);
        }
        catch (final RuntimeException e)
        {
            r.r1 = -2; // a null entry, or a region not made yet or closed
        }
    }

    @Arbiter
    public void release()
    {
        file.unmapAll();
        TempFiles.delete(dir);
    }
}
