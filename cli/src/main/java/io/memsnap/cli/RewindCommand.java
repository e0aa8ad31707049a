package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.RewindResult;
import io.memsnap.StoreOptions;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code memsnap rewind DIR GEN [--safety-for DURATION] [--json]}: makes a retained snapshot's state the present, as a
 * new timeline, after a pinned safety snapshot of the present.
 */
@Command(name = "rewind", mixinStandardHelpOptions = true,
    description = "Rewind the store to a retained snapshot: a pinned safety snapshot of the present first, then the " +
        "snapshot's entries and state become the present, as a new timeline (exit 1 if it is not retained).")
final class RewindCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "Generation to rewind to ('memsnap list' shows them).")
    long generation;

    @Option(names = "--safety-for", converter = DurationConverter.class,
        description = "How long the safety snapshot stays pinned (14d, 36h, 90m, 45s, 1500ms or ISO-8601); " +
            "default 14d.")
    Duration safetyFor;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        final StoreOptions.Builder options = StoreOptions.builder();
        if (safetyFor != null)
        {
            options.rewindSafetyExpiry(safetyFor);
        }
        try (MemoryStore store = Stores.writerWith(dir, options))
        {
            final RewindResult r = store.rewind(generation);
            if (asJson)
            {
                printJson(r);
            }
            else
            {
                System.out.println("rewound to generation=" + r.target() + " snapshot=" + r.snapshot().generation() +
                    " sequence=" + r.snapshot().lastSequence() + " entries=" + r.snapshot().entryCount() +
                    " timeline=" + r.timeline() + " safety=" + r.safety().generation() +
                    r.safety().pinExpiresAt().map(at -> " pinned-until=" + at).orElse(""));
            }
            return Main.OK;
        }
    }

    private static void printJson(final RewindResult r) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeNumberField("target", r.target());
        g.writeNumberField("timeline", r.timeline());
        g.writeFieldName("snapshot");
        ListCommand.writeSnapshot(g, r.snapshot(), r.timeline());
        g.writeFieldName("safety");
        ListCommand.writeSnapshot(g, r.safety(), r.timeline());
        g.writeEndObject();
        g.flush();
        System.out.println();
    }
}
