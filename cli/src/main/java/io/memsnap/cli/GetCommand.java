package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code memsnap get DIR ID}: the entry as one JSON line; exit 1 if absent. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print one entry of the newest snapshot as a JSON line (exit 1 if there is none).")
final class GetCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "Entry id.")
    String id;

    @Option(names = "--generation", description = "Read this retained snapshot instead of the newest.")
    Long generation;

    @Override
    public Integer call() throws Exception
    {
        try (MemoryStore store = Stores.readOnly(dir, generation))
        {
            final JsonEntries json = new JsonEntries(1 << 20);
            final JsonGenerator g = json.generator(System.out);
            final boolean[] found = {false};
            final java.io.IOException[] failure = {null};
            store.read(id, e ->
            {
                found[0] = true;
                try
                {
                    JsonEntries.write(g, e);
                }
                catch (final java.io.IOException ex)
                {
                    failure[0] = ex;
                }
            });
            if (failure[0] != null)
            {
                throw failure[0];
            }
            if (!found[0])
            {
                System.err.println("memsnap: no entry '" + id + "' in " + dir);
                return Main.NOT_FOUND;
            }
            g.flush();
            System.out.println();
            System.out.flush();
            return Main.OK;
        }
    }
}
