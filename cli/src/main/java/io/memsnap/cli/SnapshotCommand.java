package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code memsnap snapshot DIR [--label k=v ...]}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Checkpoint the index and take a snapshot, with labels.")
final class SnapshotCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--label", description = "A label key=value (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (MemoryStore store = Stores.writer(dir, null))
        {
            store.checkpoint();
            final SnapshotInfo info = store.snapshot(labels);
            System.out.println("snapshot generation=" + info.generation() + " sequence=" + info.lastSequence() +
                " entries=" + info.entryCount());
            return Main.OK;
        }
    }
}
