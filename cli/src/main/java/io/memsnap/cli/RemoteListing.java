package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.cli.json.JsonEntries;
import io.memsnap.cloud.RemoteSnapshot;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Prints the snapshots pushed to a prefix, newest first, as text or JSON. Thread safe: stateless. */
final class RemoteListing
{
    private RemoteListing()
    {
    }

    static void print(final List<RemoteSnapshot> oldestFirst, final boolean asJson) throws IOException
    {
        final List<RemoteSnapshot> snapshots = new ArrayList<>(oldestFirst);
        Collections.reverse(snapshots);
        if (asJson)
        {
            final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
            g.writeStartObject();
            g.writeArrayFieldStart("snapshots");
            for (final RemoteSnapshot s : snapshots)
            {
                g.writeStartObject();
                g.writeNumberField("generation", s.generation());
                g.writeNumberField("localGeneration", s.localGeneration());
                g.writeNumberField("timeline", s.timeline());
                g.writeNumberField("epoch", s.epoch());
                g.writeStringField("createdAt", s.createdAt().toString());
                g.writeStringField("pushedAt", s.pushedAt().toString());
                g.writeNumberField("lastSequence", s.lastSequence());
                g.writeNumberField("entries", s.entryCount());
                g.writeNumberField("bytes", s.bytes());
                g.writeNumberField("objects", s.objects());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
            System.out.println();
            return;
        }
        System.out.printf("%-10s %-10s %-9s %-6s %-24s %-24s %12s %12s %8s%n", "generation", "local", "timeline",
            "epoch", "created", "pushed", "entries", "bytes", "objects");
        for (final RemoteSnapshot s : snapshots)
        {
            System.out.printf("%-10d %-10d %-9d %-6d %-24s %-24s %12d %12s %8d%n", s.generation(),
                s.localGeneration(), s.timeline(), s.epoch(), s.createdAt(), s.pushedAt(), s.entryCount(),
                Demo.bytes(s.bytes()), s.objects());
        }
    }
}
