package io.memsnap;

/**
 * A limit of the store was reached (index capacity, segment count, or, as {@link IndexMemoryFullException}, the memory
 * of index pages waiting for a checkpoint). Nothing was written; the message says which limit and what to do: split
 * the data over several stores, or export the store and import it into a new one.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class StoreFullException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * A limit reached, with no cause underneath.
     *
     * @param message what could not be written and the limit it met.
     */
    public StoreFullException(final String message)
    {
        super(message);
    }

    /**
     * A limit reached, with the failure that kept it from making room.
     *
     * @param message what could not be written and the limit it met.
     * @param cause the failure underneath.
     */
    public StoreFullException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
