package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads a dense vector, a JSON list of numbers or a NumPy object {@code {"__numpy__": true, "data": [...],
 * "dtype": "float32"}}, straight into sparse form: exact zeros are dropped as they are read, so memory is the
 * non-zeros only. Values become the float32 nearest their decimal; NaN, infinities and values beyond float32 are
 * refused, as are nested lists. Not thread safe; reusable.
 */
final class DenseVectorReader
{
    /** Longest dense vector read when no dimension is known yet. */
    static final int MAX_DENSE_LENGTH = 1 << 24;

    private static final Set<String> DTYPES = Set.of("float16", "float32", "float64", "int8", "int16", "int32",
        "int64", "uint8", "uint16", "uint32", "uint64");

    private final String source;
    private int[] indices = new int[64];
    private float[] values = new float[64];
    private int nnz;
    private int length;

    DenseVectorReader(final String source)
    {
        this.source = source;
    }

    /**
     * Reads the vector at the parser's current token (a START_ARRAY or a START_OBJECT).
     *
     * @param maxLength the most elements accepted.
     * @param what      names the vector in messages.
     */
    void read(final JsonParser p, final int maxLength, final String what) throws IOException
    {
        nnz = 0;
        length = 0;
        final JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY)
        {
            readList(p, maxLength, what);
        }
        else if (t == JsonToken.START_OBJECT)
        {
            readNumpy(p, maxLength, what);
        }
        else
        {
            throw ImportJson.error(source, p, what + " must be a list of numbers or a NumPy object " +
                "{\"__numpy__\": true, \"data\": [...], \"dtype\": ...}, found " + ImportJson.describe(t));
        }
    }

    private void readNumpy(final JsonParser p, final int maxLength, final String what) throws IOException
    {
        boolean marked = false;
        boolean haveData = false;
        String dtype = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME)
        {
            final String field = p.currentName();
            t = p.nextToken();
            switch (field)
            {
                case "__numpy__":
                    if (t != JsonToken.VALUE_TRUE)
                    {
                        throw ImportJson.error(source, p, what + ": \"__numpy__\" must be true");
                    }
                    marked = true;
                    break;
                case "data":
                    if (haveData)
                    {
                        throw ImportJson.error(source, p, what + ": duplicate key \"data\"");
                    }
                    if (t != JsonToken.START_ARRAY)
                    {
                        throw ImportJson.error(source, p, what + ": \"data\" must be a list, found " +
                            ImportJson.describe(t));
                    }
                    readList(p, maxLength, what);
                    haveData = true;
                    break;
                case "dtype":
                    if (t != JsonToken.VALUE_STRING || !DTYPES.contains(p.getText()))
                    {
                        throw ImportJson.error(source, p, what + ": \"dtype\" must be one of " + DTYPES +
                            " (a 1-D numeric array), found " + (t == JsonToken.VALUE_STRING ? "\"" + p.getText() +
                            "\"" : ImportJson.describe(t)));
                    }
                    dtype = p.getText();
                    break;
                default:
                    throw ImportJson.error(source, p, what + ": unknown key \"" + field + "\" in a NumPy object " +
                        "(expected __numpy__, data, dtype)");
            }
        }
        if (!marked || !haveData || dtype == null)
        {
            throw ImportJson.error(source, p, what + " is an object but not a NumPy array: it needs \"__numpy__\": " +
                "true, \"data\" and \"dtype\"");
        }
    }

    private void readList(final JsonParser p, final int maxLength, final String what) throws IOException
    {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY)
        {
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT)
            {
                throw ImportJson.error(source, p, what + "[" + length + "] is " + ImportJson.describe(t) +
                    ": the vector must be one-dimensional");
            }
            if (length == maxLength)
            {
                throw ImportJson.error(source, p, what + " has more than " + maxLength + " elements" +
                    (maxLength == MAX_DENSE_LENGTH ? "" : " (the dimension)"));
            }
            final float v = ImportJson.finiteFloat(source, p, what + "[" + length + "]");
            if (v != 0.0f)
            {
                if (nnz == indices.length)
                {
                    indices = Arrays.copyOf(indices, indices.length * 2);
                    values = Arrays.copyOf(values, values.length * 2);
                }
                indices[nnz] = length;
                values[nnz] = v;
                nnz++;
            }
            length++;
        }
    }

    /** @return the number of elements of the dense vector read last. */
    int length()
    {
        return length;
    }

    /** @return the positions of its non-zeros (a new array). */
    int[] indices()
    {
        return Arrays.copyOf(indices, nnz);
    }

    /** @return its non-zero values (a new array). */
    float[] values()
    {
        return Arrays.copyOf(values, nnz);
    }
}
