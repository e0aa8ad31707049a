package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.cli.json.JsonEntries;
import io.memsnap.cloud.RemoteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code memsnap list DIR [--json]}: the retained snapshots, newest first, the timeline of each (the current one
 * marked), and why retention keeps each; {@code memsnap list s3://bucket/prefix}: the pushed ones.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = {"List the retained snapshots, newest first, the timeline of each (the current one, that of the " +
        "newest snapshot, marked *) and why each is kept (last-N, age<D, pinned: LABEL).",
        "Given s3://bucket/prefix, list the snapshots pushed there, newest first."})
final class ListCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory, or s3://bucket/prefix.")
    String target;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Mixin
    Remotes remotes;

    @Override
    public Integer call() throws Exception
    {
        if (Remotes.isRemote(target))
        {
            try (RemoteStore remote = remotes.open(target))
            {
                RemoteListing.print(remote.snapshots(), asJson);
                return Main.OK;
            }
        }
        final Path dir = Path.of(target);
        try (MemoryStore store = Stores.readOnly(dir, null))
        {
            final List<SnapshotInfo> snapshots = store.snapshots();
            final long current = store.lastSnapshot().timeline();
            if (asJson)
            {
                printJson(snapshots, current);
                return Main.OK;
            }
            System.out.printf("%-10s %-9s %-24s %12s %12s %12s  %-30s %s%n", "generation", "timeline", "created",
                "sequence", "entries", "flushed", "kept because", "labels");
            for (final SnapshotInfo s : snapshots)
            {
                System.out.printf("%-10d %-9s %-24s %12d %12d %12s  %-30s %s%n", s.generation(),
                    s.timeline() + (s.timeline() == current ? " *" : ""), Instant.ofEpochMilli(s.createdAtMillis()),
                    s.lastSequence(), s.entryCount(), Demo.bytes(s.bytesFlushed()), keptBecause(s), s.labels());
            }
            return Main.OK;
        }
    }

    /** @return the reasons, the pin's with its expiry; "-" when no rule keeps it (the next snapshot deletes it). */
    static String keptBecause(final SnapshotInfo s)
    {
        final List<String> reasons = new ArrayList<>();
        for (final String reason : s.retainedBecause())
        {
            reasons.add(s.pinExpiresAt().isPresent() && s.pinLabel().isPresent() &&
                reason.equals("pinned: " + s.pinLabel().get()) ? reason + " (until " + s.pinExpiresAt().get() + ")" :
                reason);
        }
        return reasons.isEmpty() ? "-" : String.join(", ", reasons);
    }

    private static void printJson(final List<SnapshotInfo> snapshots, final long current) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeNumberField("timeline", current);
        g.writeArrayFieldStart("snapshots");
        for (final SnapshotInfo s : snapshots)
        {
            writeSnapshot(g, s, current);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
        System.out.println();
    }

    /**
     * Writes one snapshot as a JSON object (also the elements of {@code inspect --json}'s "snapshots").
     *
     * @param current the store's current timeline.
     */
    static void writeSnapshot(final JsonGenerator g, final SnapshotInfo s, final long current) throws IOException
    {
        g.writeStartObject();
        g.writeNumberField("generation", s.generation());
        g.writeNumberField("timeline", s.timeline());
        g.writeBooleanField("currentTimeline", s.timeline() == current);
        g.writeNumberField("createdAt", s.createdAtMillis());
        g.writeNumberField("lastSequence", s.lastSequence());
        g.writeNumberField("entries", s.entryCount());
        g.writeNumberField("bytesFlushed", s.bytesFlushed());
        g.writeArrayFieldStart("retainedBecause");
        for (final String reason : s.retainedBecause())
        {
            g.writeString(reason);
        }
        g.writeEndArray();
        if (s.pinLabel().isPresent())
        {
            g.writeObjectFieldStart("pin");
            g.writeStringField("label", s.pinLabel().get());
            if (s.pinExpiresAt().isPresent())
            {
                g.writeNumberField("expiresAt", s.pinExpiresAt().get().toEpochMilli());
            }
            g.writeEndObject();
        }
        g.writeObjectFieldStart("labels");
        for (final Map.Entry<String, String> l : s.labels().entrySet())
        {
            g.writeStringField(l.getKey(), l.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }
}
