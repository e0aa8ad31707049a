package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.CompactionResult;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.StoreStats;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code memsnap compact DIR [--json]}: compacts the store as its writer and takes a snapshot, then says what was
 * copied, what was freed and what waits to be deleted. Progress goes to stderr on a terminal only.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
    description = "Copy the live records out of mostly dead segments, take a snapshot, and delete the segment files " +
        "nothing needs any more.")
final class CompactCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (MemoryStore store = Stores.writer(dir, null))
        {
            final StoreStats before = store.stats();
            final CompactionResult result;
            try (Progress progress = new Progress("compacting segments", 0))
            {
                result = store.compact(p -> progress.update(p.segmentsCompacted(), p.segmentsToCompact()));
            }
            final SnapshotInfo snapshot = store.snapshot(Map.of("source", "compact"));
            final StoreStats after = store.stats();
            final long freed = after.compactionBytesFreed() - before.compactionBytesFreed();
            final long awaiting = after.compactionBytesAwaitingDeletion();
            if (asJson)
            {
                printJson(result, snapshot, after, freed, awaiting);
            }
            else
            {
                System.out.println("compacted    " + result.segmentsCompacted() + " segment(s): " +
                    String.format("%,d", result.recordsCopied()) + " records, " + Demo.bytes(result.bytesCopied()) +
                    " copied");
                System.out.println("freed        " + Demo.bytes(freed) + " of segment files");
                System.out.println("awaiting     " + Demo.bytes(awaiting) + " of segment files with no live record, " +
                    "deleted once the snapshots taken before the compaction retire (after " +
                    store.options().retainedSnapshots() + " more snapshots) and no reader has them open");
                System.out.println("segments     " + Demo.bytes(after.segmentBytes()) + " for " +
                    Demo.bytes(after.liveBytes()) + " of live records (amplification " +
                    String.format("%.2f", after.segmentAmplification()) + ")");
                System.out.println("snapshot     generation=" + snapshot.generation() + " sequence=" +
                    snapshot.lastSequence());
            }
            return Main.OK;
        }
    }

    private static void printJson(final CompactionResult result, final SnapshotInfo snapshot,
        final StoreStats after, final long freed, final long awaiting) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeNumberField("segmentsCompacted", result.segmentsCompacted());
        g.writeNumberField("recordsCopied", result.recordsCopied());
        g.writeNumberField("bytesCopied", result.bytesCopied());
        g.writeNumberField("bytesFreed", freed);
        g.writeNumberField("bytesAwaitingDeletion", awaiting);
        g.writeNumberField("segmentBytes", after.segmentBytes());
        g.writeNumberField("liveBytes", after.liveBytes());
        g.writeNumberField("generation", snapshot.generation());
        g.writeNumberField("lastSequence", snapshot.lastSequence());
        g.writeEndObject();
        g.flush();
        System.out.println();
    }
}
