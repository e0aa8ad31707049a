package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.StoreStats;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memsnap stats DIR [--json]}: the figures of {@link MemoryStore#stats()} for the newest snapshot of a store,
 * opened read-only (so it runs beside a writer), with the allocated bytes of the index files and, for a store whose
 * manifest carries no live bytes, the live bytes counted from its index (O(entries)). Not thread safe: one instance
 * per command line.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Show the figures of a store's newest snapshot: entries, snapshots, the bytes of its files, the " +
        "live and dead bytes of each segment file, the space amplification (store bytes / live bytes, segment " +
        "bytes / live bytes), and each index file's length and allocated bytes. Opens the snapshot read-only, so it " +
        "runs beside a writer; compaction progress and automatic snapshot health are the writer's " +
        "(MemoryStore.stats() in the service): the JSON reports them as zero here.",
        "Sizes are in bytes; -1 is unknown; an amplification that is not known is null in JSON.",
        "Exit codes: 0 shown, 1 DIR not found, 3 the snapshot does not validate, 4 a newer format version."})
final class StatsCommand implements Callable<Integer>
{
    /** A label, then its number right-aligned, then a note; trailing blanks are cut. */
    private static final String ROW = "%-22s %18s  %s";
    private static final String FILE_ROW = "  %-26s %18s %18s %18s";

    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        try (MemoryStore store = Stores.readOnly(dir, null))
        {
            final StoreStats stats = store.statsForReport();
            if (asJson)
            {
                printJson(stats, System.out);
            }
            else
            {
                printText(stats, System.out);
            }
            return Main.OK;
        }
    }

    private void printText(final StoreStats s, final PrintStream out)
    {
        out.printf("%-22s %s%n", "store", dir.toAbsolutePath());
        row(out, ROW, "generation", number(s.lastSnapshotGeneration()), "sequence " +
            number(s.lastSnapshotSequence()));
        row(out, ROW, "entries", number(s.entryCount()), "");
        row(out, ROW, "named states", number(s.stateCount()), "");
        row(out, ROW, "snapshots retained", number(s.retainedSnapshotCount()), "");
        row(out, ROW, "manifests", number(s.manifestCount()), size(s.manifestBytes()));
        row(out, ROW, "store bytes", number(s.storeBytes()), size(s.storeBytes()) + " in all");
        row(out, ROW, "segment bytes", number(s.segmentBytes()), size(s.segmentBytes()) + " in " +
            s.segmentCount() + " segment file(s)");
        row(out, ROW, "live bytes", number(s.liveBytes()), size(s.liveBytes()));
        row(out, ROW, "dead bytes", number(s.deadBytes()), size(s.deadBytes()));
        row(out, ROW, "index file bytes", number(s.indexFileBytes()), size(s.indexFileBytes()) + " in " +
            s.indexFiles().size() + " index file(s)");
        row(out, ROW, "amplification", ratio(s.spaceAmplification()), "store bytes / live bytes");
        row(out, ROW, "segment amplification", ratio(s.segmentAmplification()), "segment bytes / live bytes");
        row(out, ROW, "mapped bytes", number(s.segmentMappedBytes() + s.indexMappedBytes()),
            "segments " + size(s.segmentMappedBytes()) + ", index " + size(s.indexMappedBytes()) +
            " (this read-only open)");
        out.println();
        row(out, FILE_ROW, "segment file", "bytes", "live", "dead");
        for (final StoreStats.SegmentFile f : s.segmentFiles())
        {
            row(out, FILE_ROW, f.name(), number(f.bytes()), number(f.liveBytes()), number(f.deadBytes()));
        }
        out.println();
        row(out, FILE_ROW, "index file", "length", "allocated", "");
        for (final StoreStats.IndexFile f : s.indexFiles())
        {
            row(out, FILE_ROW, f.name(), number(f.bytes()), number(f.allocatedBytes()), "");
        }
    }

    private static void row(final PrintStream out, final String format, final Object... values)
    {
        out.println(String.format(format, values).stripTrailing());
    }

    /** @return the number with thousands separators, or "unknown". */
    private static String number(final long n)
    {
        return n == StoreStats.UNKNOWN ? "unknown" : String.format("%,d", n);
    }

    private static String size(final long bytes)
    {
        return bytes == StoreStats.UNKNOWN ? "" : Demo.bytes(bytes);
    }

    private static String ratio(final double r)
    {
        return Double.isNaN(r) ? "unknown" : String.format("%.2f", r);
    }

    /** Writes {@code s} as one JSON object with the field names documented in the README (stable). */
    static void printJson(final StoreStats s, final PrintStream out) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(out);
        g.writeStartObject();
        g.writeNumberField("entries", s.entryCount());
        g.writeNumberField("states", s.stateCount());
        g.writeNumberField("lastSequence", s.lastSequence());
        g.writeObjectFieldStart("snapshots");
        g.writeNumberField("retained", s.retainedSnapshotCount());
        g.writeNumberField("lastGeneration", s.lastSnapshotGeneration());
        g.writeNumberField("lastSequence", s.lastSnapshotSequence());
        g.writeNumberField("lastDurationNanos", s.lastSnapshotDurationNanos());
        g.writeStringField("lastError", s.lastSnapshotError());
        g.writeNumberField("changesSinceLast", s.changesSinceLastSnapshot());
        g.writeNumberField("autoTaken", s.autoSnapshotsTaken());
        g.writeNumberField("autoFailures", s.autoSnapshotFailures());
        g.writeNumberField("autoFailuresInARow", s.autoSnapshotFailuresInARow());
        g.writeNumberField("autoRetryInNanos", s.autoSnapshotRetryInNanos());
        g.writeEndObject();
        g.writeObjectFieldStart("space");
        g.writeNumberField("storeBytes", s.storeBytes());
        g.writeNumberField("segmentBytes", s.segmentBytes());
        g.writeNumberField("liveBytes", s.liveBytes());
        g.writeNumberField("deadBytes", s.deadBytes());
        g.writeNumberField("indexFileBytes", s.indexFileBytes());
        g.writeNumberField("manifests", s.manifestCount());
        g.writeNumberField("manifestBytes", s.manifestBytes());
        writeRatio(g, "amplification", s.spaceAmplification());
        writeRatio(g, "segmentAmplification", s.segmentAmplification());
        g.writeArrayFieldStart("segmentFiles");
        for (final StoreStats.SegmentFile f : s.segmentFiles())
        {
            g.writeStartObject();
            g.writeStringField("name", f.name());
            g.writeNumberField("bytes", f.bytes());
            g.writeNumberField("liveBytes", f.liveBytes());
            g.writeNumberField("deadBytes", f.deadBytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("indexFiles");
        for (final StoreStats.IndexFile f : s.indexFiles())
        {
            g.writeStartObject();
            g.writeStringField("name", f.name());
            g.writeNumberField("bytes", f.bytes());
            g.writeNumberField("allocatedBytes", f.allocatedBytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("compaction");
        g.writeBooleanField("running", s.compactionRunning());
        g.writeNumberField("segmentsCompacted", s.segmentsCompacted());
        g.writeNumberField("recordsCopied", s.compactionRecordsCopied());
        g.writeNumberField("bytesCopied", s.compactionBytesCopied());
        g.writeNumberField("bytesFreed", s.compactionBytesFreed());
        g.writeNumberField("bytesAwaitingDeletion", s.compactionBytesAwaitingDeletion());
        g.writeStringField("lastError", s.lastCompactionError());
        g.writeEndObject();
        g.writeObjectFieldStart("memory");
        g.writeNumberField("indexDirectBytes", s.indexDirectBytes());
        g.writeNumberField("indexDirectLimitBytes", s.indexDirectLimitBytes());
        g.writeNumberField("indexMappedBytes", s.indexMappedBytes());
        g.writeNumberField("segmentMappedBytes", s.segmentMappedBytes());
        g.writeEndObject();
        g.writeEndObject();
        g.flush();
        out.println();
    }

    /** A ratio, or null when it is not known (JSON has no NaN). */
    private static void writeRatio(final JsonGenerator g, final String name, final double r) throws IOException
    {
        if (Double.isNaN(r))
        {
            g.writeNullField(name);
        }
        else
        {
            g.writeNumberField(name, r);
        }
    }
}
