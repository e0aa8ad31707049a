package io.memsnap;

/**
 * A limit of the store was reached (index capacity, segment count, or, as {@link IndexMemoryFullException}, the memory
 * of index pages waiting for a checkpoint). Nothing was written.
 */
public class StoreFullException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public StoreFullException(final String message)
    {
        super(message);
    }

    public StoreFullException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
