package io.memsnap;

/**
 * An entry, id, vector, state or label was rejected before anything was written. The store is unchanged: the message
 * names what is wrong and the limit it broke; fix the input, or raise the limit in {@link StoreOptions} when it is one
 * of the store's ({@code maxIdBytes}, {@code maxMetadataBytes}, {@code maxStateBytes}).
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class InvalidEntryException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * An input rejected before anything was written.
     *
     * @param message what is wrong with the entry and the limit it broke.
     */
    public InvalidEntryException(final String message)
    {
        super(message);
    }
}
