package io.memsnap.cli.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.memsnap.EntryView;
import io.memsnap.InvalidEntryException;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;

/**
 * The JSON Lines shape of an entry, read and written with Jackson's streaming API:
 * {@code {"id": "...", "indices": [..], "values": [..], "importance": 0.5, "storedAt": 1700000000000,
 * "metadata": "base64"}} (importance, storedAt and metadata optional when reading).
 *
 * <p>Values are float32: a decimal is read as the float nearest to it ({@link Float#parseFloat}), and written as
 * the shortest decimal that reads back as the same float, so a dump loads back bit for bit.
 *
 * <p>Hostile input is bounded: nesting depth, string, number and document lengths are capped by
 * {@link StreamReadConstraints}; arrays grow only up to the dimension. Not thread safe.
 */
public final class JsonEntries
{
    /** Deepest nesting accepted in any JSON memsnap reads. */
    public static final int MAX_NESTING = 64;
    /** Longest number literal accepted. */
    public static final int MAX_NUMBER_LENGTH = 64;

    private final JsonFactory factory;

    public JsonEntries(final int maxStringBytes)
    {
        factory = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(maxStringBytes)
                .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    }

    public JsonFactory factory()
    {
        return factory;
    }

    /** One entry as read from JSON. */
    public static final class Parsed
    {
        public String id;
        public int[] indices;
        public float[] values;
        public float importance = 1.0f;
        public long storedAt;
        public byte[] metadata = new byte[0];
    }

    /**
     * Parses one JSON object (the parser is before its START_OBJECT, or on it).
     *
     * @param maxNonZeros the most indices accepted (the store's dimension).
     * @throws InvalidEntryException naming the field that is wrong.
     */
    public Parsed parse(final JsonParser p, final int maxNonZeros, final long defaultStoredAt) throws IOException
    {
        JsonToken t = p.currentToken() == JsonToken.START_OBJECT ? p.currentToken() : p.nextToken();
        if (t != JsonToken.START_OBJECT)
        {
            throw new InvalidEntryException("expected a JSON object, found " + describe(t));
        }
        final Parsed e = new Parsed();
        e.storedAt = defaultStoredAt;
        boolean haveStoredAt = false;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME)
        {
            final String field = p.currentName();
            t = p.nextToken();
            switch (field)
            {
                case "id":
                    expect(t, JsonToken.VALUE_STRING, field);
                    e.id = p.getText();
                    break;
                case "indices":
                    e.indices = readInts(p, t, maxNonZeros);
                    break;
                case "values":
                    e.values = readFloats(p, t, maxNonZeros);
                    break;
                case "importance":
                    e.importance = readFloat(p, t, field);
                    break;
                case "storedAt":
                    expect(t, JsonToken.VALUE_NUMBER_INT, field);
                    e.storedAt = p.getLongValue();
                    haveStoredAt = true;
                    break;
                case "metadata":
                    if (t != JsonToken.VALUE_NULL)
                    {
                        expect(t, JsonToken.VALUE_STRING, field);
                        try
                        {
                            e.metadata = Base64.getDecoder().decode(p.getText());
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            throw new InvalidEntryException("\"metadata\" is not valid base64: " + ex.getMessage());
                        }
                    }
                    break;
                default:
                    throw new InvalidEntryException("unknown field \"" + field + "\" (expected id, indices, values, " +
                        "importance, storedAt, metadata)");
            }
        }
        if (t != JsonToken.END_OBJECT)
        {
            throw new InvalidEntryException("malformed object");
        }
        if (e.id == null || e.indices == null || e.values == null)
        {
            throw new InvalidEntryException("an entry needs \"id\", \"indices\" and \"values\"");
        }
        if (!haveStoredAt)
        {
            e.storedAt = defaultStoredAt;
        }
        return e;
    }

    private static int[] readInts(final JsonParser p, final JsonToken start, final int max) throws IOException
    {
        expect(start, JsonToken.START_ARRAY, "indices");
        int[] a = new int[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY)
        {
            expect(t, JsonToken.VALUE_NUMBER_INT, "indices[" + n + "]");
            if (n == max)
            {
                throw new InvalidEntryException("\"indices\" has more than " + max + " elements");
            }
            if (p.getNumberType() != JsonParser.NumberType.INT)
            {
                throw new InvalidEntryException("\"indices[" + n + "]\" = " + p.getText() + " is not a 32-bit int");
            }
            if (n == a.length)
            {
                a = Arrays.copyOf(a, Math.min(max, a.length * 2));
            }
            a[n++] = p.getIntValue();
        }
        return Arrays.copyOf(a, n);
    }

    private static float[] readFloats(final JsonParser p, final JsonToken start, final int max) throws IOException
    {
        expect(start, JsonToken.START_ARRAY, "values");
        float[] a = new float[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY)
        {
            if (n == max)
            {
                throw new InvalidEntryException("\"values\" has more than " + max + " elements");
            }
            if (n == a.length)
            {
                a = Arrays.copyOf(a, Math.min(max, a.length * 2));
            }
            a[n] = readFloat(p, t, "values[" + n + "]");
            n++;
        }
        return Arrays.copyOf(a, n);
    }

    /** @return the float nearest to the decimal (not the double rounded again to a float). */
    public static float readFloat(final JsonParser p, final JsonToken t, final String field) throws IOException
    {
        if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT)
        {
            throw new InvalidEntryException("\"" + field + "\" must be a number, found " + describe(t));
        }
        return Float.parseFloat(p.getText());
    }

    private static void expect(final JsonToken t, final JsonToken wanted, final String field)
    {
        if (t != wanted)
        {
            throw new InvalidEntryException("\"" + field + "\" must be " + describe(wanted) + ", found " + describe(t));
        }
    }

    private static String describe(final JsonToken t)
    {
        if (t == null)
        {
            return "the end of the input";
        }
        switch (t)
        {
            case START_OBJECT: return "an object";
            case START_ARRAY: return "an array";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT: return "an integer";
            case VALUE_NUMBER_FLOAT: return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            default: return t.asString() == null ? t.name() : t.asString();
        }
    }

    /** @return a generator writing UTF-8 JSON to {@code out}. */
    public JsonGenerator generator(final OutputStream out) throws IOException
    {
        final JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8);
        g.setRootValueSeparator(null);
        return g;
    }

    /** Writes one entry as one JSON object (no line break). Allocates the id and metadata strings. */
    public static void write(final JsonGenerator g, final EntryView e) throws IOException
    {
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeArrayFieldStart("indices");
        for (int i = 0; i < e.nnz(); i++)
        {
            g.writeNumber(e.index(i));
        }
        g.writeEndArray();
        g.writeArrayFieldStart("values");
        for (int i = 0; i < e.nnz(); i++)
        {
            g.writeNumber(Float.toString(e.value(i)));
        }
        g.writeEndArray();
        g.writeFieldName("importance");
        g.writeNumber(Float.toString(e.importance()));
        g.writeNumberField("storedAt", e.storedAtMillis());
        if (e.metadataLength() > 0)
        {
            final byte[] metadata = new byte[e.metadataLength()];
            e.getMetadata(metadata, 0);
            g.writeStringField("metadata", Base64.getEncoder().encodeToString(metadata));
        }
        g.writeEndObject();
    }
}
