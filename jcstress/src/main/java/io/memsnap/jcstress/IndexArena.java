package io.memsnap.jcstress;

import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.IndexPlacement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Hands each jcstress state a {@link HashIndex} of its own, laid out by {@link HashIndex#create} in an
 * {@link IndexFile} shared with other states: a file of its own would cost each state 4 MiB chunks of direct memory
 * ({@link IndexFile#CHUNK_BYTES}, and a writer's {@code prepare} keeps more than a chunk free ahead), while an index
 * needs only a few pages. The index's pages, the file's chunk table and the code that reads and writes them are the
 * real ones; only the file is shared.
 *
 * <p>Threads: jcstress creates states on its actor threads, both at once, between the rounds in which actors run;
 * creating an index and setting it up are writer calls on the shared file (they allocate pages and grow the chunk
 * table), so {@link #newIndex} runs both under one lock. During a round only the writer actor changes the file
 * (copy-on-write, splits), and jcstress runs one writer actor at a time, so the file still has one writer. A file is released (its direct memory freed) when no state of it is left: each state calls
 * {@link Lease#release} from its {@code @Arbiter}, which jcstress runs once both actors are done with the state.
 */
final class IndexArena
{
    /** A new file once the current one has this many pages: about 1,500 states of a few pages each. */
    private static final int PAGES_PER_FILE = 8 * IndexFile.CHUNK_PAGES;

    private static SharedFile current;

    private IndexArena()
    {
    }

    /**
     * @param setup the state's writer calls on its new index before the actors run (puts, freeze).
     * @return a new index (root, one directory page, one bucket) in the shared file, set up.
     */
    static Lease newIndex(final Consumer<HashIndex> setup)
    {
        // The tests choose hashes by their low bits to split buckets where they want; what they check (the order of
        // the stores and loads of a split, a doubling, a copy) does not depend on where a placement puts a hash.
        return newIndex(IndexPlacement.LOW_BITS, setup);
    }

    /**
     * @param placement the {@link IndexPlacement} of the new index.
     * @param setup     the state's writer calls on its new index before the actors run (puts, freeze).
     * @return a new index (root, one directory page, one bucket) in the shared file, set up.
     */
    static synchronized Lease newIndex(final int placement, final Consumer<HashIndex> setup)
    {
        if (current == null || current.file.nextPage() >= PAGES_PER_FILE)
        {
            if (current != null)
            {
                current.release(); // the arena's own reference
            }
            current = new SharedFile(newFile());
        }
        final HashIndex index = HashIndex.create(current.file, placement);
        setup.accept(index);
        current.users.incrementAndGet();
        return new Lease(index, current);
    }

    private static IndexFile newFile()
    {
        final Path dir = TempFiles.newDirectory();
        try
        {
            return IndexFile.create(StoreFileSystem.real(), dir);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        finally
        {
            // Nothing reads the file again: its pages stay in resident chunks, as no checkpoint runs.
            TempFiles.delete(dir);
        }
    }

    private static final class SharedFile
    {
        final IndexFile file;
        /** States using the file, plus one while it is the current file. */
        final AtomicInteger users = new AtomicInteger(1);

        SharedFile(final IndexFile file)
        {
            this.file = file;
        }

        void release()
        {
            if (users.decrementAndGet() == 0)
            {
                file.unmapAll();
            }
        }
    }

    /** One state's index; {@link #release} once, when the state is done. */
    static final class Lease
    {
        private final HashIndex index;
        private final SharedFile file;

        Lease(final HashIndex index, final SharedFile file)
        {
            this.index = index;
            this.file = file;
        }

        HashIndex index()
        {
            return index;
        }

        void release()
        {
            file.release();
        }
    }
}
