package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code memsnap list DIR}: the retained snapshots, newest first. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the retained snapshots, newest first.")
final class ListCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Override
    public Integer call() throws Exception
    {
        try (MemoryStore store = Stores.readOnly(dir, null))
        {
            System.out.printf("%-10s %-24s %12s %12s %12s  %s%n", "generation", "created", "sequence", "entries",
                "flushed", "labels");
            for (final SnapshotInfo s : store.snapshots())
            {
                System.out.printf("%-10d %-24s %12d %12d %12s  %s%n", s.generation(),
                    Instant.ofEpochMilli(s.createdAtMillis()), s.lastSequence(), s.entryCount(),
                    Demo.bytes(s.bytesFlushed()), s.labels());
            }
            return Main.OK;
        }
    }
}
