package io.memsnap.cli;

import io.memsnap.MemoryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code memsnap delete DIR ID}: deletes an entry and snapshots; exit 1 if it was absent. */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = "Delete one entry and take a snapshot (exit 1 if there was none).")
final class DeleteCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "Entry id.")
    String id;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (MemoryStore store = Stores.writer(dir, null))
        {
            if (!store.delete(id))
            {
                System.err.println("memsnap: no entry '" + id + "' in " + dir);
                return Main.NOT_FOUND;
            }
            store.snapshot(Map.of("source", "delete"));
            return Main.OK;
        }
    }
}
