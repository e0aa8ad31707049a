package io.memsnap.cli;

import io.memsnap.MemoryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code memsnap unpin DIR GEN}: lets retention's other rules decide about a snapshot again. */
@Command(name = "unpin", mixinStandardHelpOptions = true,
    description = "Unpin a snapshot (a small snapshot commit, after which retention deletes it unless another rule " +
        "keeps it; exit 1 if it was not pinned).")
final class UnpinCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "Generation to unpin.")
    long generation;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (MemoryStore store = Stores.writer(dir, null))
        {
            if (!store.unpin(generation))
            {
                System.err.println("memsnap: snapshot generation " + generation + " of " + dir + " is not pinned " +
                    "('memsnap list' shows the pins)");
                return Main.NOT_FOUND;
            }
            System.out.println("unpinned generation=" + generation);
            return Main.OK;
        }
    }
}
