package io.memsnap.cli.importer;

import io.memsnap.InvalidEntryException;
import io.memsnap.cli.archive.ArchiveHeader;
import io.memsnap.cli.archive.ArchiveReader;
import io.memsnap.cli.archive.ArchiveVisitor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Imports a memsnap archive: the store gets the archive's dimension, entries, named states and labels, and the
 * widest limits (the archive may come from a store opened with wider ones). Every check of {@link ArchiveReader}
 * applies; duplicates in an archive are corruption. Not thread safe; one use.
 */
public final class ArchiveImporter implements FormatImporter
{
    private final Path file;
    private final LongConsumer progress;

    /** @param progress told the bytes of the file read so far (may be null). */
    public ArchiveImporter(final Path file, final LongConsumer progress)
    {
        this.file = file;
        this.progress = progress;
    }

    @Override
    public String format()
    {
        return "archive";
    }

    @Override
    public void importInto(final ImportSink sink) throws IOException
    {
        new ArchiveReader(file, progress).read(new ArchiveVisitor()
        {
            @Override
            public void header(final ArchiveHeader header)
            {
                sink.open(header.dimension(), true);
                for (final Map.Entry<String, String> e : header.labels().entrySet())
                {
                    sink.label(e.getKey(), e.getValue());
                }
            }

            @Override
            public void entry(final String id, final int[] indices, final float[] values, final float importance,
                final long storedAtMillis, final byte[] metadata)
            {
                try
                {
                    sink.put(id, indices, values, importance, storedAtMillis, metadata);
                }
                catch (final InvalidEntryException ex)
                {
                    throw new InputException(file + ": entry '" + ImportSink.abbreviate(id) + "': " + ex.getMessage(),
                        ex);
                }
            }

            @Override
            public void state(final String name, final byte[] value)
            {
                try
                {
                    sink.putState(name, value);
                }
                catch (final InvalidEntryException ex)
                {
                    throw new InputException(file + ": named state '" + ImportSink.abbreviate(name) + "': " +
                        ex.getMessage(), ex);
                }
            }
        });
    }
}
