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

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@code IndexFile.ensureCapacity} adds a resident chunk by building new arrays and storing them in the volatile
 * {@code chunks} field; {@code IndexFile.buffer} loads that field.
 */
@JCStressTest
@Description("IndexFile.ensureCapacity adds a chunk (a zeroed 4 MiB MemoryRegion of the process's memory) to a " +
    "copy of the chunk table and publishes the copy through the volatile chunks field; IndexFile.buffer loads it. " +
    "A reader that sees the new table sees the new chunk whole: its region's length and its zeroed bytes. The " +
    "file is opened read-only over a header-only file, so that its first free page starts the second chunk, " +
    "which ensureCapacity(1) then adds (a read-only store grows its index so to replay the log). r1: length of " +
    "the chunk of that page (-1: old table, -2: the entry null or its region unusable); r2: its first and last " +
    "longs OR-ed.")
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "the old table")
@Outcome(id = "4194304, 0", expect = ACCEPTABLE, desc = "the new table and the whole, zeroed chunk")
@Outcome(expect = FORBIDDEN, desc = "the new table with a chunk not (yet) whole")
@State
public class ChunkGrowthPublicationTest
{
    private static final int PAGE = IndexFile.CHUNK_PAGES;

    private final IndexFile file;

    public ChunkGrowthPublicationTest()
    {
        try
        {
            file = IndexFile.open(StoreFileSystem.real(), HeaderOnlyFile.DIR, 0, 1, true);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    @Actor
    public void writer()
    {
        file.ensureCapacity(1);
    }

    @Actor
    public void reader(final JJ_Result r)
    {
        final MemoryRegion chunk;
        try
        {
            chunk = file.buffer(PAGE);
        }
        catch (final ArrayIndexOutOfBoundsException e)
        {
            r.r1 = -1;
            r.r2 = -1;
            return;
        }
        try
        {
            r.r1 = chunk.length();
            r.r2 = chunk.getLong(IndexFile.pageOffset(PAGE)) | chunk.getLong(chunk.length() - Long.BYTES);
        }
        catch (final RuntimeException e)
        {
            r.r1 = -2; // a null entry, or a region not made yet
        }
    }

    @Arbiter
    public void release()
    {
        file.unmapAll();
    }

    /** One index file of a header page, made once per JVM, that every state opens read-only. */
    private static final class HeaderOnlyFile
    {
        static final Path DIR = create();

        private static Path create()
        {
            final Path dir = TempFiles.newDirectory();
            try
            {
                IndexFile.create(StoreFileSystem.real(), dir).unmapAll();
            }
            catch (final IOException e)
            {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TempFiles.delete(dir)));
            return dir;
        }
    }
}
