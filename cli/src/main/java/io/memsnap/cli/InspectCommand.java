package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.StoreStats;
import io.memsnap.cli.json.JsonEntries;
import io.memsnap.internal.fs.AllocatedBytes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code memsnap inspect DIR [--json]}: what a store holds, and the disk space its files take: their lengths and their
 * allocated blocks (index files after the first generation are sparse: far less is allocated than their length).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show format version, snapshot, entries, files, bytes, live and dead bytes per segment, " +
        "snapshots, labels and state names.")
final class InspectCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        try (MemoryStore store = Stores.readOnly(dir, null))
        {
            final SnapshotInfo newest = store.lastSnapshot();
            final List<SnapshotInfo> snapshots = store.snapshots();
            final List<String> states = store.stateNames();
            final FileSizes sizes = FileSizes.of(dir);
            final List<String> quarantined = quarantined(dir);
            final StoreStats space = store.statsForReport();
            if (asJson)
            {
                printJson(store, newest, snapshots, states, sizes, quarantined, space);
            }
            else
            {
                System.out.println("store        " + dir.toAbsolutePath());
                System.out.println("format       " + formatVersion(dir, newest.generation()) +
                    " (the newest snapshot's manifest; this build writes " +
                    io.memsnap.internal.format.FormatVersion.CURRENT_MAJOR + "." +
                    io.memsnap.internal.format.FormatVersion.CURRENT_MINOR + ")");
                System.out.println("generation   " + newest.generation() + " (sequence " + newest.lastSequence() +
                    ", index checkpoint at " + newest.checkpointSequence() + ", timeline " + newest.timeline() + ")");
                System.out.println("entries      " + newest.entryCount());
                System.out.println("dimension    " + store.dimension());
                System.out.println("on disk      " + Demo.bytes(sizes.bytes) + " in " + sizes.segments + " segment(s), " +
                    "index and manifests, " + allocated(sizes.allocatedBytes) + " allocated");
                for (final FileSizes.File index : sizes.indexFiles)
                {
                    System.out.println("index file   " + index.name + ": " + Demo.bytes(index.bytes) + " long, " +
                        allocated(index.allocatedBytes) + " allocated");
                }
                System.out.println("snapshots    " + snapshots.stream().map(s -> String.valueOf(s.generation()))
                    .reduce((a, b) -> a + ", " + b).orElse("none"));
                System.out.println("space        " + Demo.bytes(space.segmentBytes()) + " of segment files for " +
                    Demo.bytes(space.liveBytes()) + " of live records, " + Demo.bytes(space.deadBytes()) + " dead " +
                    "(amplification " + String.format("%.2f", space.segmentAmplification()) + ")");
                for (final StoreStats.SegmentFile f : space.segmentFiles())
                {
                    System.out.println(String.format("  %s  %,14d bytes  %,14d live  %,14d dead", f.name(),
                        f.bytes(), f.liveBytes(), f.deadBytes()));
                }
                System.out.println("labels       " + newest.labels());
                System.out.println("states       " + states);
                if (!quarantined.isEmpty())
                {
                    System.out.println("quarantine   " + quarantined.size() + " file(s) recovery moved aside instead " +
                        "of deleting them (a cut tail or a snapshot that did not validate): " + quarantined);
                }
            }
            return Main.OK;
        }
    }

    /**
     * @return the format version in the header of the manifest of {@code generation} ("major.minor"), or "unknown"
     * if a writer beside us retired it since the store was opened.
     */
    static String formatVersion(final Path dir, final long generation)
    {
        try
        {
            final io.memsnap.internal.snapshot.Manifest m = new io.memsnap.internal.snapshot.ManifestStore(
                io.memsnap.internal.fs.StoreFileSystem.real(), dir).read(generation); // only read
            return m.majorVersion + "." + m.minorVersion;
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    /** @return the names of the files recovery moved into the store's quarantine folder, sorted. */
    private static List<String> quarantined(final Path dir) throws IOException
    {
        final Path folder = dir.resolve(io.memsnap.internal.StoreDirectory.QUARANTINE);
        if (!Files.isDirectory(folder))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** @return allocated bytes for people, or "unknown" where they cannot be found out. */
    private static String allocated(final long bytes)
    {
        return bytes == AllocatedBytes.UNKNOWN ? "unknown" : Demo.bytes(bytes);
    }

    private static void printJson(final MemoryStore store, final SnapshotInfo newest,
        final List<SnapshotInfo> snapshots, final List<String> states, final FileSizes sizes,
        final List<String> quarantined, final StoreStats space) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeStringField("formatVersion", formatVersion(store.directory(), newest.generation()));
        g.writeNumberField("generation", newest.generation());
        g.writeNumberField("lastSequence", newest.lastSequence());
        g.writeNumberField("checkpointSequence", newest.checkpointSequence());
        g.writeNumberField("timeline", newest.timeline());
        g.writeNumberField("entries", newest.entryCount());
        g.writeNumberField("dimension", store.dimension());
        g.writeNumberField("bytes", sizes.bytes);
        g.writeNumberField("allocatedBytes", sizes.allocatedBytes);
        g.writeNumberField("segments", sizes.segments);
        g.writeArrayFieldStart("indexFiles");
        for (final FileSizes.File index : sizes.indexFiles)
        {
            g.writeStartObject();
            g.writeStringField("name", index.name);
            g.writeNumberField("bytes", index.bytes);
            g.writeNumberField("allocatedBytes", index.allocatedBytes);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeObjectFieldStart("space");
        g.writeNumberField("segmentBytes", space.segmentBytes());
        g.writeNumberField("liveBytes", space.liveBytes());
        g.writeNumberField("deadBytes", space.deadBytes());
        g.writeNumberField("amplification", space.segmentAmplification());
        g.writeArrayFieldStart("files");
        for (final StoreStats.SegmentFile f : space.segmentFiles())
        {
            g.writeStartObject();
            g.writeStringField("file", f.name());
            g.writeNumberField("bytes", f.bytes());
            g.writeNumberField("liveBytes", f.liveBytes());
            g.writeNumberField("deadBytes", f.deadBytes());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeArrayFieldStart("snapshots");
        for (final SnapshotInfo s : snapshots)
        {
            ListCommand.writeSnapshot(g, s, newest.timeline());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("states");
        for (final String s : states)
        {
            g.writeString(s);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("quarantined");
        for (final String q : quarantined)
        {
            g.writeString(q);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
        System.out.println();
    }
}
