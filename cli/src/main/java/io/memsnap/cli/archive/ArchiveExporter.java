package io.memsnap.cli.archive;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Writes the snapshot a read-only {@link MemoryStore} shows as an archive: its entries in id order straight from the
 * mapped segments ({@link MemoryStore#forEachInIdOrder}), then its named states. Heap use is fixed whatever the
 * number of entries. Thread safe: stateless (the store must not change during the export: open it read-only).
 */
public final class ArchiveExporter
{
    private ArchiveExporter()
    {
    }

    /**
     * @param progress told the number of entries written now and then (may be null).
     * @return what was written.
     */
    public static ArchiveSummary export(final MemoryStore store, final OutputStream out, final int blockSize,
        final long nowMillis, final LongConsumer progress) throws IOException
    {
        final SnapshotInfo snapshot = store.lastSnapshot();
        final List<String> stateNames = store.stateNames();
        final ArchiveHeader header = new ArchiveHeader(ArchiveDescriptor.MAJOR, ArchiveDescriptor.MINOR,
            store.dimension(), blockSize, store.size(), stateNames.size(), snapshot.generation(),
            snapshot.lastSequence(), snapshot.createdAtMillis(), nowMillis, snapshot.labels());
        final ArchiveWriter writer = new ArchiveWriter(out, header);
        final long[] written = {0};
        try
        {
            store.forEachInIdOrder(e ->
            {
                try
                {
                    writer.entry(e);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                if (progress != null)
                {
                    progress.accept(++written[0]);
                }
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        for (final String name : stateNames)
        {
            final byte[] value = store.getState(name).orElseThrow(() ->
                new IllegalStateException("named state '" + name + "' vanished during the export"));
            writer.state(name, value);
        }
        return writer.finish();
    }
}
