package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code memsnap pin DIR GEN --label L [--for DURATION]}: keeps a retained snapshot whatever retention's rules say. */
@Command(name = "pin", mixinStandardHelpOptions = true,
    description = "Pin a retained snapshot so that retention keeps it (a small snapshot commit; exit 1 if the " +
        "generation is not retained).")
final class PinCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "Generation to pin ('memsnap list' shows them).")
    long generation;

    @Option(names = "--label", required = true, description = "Why it is kept (1 to 255 bytes of UTF-8).")
    String label;

    @Option(names = "--for", converter = DurationConverter.class,
        description = "Keep it this long from now (14d, 36h, 90m, 45s, 1500ms or ISO-8601); default: until unpinned.")
    Duration keepFor;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (MemoryStore store = Stores.writer(dir, null))
        {
            final SnapshotInfo pinned = store.pin(generation, label, keepFor);
            System.out.println("pinned generation=" + pinned.generation() + " label=" + label +
                pinned.pinExpiresAt().map(at -> " until=" + at).orElse(""));
            return Main.OK;
        }
    }
}
