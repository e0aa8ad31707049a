package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.memsnap.InvalidEntryException;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;

import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code memsnap load DIR --input FILE|-}: applies JSON Lines entries, snapshotting every N entries and at the end.
 * The line {@code snapshot generation=G sequence=S entries=E} is printed (and flushed) only after that snapshot is
 * durable. A malformed line stops the load with its line number, after a snapshot of everything before it.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Load JSON Lines entries ({\"id\", \"indices\", \"values\", \"importance\", \"storedAt\", " +
        "\"metadata\"}) into a store, creating it if needed.")
final class LoadCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--input", required = true, description = "JSON Lines file, or - for standard input.")
    String input;

    @Option(names = "--dimension", description = "Dimension of a new store (default 262144); must match an existing one.")
    Integer dimension;

    @Option(names = "--snapshot-every", defaultValue = "100000",
        description = "Take a snapshot every N entries (default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Override
    public Integer call() throws Exception
    {
        if (snapshotEvery < 1)
        {
            throw new IllegalArgumentException("--snapshot-every must be at least 1");
        }
        final Integer dim = dimension != null ? dimension : Files.isDirectory(dir) && hasFiles(dir) ? null : 1 << 18;
        try (InputStream in = "-".equals(input) ? System.in : Files.newInputStream(Path.of(input));
            MemoryStore store = Stores.writer(dir, dim))
        {
            return load(store, in, snapshotEvery, System.out, System.err);
        }
    }

    private static boolean hasFiles(final Path dir) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> s = Files.list(dir))
        {
            return s.findAny().isPresent();
        }
    }

    static int load(final MemoryStore store, final InputStream in, final long snapshotEvery, final PrintStream out,
        final PrintStream err) throws java.io.IOException
    {
        final JsonEntries json = new JsonEntries(4 * store.options().maxMetadataBytes() + 4 * 1024 * 1024);
        final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long lineNumber = 0;
        long applied = 0;
        long sinceSnapshot = 0;
        try (Progress progress = new Progress("loading", 0))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                lineNumber++;
                if (line.isBlank())
                {
                    continue;
                }
                try (JsonParser p = json.factory().createParser(line))
                {
                    final JsonEntries.Parsed e = json.parse(p, store.dimension(), System.currentTimeMillis());
                    if (p.nextToken() != null)
                    {
                        throw new InvalidEntryException("unexpected content after the object");
                    }
                    store.put(e.id, SparseVector.wrap(e.indices, e.values), e.importance, e.storedAt, e.metadata);
                }
                catch (final InvalidEntryException | JsonProcessingException ex)
                {
                    if (sinceSnapshot > 0)
                    {
                        printSnapshot(store.snapshot(Map.of("source", "load")), applied, out);
                    }
                    err.println("memsnap: line " + lineNumber + ": " + message(ex) + "; the " + applied +
                        " entries before it are stored");
                    return Main.USAGE;
                }
                applied++;
                sinceSnapshot++;
                progress.update(applied);
                if (sinceSnapshot == snapshotEvery)
                {
                    printSnapshot(store.snapshot(Map.of("source", "load")), applied, out);
                    sinceSnapshot = 0;
                }
            }
        }
        printSnapshot(store.snapshot(Map.of("source", "load")), applied, out);
        return Main.OK;
    }

    private static String message(final Exception ex)
    {
        return ex instanceof JsonProcessingException ? "malformed JSON: " +
            ((JsonProcessingException)ex).getOriginalMessage() : ex.getMessage();
    }

    private static void printSnapshot(final SnapshotInfo info, final long applied, final PrintStream out)
    {
        out.println("snapshot generation=" + info.generation() + " sequence=" + info.lastSequence() + " entries=" +
            applied);
        out.flush();
    }

}
