package io.memsnap.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code memsnap demo [DIR]}: the README's main job. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Write sparse vectors shaped like text embeddings into DIR, snapshot, reopen, verify, and report " +
        "write rate, snapshot and reopen times, bytes on disk and heap used.")
final class DemoCommand implements Callable<Integer>
{
    @Parameters(index = "0", arity = "0..1", defaultValue = "memsnap-demo",
        description = "Store directory (default: ${DEFAULT-VALUE}); a previous demo store there is replaced.")
    Path dir;

    @Option(names = "--entries", defaultValue = "1000000", description = "Entries to write (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(names = "--changes", defaultValue = "1000",
        description = "Entries changed before the second snapshot (default: ${DEFAULT-VALUE}).")
    int changes;

    @Override
    public Integer call() throws Exception
    {
        if (entries < 0 || changes < 0)
        {
            throw new IllegalArgumentException("--entries and --changes must not be negative");
        }
        return Demo.run(dir, entries, changes, System.out).verified ? Main.OK : Main.CORRUPT;
    }
}
