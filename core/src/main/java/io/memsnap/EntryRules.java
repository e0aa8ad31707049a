package io.memsnap;

import io.memsnap.internal.format.Utf8;

import java.util.Arrays;

/**
 * The checks of an entry or a named state that {@link MemoryStore}'s writes and {@link WriteBatch} share, with their
 * messages. Stateless.
 */
final class EntryRules
{
    private EntryRules()
    {
    }

    /**
     * @param what "id" or "state name", for the message.
     * @return the length of {@code id} in UTF-8 bytes.
     * @throws InvalidEntryException if it is null, empty, not valid Unicode, or longer than a record can hold.
     */
    static int idLength(final String id, final String what)
    {
        if (id == null || id.isEmpty())
        {
            throw new InvalidEntryException(what + " must be a non-empty string");
        }
        final int length = Utf8.encodedLengthOrBadChar(id);
        if (length < 0)
        {
            throw new InvalidEntryException(what + " '" + abbreviate(id) + "' holds an unpaired surrogate at char " +
                (-1 - length) + ": it must be valid Unicode");
        }
        if (length > StoreOptions.ID_BYTES_LIMIT)
        {
            throw tooLong(id, length, StoreOptions.ID_BYTES_LIMIT, what);
        }
        return length;
    }

    /** @throws InvalidEntryException if {@code length} is past {@link StoreOptions#maxIdBytes()}. */
    static void checkIdLimit(final String id, final int length, final StoreOptions options, final String what)
    {
        final int max = Math.min(options.maxIdBytes(), StoreOptions.ID_BYTES_LIMIT);
        if (length > max)
        {
            throw tooLong(id, length, max, what);
        }
    }

    private static InvalidEntryException tooLong(final String id, final int length, final int max, final String what)
    {
        return new InvalidEntryException(what + " '" + abbreviate(id) + "' is " + length + " UTF-8 bytes; at most " +
            max + " are allowed (StoreOptions.maxIdBytes)");
    }

    /** @throws InvalidEntryException if {@code importance} is not finite. */
    static void checkImportance(final String id, final float importance)
    {
        if (!Float.isFinite(importance))
        {
            throw new InvalidEntryException("importance of '" + id + "' is " + importance + ": it must be finite");
        }
    }

    /**
     * O(1) when the vector fits (its indices are sorted: its last is its largest); the rest of its shape was checked
     * when it was built (see {@link SparseVector}).
     *
     * @throws InvalidEntryException naming the first index not below {@code dimension}.
     */
    static void checkDimension(final SparseVector vector, final int dimension)
    {
        if (vector.requiredDimension() > dimension)
        {
            throw dimensionExceeded(vector.indicesUnsafe(), dimension);
        }
    }

    /** {@return the exception naming the first of {@code sortedIndices} that is not below {@code dimension}.} */
    static InvalidEntryException dimensionExceeded(final int[] sortedIndices, final int dimension)
    {
        final int found = Arrays.binarySearch(sortedIndices, dimension);
        final int position = found >= 0 ? found : -1 - found;
        return new InvalidEntryException("sparse vector index at position " + position + " is " +
            sortedIndices[position] + ", not below the store's dimension " + dimension);
    }

    /** @throws InvalidEntryException if {@code length} bytes of metadata are past the store's limit. */
    static void checkMetadata(final String id, final int length, final StoreOptions options)
    {
        if (length > options.maxMetadataBytes())
        {
            throw new InvalidEntryException("metadata of '" + id + "' is " + length + " bytes; at most " +
                options.maxMetadataBytes() + " are allowed (StoreOptions.maxMetadataBytes)");
        }
    }

    /** @throws InvalidEntryException if {@code value} is null or past {@link StoreOptions#maxStateBytes()}. */
    static void checkState(final String name, final byte[] value, final StoreOptions options)
    {
        if (value == null)
        {
            throw new InvalidEntryException("state '" + name + "' must be non-null and at most " +
                options.maxStateBytes() + " bytes (StoreOptions.maxStateBytes)");
        }
        checkStateLength(name, value.length, options);
    }

    /** @throws InvalidEntryException if {@code length} bytes of value are past {@link StoreOptions#maxStateBytes()}. */
    static void checkStateLength(final String name, final int length, final StoreOptions options)
    {
        if (length > options.maxStateBytes())
        {
            throw new InvalidEntryException("state '" + name + "' must be non-null and at most " +
                options.maxStateBytes() + " bytes (StoreOptions.maxStateBytes); it is " + length);
        }
    }

    static String abbreviate(final String s)
    {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
