package io.memsnap.cli;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.AllocatedBytes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sizes of a store's files: their lengths, and the disk space allocated to them, in all and for each index file
 * ({@link AllocatedBytes#UNKNOWN} where it cannot be found out). Immutable.
 */
final class FileSizes
{
    /** One index file's name, length and allocated bytes. */
    static final class File
    {
        final String name;
        final long bytes;
        final long allocatedBytes;

        File(final String name, final long bytes, final long allocatedBytes)
        {
            this.name = name;
            this.bytes = bytes;
            this.allocatedBytes = allocatedBytes;
        }
    }

    final long bytes;
    final long allocatedBytes;
    final int segments;
    final List<File> indexFiles;

    private FileSizes(final long bytes, final long allocatedBytes, final int segments, final List<File> indexFiles)
    {
        this.bytes = bytes;
        this.allocatedBytes = allocatedBytes;
        this.segments = segments;
        this.indexFiles = List.copyOf(indexFiles);
    }

    /** Reads the sizes of the files of {@code dir}; a file a writer beside us deletes meanwhile is left out. */
    static FileSizes of(final Path dir) throws IOException
    {
        final List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(dir))
        {
            listing.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> p.getFileName().toString()))
                .forEach(files::add);
        }
        final long[] allocated = AllocatedBytes.of(files.toArray(new Path[0]));
        long bytes = 0;
        long allocatedBytes = 0;
        int segments = 0;
        final List<File> indexFiles = new ArrayList<>();
        for (int i = 0; i < files.size(); i++)
        {
            final String name = files.get(i).getFileName().toString();
            final long length;
            try
            {
                length = Files.size(files.get(i));
            }
            catch (final NoSuchFileException ex)
            {
                continue; // a writer beside us renamed or deleted it while we listed: not part of the store
            }
            bytes += length;
            allocatedBytes = allocatedBytes == AllocatedBytes.UNKNOWN || allocated[i] == AllocatedBytes.UNKNOWN ?
                AllocatedBytes.UNKNOWN : allocatedBytes + allocated[i];
            segments += name.startsWith("segment-") ? 1 : 0;
            if (IndexPageDescriptor.parseFileName(name) >= 0)
            {
                indexFiles.add(new File(name, length, allocated[i]));
            }
        }
        return new FileSizes(bytes, allocatedBytes, segments, indexFiles);
    }
}
