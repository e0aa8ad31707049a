package io.memsnap.internal.segment;

import io.memsnap.internal.Threads;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.memory.MemoryRegion;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A segment file made ahead of the roll that will start it: created with its length (a hole, or zeros with
 * {@code preallocate}), mapped, and open for the writer's appends, but with no header yet ({@link #make}); then synced
 * with its length and its directory entry ({@link #sync}). Its bytes are all zeros, so that until a roll writes its
 * header it is a segment that was never started ({@link Segment#neverStarted}), which recovery deletes
 * (docs/format.md, "Prepared segments").
 *
 * <p>The {@link SegmentPreparer}'s thread makes it, hands it over, then syncs it: a roll may start it before the sync
 * is done, so that no put waits for an fsync; every flush of the segment waits for the sync first
 * ({@link #awaitSynced}), so no record in it is acknowledged before its file is durable. When nothing was made ahead,
 * the writer makes and syncs one itself ({@link #create}).
 *
 * <p>Concurrency: {@link #make} and {@link #sync} by the thread that makes it (which alone uses the handle the file
 * was created through); {@link #takeFile} and {@link #discard} by the writer it was handed to, under the preparer's
 * monitor; the sync's outcome is read by any flushing thread, under this object's monitor.
 */
final class PreparedSegment
{
    private final int id;
    private final int length;
    private final Path path;
    private final MemoryRegion mapping;
    /** The writer's handle on the file, until it takes it; null after. */
    private StoreFile file;
    /** The handle the file was created through, which {@link #sync} uses and closes. */
    private final StoreFile created;

    // Guarded by this.
    private boolean synced;
    private IOException syncFailure;

    private PreparedSegment(final int id, final int length, final Path path, final MemoryRegion mapping,
        final StoreFile file, final StoreFile created)
    {
        this.id = id;
        this.length = length;
        this.path = path;
        this.mapping = mapping;
        this.file = file;
        this.created = created;
    }

    /**
     * Makes the file of segment {@code id} in {@code dir}: creates it, gives it {@code length} bytes
     * ({@link MappedFiles#extend}), maps it read-only and opens it for the writer. Not durable until {@link #sync}. A
     * file this fails to make is deleted.
     */
    static PreparedSegment make(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final boolean preallocate) throws IOException
    {
        final Path path = dir.resolve(SegmentDescriptor.fileName(id));
        StoreFile created = null;
        StoreFile file = null;
        MemoryRegion mapping = null;
        try
        {
            created = fs.create(path);
            MappedFiles.extend(created, length, preallocate);
            mapping = MappedFiles.mapRegion(path, 0, length);
            file = fs.open(path);
            return new PreparedSegment(id, length, path, mapping, file, created);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (mapping != null)
            {
                mapping.close();
            }
            MappedFiles.closeAfter(file, ex);
            MappedFiles.closeAfter(created, ex);
            MappedFiles.deleteAfter(fs, path, ex);
            throw ex;
        }
    }

    /** {@link #make}, then {@link #sync}: the writer's own file, when none was made ahead. */
    static PreparedSegment create(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final boolean preallocate) throws IOException
    {
        final PreparedSegment made = make(fs, dir, id, length, preallocate);
        try
        {
            made.sync(fs, dir);
        }
        catch (final IOException ex)
        {
            made.discardAfter(fs, ex);
            throw ex;
        }
        return made;
    }

    /**
     * The thread that made it: syncs the file with its length (fsync) and its directory entry, through the handle it
     * was created through (then closed), and tells the flushes waiting for it ({@link #awaitSynced}).
     *
     * @throws IOException if the sync failed (every later flush of the segment fails with it).
     */
    void sync(final StoreFileSystem fs, final Path dir) throws IOException
    {
        IOException failed = null;
        try
        {
            MappedFiles.syncNew(fs, dir, created);
        }
        catch (final IOException ex)
        {
            failed = ex;
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            failed = new IOException(ex.toString(), ex);
            throw ex;
        }
        finally
        {
            try
            {
                created.close();
            }
            catch (final IOException ignored)
            {
                // synced or failed already: a close loses nothing
            }
            synchronized (this)
            {
                synced = true;
                syncFailure = failed;
                notifyAll();
            }
        }
    }

    /**
     * Waits until {@link #sync} has ended.
     *
     * @throws IOException if it failed.
     */
    synchronized void awaitSynced() throws IOException
    {
        Threads.awaitUninterruptibly(this, () -> synced);
        if (syncFailure != null)
        {
            throw new IOException("the file of segment " + id + " could not be synced when it was made: " +
                syncFailure.getMessage(), syncFailure);
        }
    }

    /** @return why {@link #sync} failed, if it has ended and failed; else null. */
    synchronized IOException syncFailure()
    {
        return syncFailure;
    }

    /** @return the file, open for writing: the caller closes it (the writer's appends go through it). */
    StoreFile takeFile()
    {
        final StoreFile taken = file;
        file = null;
        return taken;
    }

    int id()
    {
        return id;
    }

    int length()
    {
        return length;
    }

    Path path()
    {
        return path;
    }

    MemoryRegion mapping()
    {
        return mapping;
    }

    /**
     * Unmaps the file and deletes it (not durably: a deletion a power cut undoes leaves a segment that was never
     * started, which recovery deletes again). The caller guarantees nothing reads the mapping.
     */
    void discard(final StoreFileSystem fs) throws IOException
    {
        mapping.close();
        if (file != null)
        {
            file.close();
            file = null;
        }
        fs.deleteIfExists(path);
    }

    /**
     * As {@link #discard}, after {@code failure} of the roll into this file, before the caller throws it; a failure of
     * the deletion is added to it.
     */
    void discardAfter(final StoreFileSystem fs, final Exception failure)
    {
        mapping.close();
        MappedFiles.closeAfter(takeFile(), failure);
        MappedFiles.deleteAfter(fs, path, failure);
    }

    @Override
    public String toString()
    {
        return "prepared segment " + id + " of " + length + " bytes";
    }
}
