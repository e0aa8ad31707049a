package io.memsnap;

/** A structural limit of the store was reached (index capacity, segment count). Nothing was written. */
public class StoreFullException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public StoreFullException(final String message)
    {
        super(message);
    }
}
