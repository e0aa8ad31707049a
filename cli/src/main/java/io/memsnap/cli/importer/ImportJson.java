package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.memsnap.cli.json.JsonEntries;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The Jackson setup and error reporting the JSON importers share. Input is read only with the streaming parser,
 * with limits: nesting depth {@link JsonEntries#MAX_NESTING}, number literals {@link JsonEntries#MAX_NUMBER_LENGTH}
 * characters, strings {@link #MAX_STRING_LENGTH}, field names {@link #MAX_NAME_LENGTH}. NaN and Infinity literals
 * (which Python's json module writes) are parsed so that they can be refused with a precise message. Duplicate
 * keys are not tracked by Jackson (that would keep every key of a large object on the heap); the importers refuse
 * them where they matter.
 *
 * <p>Thread safe: the factory is immutable once built; the static methods are stateless.
 */
final class ImportJson
{
    /** Longest string value: the largest named state. */
    static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    /** Longest field name (knowledge-base keys are ids). */
    static final int MAX_NAME_LENGTH = 64 * 1024;

    static final JsonFactory FACTORY = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(JsonEntries.MAX_NESTING)
            .maxNumberLength(JsonEntries.MAX_NUMBER_LENGTH)
            .maxStringLength(MAX_STRING_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .build())
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .build();

    private ImportJson()
    {
    }

    /** @return an {@link InputException} saying {@code problem} at the parser's current token. */
    static InputException error(final String source, final JsonParser p, final String problem)
    {
        return new InputException(source + ": " + where(p) + ": " + problem);
    }

    /** @return the exception to report for a parse failure, with its place. */
    static InputException error(final String source, final JsonParser p, final JsonProcessingException ex)
    {
        String message = ex.getOriginalMessage();
        if (message != null && message.contains("Non-standard token"))
        {
            message = "NaN and Infinity are not JSON numbers here: " + message;
        }
        final JsonLocation at = ex.getLocation();
        return new InputException(source + ": " + (p == null ? "" : pointer(p) + " ") +
            (at == null ? "" : "(line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": malformed " +
            "JSON: " + message, ex);
    }

    /** @return the JSON pointer and line/column of the parser's current token. */
    static String where(final JsonParser p)
    {
        final JsonLocation at = p.currentTokenLocation();
        return pointer(p) + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    private static String pointer(final JsonParser p)
    {
        final String pointer = p.getParsingContext().pathAsPointer().toString();
        return pointer.isEmpty() ? "/" : pointer;
    }

    /** One member of a document's top-level object; called with the parser on the member's value. */
    @FunctionalInterface
    interface Member
    {
        void read(String key, JsonParser p) throws IOException;
    }

    /**
     * Reads a document that is one JSON object, calling {@code member} for each key in order (each key at most
     * once), and refuses anything else: not an object, a key twice, a malformed end, content after the object.
     *
     * @param what the document, for messages ("a membrain snapshot").
     * @param noun its short name, for messages ("snapshot").
     */
    static void readTopLevelObject(final String source, final JsonParser p, final String what, final String noun,
        final Member member) throws IOException
    {
        if (p.nextToken() != JsonToken.START_OBJECT)
        {
            throw error(source, p, what + " is a JSON object, found " + describe(p.currentToken()));
        }
        final Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String key = p.currentName();
            if (!keys.add(key))
            {
                throw error(source, p, "the key \"" + key + "\" appears twice");
            }
            p.nextToken();
            member.read(key, p);
        }
        if (p.currentToken() != JsonToken.END_OBJECT)
        {
            throw error(source, p, "malformed " + noun + " object");
        }
        if (p.nextToken() != null)
        {
            throw error(source, p, "unexpected content after the " + noun + " object");
        }
    }

    /** @return the token's name for messages. */
    static String describe(final JsonToken t)
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
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            default: return t.name();
        }
    }

    /**
     * @return the number at the current token as the float nearest to its decimal.
     * @throws InputException if it is not a number, is NaN or infinite, or is beyond float32's range.
     */
    static float finiteFloat(final String source, final JsonParser p, final String what) throws IOException
    {
        final JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT)
        {
            throw error(source, p, what + " must be a number, found " + describe(t));
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT && p.isNaN())
        {
            throw error(source, p, what + " is " + p.getText() + ": it must be finite");
        }
        final float f = Float.parseFloat(p.getText());
        if (!Float.isFinite(f))
        {
            throw error(source, p, what + " is " + p.getText() + ", beyond the range of a 32-bit float");
        }
        return f;
    }

    /**
     * @return the number at the current token as a finite double.
     * @throws InputException if it is not a number or not finite.
     */
    static double finiteDouble(final String source, final JsonParser p, final String what) throws IOException
    {
        final JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT)
        {
            throw error(source, p, what + " must be a number, found " + describe(t));
        }
        final double d = t == JsonToken.VALUE_NUMBER_FLOAT && p.isNaN() ? Double.NaN : Double.parseDouble(p.getText());
        if (!Double.isFinite(d))
        {
            throw error(source, p, what + " is " + p.getText() + ": it must be finite");
        }
        return d;
    }

    /** Moves past the value at the current token, or fails if the input ends inside it. */
    static void skipValue(final JsonParser p) throws IOException
    {
        p.skipChildren();
    }
}
