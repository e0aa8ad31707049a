package io.memsnap.internal.segment;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * The space a store's segments take on disk against the bytes of their live records: per segment file its length,
 * live bytes and dead bytes, and the totals and the space amplification (file bytes / live bytes). What
 * {@code memsnap inspect} prints and what store statistics read. Thread safe: immutable.
 */
public final class SpaceUsage
{
    /** One segment file. */
    public static final class File
    {
        public final int id;
        public final String name;
        public final long bytes;
        public final long liveBytes;

        File(final int id, final String name, final long bytes, final long liveBytes)
        {
            this.id = id;
            this.name = name;
            this.bytes = bytes;
            this.liveBytes = liveBytes;
        }

        public long deadBytes()
        {
            return bytes - liveBytes;
        }
    }

    public final List<File> files;
    public final long fileBytes;
    public final long liveBytes;

    private SpaceUsage(final List<File> files)
    {
        this.files = Collections.unmodifiableList(files);
        long bytes = 0;
        long live = 0;
        for (final File f : files)
        {
            bytes += f.bytes;
            live += f.liveBytes;
        }
        this.fileBytes = bytes;
        this.liveBytes = live;
    }

    /**
     * Lists the segment files of {@code dir} (a file deleted while listed is left out) and takes their live bytes from
     * {@code table}. A file's bytes are its length, except for the tail segment, whose bytes end where its records end
     * ({@code tailAddress}): the rest of it is a hole that takes no disk space (or, with {@code preallocate}, zeros
     * reserved for the records to come).
     */
    public static SpaceUsage measure(final Path dir, final SegmentUsage.Table table, final long tailAddress)
        throws IOException
    {
        final int tailSegment = IndexPageDescriptor.segmentId(tailAddress);
        final int tailOffset = IndexPageDescriptor.offset(tailAddress);
        final List<File> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)listing::iterator)
            {
                final String name = p.getFileName().toString();
                final int id = SegmentDescriptor.parseFileName(name);
                if (id <= 0)
                {
                    continue;
                }
                try
                {
                    final long length = Files.size(p);
                    files.add(new File(id, name, id == tailSegment ? Math.min(length, tailOffset) : length,
                        table.live(id)));
                }
                catch (final NoSuchFileException ex)
                {
                    // deleted by the writer's reclamation while we listed
                }
            }
        }
        files.sort((a, b) -> Integer.compare(a.id, b.id));
        return new SpaceUsage(files);
    }

    public long deadBytes()
    {
        return fileBytes - liveBytes;
    }

    /** @return segment file bytes per live byte (0 when nothing is live). */
    public double amplification()
    {
        return liveBytes == 0 ? 0 : (double)fileBytes / liveBytes;
    }
}
