package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.InvalidEntryException;
import io.memsnap.cli.json.JsonEntries;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Imports JSON Lines in the shape {@code dump} and {@code export --format jsonl} write (one
 * {@code {"id", "indices", "values", "importance", "storedAt", "metadata"}} object a line). The input is read by one
 * streaming parser, so a line's length is bounded by the per-value limits, not by a line buffer. The store gets
 * --dimension, or {@link ImportOptions#DEFAULT_DIMENSION}. Not thread safe; one use.
 */
public final class JsonlImporter implements FormatImporter
{
    private final Path file;
    private final LongConsumer progress;

    /** @param progress told the bytes of the file read so far (may be null). */
    public JsonlImporter(final Path file, final LongConsumer progress)
    {
        this.file = file;
        this.progress = progress == null ? n -> { } : progress;
    }

    @Override
    public String format()
    {
        return "jsonl";
    }

    @Override
    public void importInto(final ImportSink sink) throws IOException
    {
        sink.openDefault();
        final JsonEntries json = new JsonEntries(4 * sink.limits().maxMetadataBytes() + 4 * 1024 * 1024);
        final long now = sink.options().nowMillis();
        final String source = file.toString();
        try (CountingInputStream counting = new CountingInputStream(Files.newInputStream(file));
            JsonParser p = json.factory().createParser(new BufferedInputStream(counting, 1 << 16)))
        {
            long lastLine = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null)
            {
                final long line = p.currentTokenLocation().getLineNr();
                if (t != JsonToken.START_OBJECT)
                {
                    throw new InputException(source + ": line " + line + ": expected a JSON object, found " +
                        ImportJson.describe(t));
                }
                if (line == lastLine)
                {
                    throw new InputException(source + ": line " + line + ": a second object on one line (JSON " +
                        "Lines holds one object a line)");
                }
                try
                {
                    final JsonEntries.Parsed e = json.parse(p, sink.dimension(), now);
                    sink.put(e.id, e.indices, e.values, e.importance, e.storedAt, e.metadata);
                }
                catch (final InvalidEntryException ex)
                {
                    throw new InputException(source + ": line " + line + ": " + ex.getMessage(), ex);
                }
                lastLine = p.currentTokenLocation().getLineNr();
                progress.accept(counting.count());
            }
        }
        catch (final JsonProcessingException ex)
        {
            throw ImportJson.error(source, null, ex);
        }
    }
}
