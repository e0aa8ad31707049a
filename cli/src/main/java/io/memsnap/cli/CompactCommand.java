package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.CompactionResult;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.cli.json.JsonEntries;
import io.memsnap.internal.segment.SpaceUsage;
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
            final SpaceUsage before = store.spaceUsage();
            final CompactionResult result;
            try (Progress progress = new Progress("compacting segments", 0))
            {
                result = store.compact(p -> progress.update(p.segmentsCompacted()));
            }
            final SnapshotInfo snapshot = store.snapshot(Map.of("source", "compact"));
            final SpaceUsage after = store.spaceUsage();
            final long freed = deleted(before, after);
            final long awaiting = awaiting(after);
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
                System.out.println("segments     " + Demo.bytes(after.fileBytes) + " for " +
                    Demo.bytes(after.liveBytes) + " of live records (amplification " +
                    String.format("%.2f", after.amplification()) + ")");
                System.out.println("snapshot     generation=" + snapshot.generation() + " sequence=" +
                    snapshot.lastSequence());
            }
            return Main.OK;
        }
    }

    /** @return the bytes of the segment files of {@code before} that are gone in {@code after}. */
    static long deleted(final SpaceUsage before, final SpaceUsage after)
    {
        final java.util.Set<Integer> left = new java.util.HashSet<>();
        for (final SpaceUsage.File f : after.files)
        {
            left.add(f.id);
        }
        long bytes = 0;
        for (final SpaceUsage.File f : before.files)
        {
            bytes += left.contains(f.id) ? 0 : f.bytes;
        }
        return bytes;
    }

    /** @return the bytes of the segment files that hold no live record, the last one (the tail) aside. */
    static long awaiting(final SpaceUsage space)
    {
        long bytes = 0;
        for (int i = 0; i < space.files.size() - 1; i++)
        {
            bytes += space.files.get(i).liveBytes == 0 ? space.files.get(i).bytes : 0;
        }
        return bytes;
    }

    private static void printJson(final CompactionResult result, final SnapshotInfo snapshot,
        final SpaceUsage after, final long freed, final long awaiting) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeNumberField("segmentsCompacted", result.segmentsCompacted());
        g.writeNumberField("recordsCopied", result.recordsCopied());
        g.writeNumberField("bytesCopied", result.bytesCopied());
        g.writeNumberField("bytesFreed", freed);
        g.writeNumberField("bytesAwaitingDeletion", awaiting);
        g.writeNumberField("segmentBytes", after.fileBytes);
        g.writeNumberField("liveBytes", after.liveBytes);
        g.writeNumberField("generation", snapshot.generation());
        g.writeNumberField("lastSequence", snapshot.lastSequence());
        g.writeEndObject();
        g.flush();
        System.out.println();
    }
}
