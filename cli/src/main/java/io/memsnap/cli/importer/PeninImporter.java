package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.InvalidEntryException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Imports a PENIN orchestrator state file (JSON), parsed as a stream, never as a tree:
 * {@code {"knowledge_base": {"key": {"__type__": "NumericVectorArtifact", "vector": [...], "metadata": {...}}},
 * "task_history": {"__type__": "deque", "items": [...], "maxlen": N}, "score_history": {...}}}.
 *
 * <ul>
 * <li>Each knowledge-base key is an id; its artifact's {@code vector} (a dense list, or a NumPy object) becomes a
 * sparse vector without its zeros, and its length is the store's dimension (every vector's must agree); its
 * {@code metadata} object becomes the entry's metadata as compact JSON (none when absent or null); importance is
 * 1 and the timestamp the import's time, as PENIN keeps neither. {@code __type__} must be
 * {@code NumericVectorArtifact}; other keys of an artifact are ignored. A repeated key is refused, naming it.</li>
 * <li>{@code task_history} and {@code score_history} must be deques ({@code __type__} "deque", {@code items} a
 * list of at most {@code maxlen} items, {@code maxlen} a non-negative integer or null) and become named states of
 * those names holding the deque's compact JSON, {@code maxlen} included.</li>
 * <li>Any other top-level key becomes a named state of that name holding its compact JSON.</li>
 * <li>The snapshot gets the label {@code source=penin}.</li>
 * </ul>
 *
 * Not thread safe; one use.
 */
public final class PeninImporter implements FormatImporter
{
    /** The artifact type a knowledge-base value must have. */
    public static final String ARTIFACT_TYPE = "NumericVectorArtifact";

    private final Path file;
    private final LongConsumer progress;
    private final String source;
    private final DenseVectorReader vectors;
    private final JsonCopier copier;
    private CountingInputStream counting;
    private int vectorLength = -1;

    /** @param progress told the bytes of the file read so far (may be null). */
    public PeninImporter(final Path file, final LongConsumer progress)
    {
        this.file = file;
        this.progress = progress == null ? n -> { } : progress;
        this.source = "penin " + file;
        this.vectors = new DenseVectorReader(source);
        this.copier = new JsonCopier(source);
    }

    @Override
    public String format()
    {
        return "penin";
    }

    @Override
    public void importInto(final ImportSink sink) throws IOException
    {
        JsonParser p = null;
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(file)))
        {
            counting = in;
            p = ImportJson.FACTORY.createParser(new BufferedInputStream(in, 1 << 16));
            try (JsonParser parser = p)
            {
                readState(parser, sink);
            }
        }
        catch (final JsonProcessingException ex)
        {
            throw ImportJson.error(source, p, ex);
        }
    }

    private void readState(final JsonParser p, final ImportSink sink) throws IOException
    {
        ImportJson.readTopLevelObject(source, p, "a PENIN state", "state", (key, value) ->
        {
            if ("knowledge_base".equals(key))
            {
                readKnowledgeBase(value, sink);
                return;
            }
            final byte[] json = copier.copy(value, sink.limits().maxStateBytes(), "\"" +
                ImportSink.abbreviate(key) + "\"");
            if ("task_history".equals(key) || "score_history".equals(key))
            {
                checkDeque(value, key, json);
            }
            try
            {
                sink.putState(key, json);
            }
            catch (final InvalidEntryException ex)
            {
                throw ImportJson.error(source, value, ex.getMessage());
            }
        });
        sink.label("source", "penin");
    }

    private void readKnowledgeBase(final JsonParser p, final ImportSink sink) throws IOException
    {
        if (p.currentToken() != JsonToken.START_OBJECT)
        {
            throw ImportJson.error(source, p, "\"knowledge_base\" must be an object, found " +
                ImportJson.describe(p.currentToken()));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String id = p.currentName();
            final int max = sink.limits().maxIdBytes();
            if (id.length() > max || id.getBytes(StandardCharsets.UTF_8).length > max)
            {
                throw ImportJson.error(source, p, "key '" + ImportSink.abbreviate(id) + "' is longer than " + max +
                    " UTF-8 bytes (StoreOptions.maxIdBytes)");
            }
            if (p.nextToken() != JsonToken.START_OBJECT)
            {
                throw ImportJson.error(source, p, "a knowledge-base value must be a " + ARTIFACT_TYPE + " object, " +
                    "found " + ImportJson.describe(p.currentToken()));
            }
            readArtifact(p, sink, id);
            progress.accept(counting.count());
        }
    }

    private void readArtifact(final JsonParser p, final ImportSink sink, final String id) throws IOException
    {
        String type = null;
        int[] indices = null;
        float[] values = null;
        byte[] metadata = new byte[0];
        final Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String key = p.currentName();
            if (!keys.add(key))
            {
                throw ImportJson.error(source, p, "the key \"" + key + "\" appears twice in an artifact");
            }
            final JsonToken t = p.nextToken();
            switch (key)
            {
                case "__type__":
                    if (t != JsonToken.VALUE_STRING || !ARTIFACT_TYPE.equals(p.getText()))
                    {
                        throw ImportJson.error(source, p, "\"__type__\" must be \"" + ARTIFACT_TYPE + "\", found " +
                            (t == JsonToken.VALUE_STRING ? "\"" + ImportSink.abbreviate(p.getText()) + "\"" :
                            ImportJson.describe(t)));
                    }
                    type = p.getText();
                    break;
                case "vector":
                    final Integer asked = sink.options().dimension();
                    vectors.read(p, vectorLength >= 0 ? vectorLength : asked != null ? asked :
                        DenseVectorReader.MAX_DENSE_LENGTH, "vector");
                    checkLength(p, sink, vectors.length());
                    indices = vectors.indices();
                    values = vectors.values();
                    break;
                case "metadata":
                    if (t == JsonToken.START_OBJECT)
                    {
                        metadata = copier.copy(p, sink.limits().maxMetadataBytes(), "\"metadata\"");
                    }
                    else if (t != JsonToken.VALUE_NULL)
                    {
                        throw ImportJson.error(source, p, "\"metadata\" must be an object or null, found " +
                            ImportJson.describe(t));
                    }
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (type == null || indices == null)
        {
            throw ImportJson.error(source, p, "an artifact needs \"__type__\": \"" + ARTIFACT_TYPE + "\" and " +
                "\"vector\"");
        }
        try
        {
            sink.put(id, indices, values, 1.0f, sink.options().nowMillis(), metadata);
        }
        catch (final InvalidEntryException ex)
        {
            throw ImportJson.error(source, p, ex.getMessage());
        }
    }

    private void checkLength(final JsonParser p, final ImportSink sink, final int length)
    {
        if (vectorLength < 0)
        {
            if (length == 0)
            {
                throw ImportJson.error(source, p, "\"vector\" is empty: the store's dimension is the length of " +
                    "the vectors");
            }
            vectorLength = length;
            sink.open(length);
        }
        else if (length != vectorLength)
        {
            throw ImportJson.error(source, p, "\"vector\" has " + length + " elements, the first artifact's " +
                vectorLength + ": every vector must have the same length (the dimension)");
        }
    }

    /** Checks a deque's copied JSON: {@code {"__type__": "deque", "items": [...], "maxlen": N or null}}. */
    private void checkDeque(final JsonParser at, final String name, final byte[] json) throws IOException
    {
        try (JsonParser q = ImportJson.FACTORY.createParser(json))
        {
            if (q.nextToken() != JsonToken.START_OBJECT)
            {
                throw ImportJson.error(source, at, "\"" + name + "\" must be a deque object {\"__type__\": " +
                    "\"deque\", \"items\": [...], \"maxlen\": ...}");
            }
            boolean typed = false;
            long items = -1;
            Long maxlen = null;
            while (q.nextToken() == JsonToken.FIELD_NAME)
            {
                final String key = q.currentName();
                final JsonToken t = q.nextToken();
                if ("__type__".equals(key))
                {
                    typed = t == JsonToken.VALUE_STRING && "deque".equals(q.getText());
                }
                else if ("items".equals(key))
                {
                    if (t != JsonToken.START_ARRAY)
                    {
                        throw ImportJson.error(source, at, "\"" + name + "\".items must be a list");
                    }
                    items = 0;
                    while (q.nextToken() != JsonToken.END_ARRAY)
                    {
                        q.skipChildren();
                        items++;
                    }
                }
                else if ("maxlen".equals(key))
                {
                    if (t == JsonToken.VALUE_NUMBER_INT && q.getNumberType() != JsonParser.NumberType.BIG_INTEGER &&
                        q.getLongValue() >= 0)
                    {
                        maxlen = q.getLongValue();
                    }
                    else if (t != JsonToken.VALUE_NULL)
                    {
                        throw ImportJson.error(source, at, "\"" + name + "\".maxlen must be a non-negative integer " +
                            "or null, found " + q.getText());
                    }
                }
                else
                {
                    q.skipChildren();
                }
            }
            if (!typed || items < 0)
            {
                throw ImportJson.error(source, at, "\"" + name + "\" must be a deque object {\"__type__\": " +
                    "\"deque\", \"items\": [...], \"maxlen\": ...}");
            }
            if (maxlen != null && items > maxlen)
            {
                throw ImportJson.error(source, at, "\"" + name + "\" holds " + items + " items, more than its " +
                    "maxlen " + maxlen);
            }
        }
    }
}
