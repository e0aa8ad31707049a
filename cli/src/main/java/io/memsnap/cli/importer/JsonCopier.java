package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Copies one JSON value from a parser as compact UTF-8 JSON of at most a given size, token by token (never a tree
 * of the input): numbers keep their exact text, key order is kept. Refuses NaN and Infinity (not JSON), duplicate
 * keys within an object (the copy must mean one thing), and values larger than the limit, naming the place. Not
 * thread safe.
 */
final class JsonCopier
{
    private final String source;

    JsonCopier(final String source)
    {
        this.source = source;
    }

    /**
     * Copies the value at the parser's current token; afterwards the parser is on the value's last token.
     *
     * @param maxBytes the largest copy accepted.
     * @param what     names the value in messages.
     */
    byte[] copy(final JsonParser p, final int maxBytes, final String what) throws IOException
    {
        final Bounded out = new Bounded(maxBytes);
        final ArrayDeque<Set<String>> keys = new ArrayDeque<>();
        try (JsonGenerator g = ImportJson.FACTORY.createGenerator(out, JsonEncoding.UTF8))
        {
            int depth = 0;
            JsonToken t = p.currentToken();
            while (true)
            {
                if (t == null)
                {
                    throw ImportJson.error(source, p, "the input ends inside " + what);
                }
                switch (t)
                {
                    case START_OBJECT:
                        g.writeStartObject();
                        keys.push(new HashSet<>());
                        depth++;
                        break;
                    case END_OBJECT:
                        g.writeEndObject();
                        keys.pop();
                        depth--;
                        break;
                    case START_ARRAY:
                        g.writeStartArray();
                        depth++;
                        break;
                    case END_ARRAY:
                        g.writeEndArray();
                        depth--;
                        break;
                    case FIELD_NAME:
                        final String name = p.currentName();
                        if (!keys.peek().add(name))
                        {
                            throw ImportJson.error(source, p, what + " repeats the key \"" + name + "\"");
                        }
                        g.writeFieldName(name);
                        break;
                    case VALUE_STRING:
                        g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                        break;
                    case VALUE_NUMBER_INT:
                        g.writeNumber(p.getText());
                        break;
                    case VALUE_NUMBER_FLOAT:
                        if (p.isNaN())
                        {
                            throw ImportJson.error(source, p, what + " holds " + p.getText() + ", which is not a " +
                                "JSON number");
                        }
                        g.writeNumber(p.getText());
                        break;
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        g.writeBoolean(t == JsonToken.VALUE_TRUE);
                        break;
                    case VALUE_NULL:
                        g.writeNull();
                        break;
                    default:
                        throw ImportJson.error(source, p, what + " holds an unexpected " + t);
                }
                if (depth == 0)
                {
                    break;
                }
                if (out.size() > maxBytes)
                {
                    throw tooLarge(p, what, maxBytes);
                }
                t = p.nextToken();
            }
        }
        catch (final Bounded.Overflow ex)
        {
            throw tooLarge(p, what, maxBytes);
        }
        if (out.size() > maxBytes)
        {
            throw tooLarge(p, what, maxBytes);
        }
        return out.toByteArray();
    }

    private InputException tooLarge(final JsonParser p, final String what, final int maxBytes)
    {
        return ImportJson.error(source, p, what + " is larger than " + maxBytes + " bytes as compact JSON");
    }

    /** A byte buffer that refuses to grow past its limit. */
    private static final class Bounded extends ByteArrayOutputStream
    {
        private final int limit;

        Bounded(final int limit)
        {
            super(Math.min(limit, 1024) + 1);
            this.limit = limit;
        }

        @Override
        public synchronized void write(final int b)
        {
            check(1);
            super.write(b);
        }

        @Override
        public synchronized void write(final byte[] b, final int off, final int len)
        {
            check(len);
            super.write(b, off, len);
        }

        private void check(final int more)
        {
            if ((long)count + more > limit + 1L)
            {
                throw new Overflow();
            }
        }

        /** Thrown out of the generator when the copy grows past the limit. */
        static final class Overflow extends RuntimeException
        {
            private static final long serialVersionUID = 1L;

            Overflow()
            {
                super(null, null, false, false);
            }
        }
    }
}
