package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.SalvageReport;
import io.memsnap.cli.json.JsonEntries;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link SalvageReport} as text or as one JSON object. Thread safe: stateless. */
final class SalvageOutput
{
    private SalvageOutput()
    {
    }

    /** The report for people: what was salvaged, then every loss, one a line, then the notes. */
    static void text(final SalvageReport r, final PrintStream out)
    {
        out.println("salvaged " + r.source() + " into " + r.target() + ": " + r.entries() + " entries and " +
            r.states() + " named states (" + r.recordsRead() + " valid writes read, newest sequence " +
            r.lastSequence() + ")");
        out.println("dimension " + r.dimension() + " (" + describe(r.dimensionSource()) + "), snapshot generation " +
            r.snapshot().generation() + ", labels " + r.snapshot().labels());
        out.println("lost: " + (!r.nothingLost() ? lossSummary(r) : r.lostRanges().isEmpty() ? "nothing" :
            "nothing (the damaged ranges below held no write)"));
        for (final SalvageReport.LostRange range : r.lostRanges())
        {
            out.println("  range " + range);
        }
        for (final SalvageReport.MissingWrites missing : r.missingWrites())
        {
            out.println("  missing " + missing);
        }
        for (final SalvageReport.LostKey key : r.lostKeys())
        {
            out.println("  " + key);
        }
        for (final String note : r.notes())
        {
            out.println("note: " + note);
        }
    }

    /** @return "N damaged range(s), W write(s), K id(s)" with "or more" where a count is a lower bound. */
    static String lossSummary(final SalvageReport r)
    {
        long writes = 0;
        boolean unknown = false;
        for (final SalvageReport.LostRange range : r.lostRanges())
        {
            unknown |= range.writesLost() < 0;
            writes += Math.max(0, range.writesLost());
        }
        for (final SalvageReport.MissingWrites missing : r.missingWrites())
        {
            writes += missing.lastSequence() - missing.firstSequence() + 1;
        }
        if (unknown)
        {
            // The newest snapshot's writes were durable: those above the newest one read were lost.
            writes += Math.max(0, r.snapshotSequence() - r.lastSequence());
        }
        return r.lostRanges().size() + " damaged range(s), " + writes + (unknown ? " or more" : "") +
            " write(s), " + r.lostKeys().size() + " id(s) lost or uncertain";
    }

    private static String describe(final SalvageReport.DimensionSource source)
    {
        switch (source)
        {
            case MANIFEST:
                return "from a manifest";
            case GIVEN:
                return "as given: no manifest validates";
            default:
                return "inferred: no manifest validates and none was given";
        }
    }

    /** The report as one JSON object, then a newline. */
    static void json(final SalvageReport r, final OutputStream out) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(out);
        g.writeStartObject();
        g.writeStringField("source", r.source().toString());
        g.writeStringField("target", r.target().toString());
        g.writeBooleanField("nothingLost", r.nothingLost());
        g.writeNumberField("entries", r.entries());
        g.writeNumberField("states", r.states());
        g.writeNumberField("recordsRead", r.recordsRead());
        g.writeNumberField("lastSequence", r.lastSequence());
        g.writeNumberField("snapshotSequence", r.snapshotSequence());
        g.writeNumberField("dimension", r.dimension());
        g.writeStringField("dimensionSource", r.dimensionSource().name().toLowerCase(Locale.ROOT));
        g.writeNumberField("snapshotGeneration", r.snapshot().generation());
        g.writeObjectFieldStart("labels");
        for (final Map.Entry<String, String> l : r.snapshot().labels().entrySet())
        {
            g.writeStringField(l.getKey(), l.getValue());
        }
        g.writeEndObject();
        g.writeArrayFieldStart("lostRanges");
        for (final SalvageReport.LostRange range : r.lostRanges())
        {
            g.writeStartObject();
            g.writeStringField("file", range.file().getFileName().toString());
            g.writeNumberField("from", range.from());
            g.writeNumberField("to", range.to());
            g.writeNumberField("length", range.length());
            g.writeStringField("problem", range.problem());
            g.writeNumberField("afterSequence", range.afterSequence());
            g.writeNumberField("beforeSequence", range.beforeSequence());
            g.writeNumberField("writesLost", range.writesLost());
            strings(g, "ids", range.ids());
            strings(g, "stateNames", range.stateNames());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("missingWrites");
        for (final SalvageReport.MissingWrites missing : r.missingWrites())
        {
            g.writeStartObject();
            g.writeNumberField("firstSequence", missing.firstSequence());
            g.writeNumberField("lastSequence", missing.lastSequence());
            g.writeStringField("why", missing.why());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("lostKeys");
        for (final SalvageReport.LostKey key : r.lostKeys())
        {
            g.writeStartObject();
            g.writeStringField(key.state() ? "state" : "id", key.key());
            g.writeStringField("status", key.uncertain() ? "uncertain" : "lost");
            g.writeNumberField("salvagedSequence", key.salvagedSequence());
            g.writeStringField("file", key.file().getFileName().toString());
            g.writeNumberField("offset", key.offset());
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "notes", r.notes());
        g.writeEndObject();
        g.flush();
        out.write('\n');
        out.flush();
    }

    private static void strings(final JsonGenerator g, final String field, final List<String> values)
        throws IOException
    {
        g.writeArrayFieldStart(field);
        for (final String value : values)
        {
            g.writeString(value);
        }
        g.writeEndArray();
    }
}
