package io.memsnap;

/** An entry, id, vector, state or label was rejected before anything was written. The store is unchanged. */
public class InvalidEntryException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the entry and the limit it broke. */
    public InvalidEntryException(final String message)
    {
        super(message);
    }
}
