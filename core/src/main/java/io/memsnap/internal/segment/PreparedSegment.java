package io.memsnap.internal.segment;

import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * A segment file made ahead of the roll that will start it: created with its length (a hole, or zeros with
 * {@code preallocate}), synced with its length and its directory entry, mapped, and open for writing, but with no
 * header yet. Its bytes are all zeros, so that until a roll writes its header it is a segment that was never started
 * ({@link Segment#neverStarted}), which recovery deletes (docs/format.md, "Prepared segments").
 *
 * <p>Made by the {@link SegmentPreparer}'s thread (or by the writer itself when none is ready), then handed to the
 * writer, who starts it ({@link Segment#start}, taking its open file for its appends: {@link #takeFile}) or
 * {@link #discard}s it. Not thread safe: one thread at a time, handed over under the preparer's monitor.
 */
final class PreparedSegment
{
    private final int id;
    private final int length;
    private final Path path;
    private final MappedByteBuffer mapping;
    /** The file as its creation left it open, until the writer takes it; null after. */
    private StoreFile file;

    private PreparedSegment(final int id, final int length, final Path path, final MappedByteBuffer mapping,
        final StoreFile file)
    {
        this.id = id;
        this.length = length;
        this.path = path;
        this.mapping = mapping;
        this.file = file;
    }

    /**
     * Creates the file of segment {@code id} of {@code length} bytes in {@code dir} (see {@link MappedFiles#create}:
     * all zeros, synced with its directory entry) and maps it read-only. A file this fails to make is deleted.
     */
    static PreparedSegment create(final StoreFileSystem fs, final Path dir, final int id, final int length,
        final boolean preallocate) throws IOException
    {
        final Path path = dir.resolve(SegmentDescriptor.fileName(id));
        final StoreFile file = MappedFiles.create(fs, dir, path, length, preallocate, null);
        try
        {
            return new PreparedSegment(id, length, path, MappedFiles.mapReadOnly(path, 0, length), file);
        }
        catch (final IOException | RuntimeException ex)
        {
            MappedFiles.closeAfter(file, ex);
            MappedFiles.deleteAfter(fs, path, ex);
            throw ex;
        }
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

    MappedByteBuffer mapping()
    {
        return mapping;
    }

    /**
     * Unmaps the file and deletes it (not durably: a deletion a power cut undoes leaves a segment that was never
     * started, which recovery deletes again). The caller guarantees nothing reads the mapping.
     */
    void discard(final StoreFileSystem fs) throws IOException
    {
        IoUtil.unmap(mapping);
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
        IoUtil.unmap(mapping);
        MappedFiles.closeAfter(takeFile(), failure);
        MappedFiles.deleteAfter(fs, path, failure);
    }

    @Override
    public String toString()
    {
        return "prepared segment " + id + " of " + length + " bytes";
    }
}
