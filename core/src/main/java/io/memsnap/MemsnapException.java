package io.memsnap;

/**
 * Base of every error memsnap raises on purpose. Messages say what went wrong and what to do next.
 * Unchecked so that visitors and lambdas stay usable; callers that care catch the subtypes.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class MemsnapException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * A failure with no cause underneath.
     *
     * @param message what went wrong and what to do next.
     */
    public MemsnapException(final String message)
    {
        super(message);
    }

    /**
     * A failure caused by another.
     *
     * @param message what went wrong and what to do next.
     * @param cause the failure underneath.
     */
    public MemsnapException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
