package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code memsnap dump DIR}: every live entry as JSON Lines, sorted by id. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print every live entry of a snapshot as JSON Lines, sorted by id (Unicode code point order).")
final class DumpCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--generation", description = "Dump this retained snapshot instead of the newest.")
    Long generation;

    @Override
    public Integer call() throws Exception
    {
        try (MemoryStore store = Stores.readOnly(dir, generation))
        {
            final OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            dump(store, out);
            out.flush();
            return Main.OK;
        }
    }

    /** Writes the store's entries in id order as JSON Lines. */
    static void dump(final MemoryStore store, final OutputStream out) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(out);
        try (Progress progress = new Progress("dumping", store.size()))
        {
            final long[] n = {0};
            store.forEachInIdOrder(e ->
            {
                try
                {
                    JsonEntries.write(g, e);
                    g.writeRaw('\n');
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                progress.update(++n[0]);
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        g.flush();
    }
}
