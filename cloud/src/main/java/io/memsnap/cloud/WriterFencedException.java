package io.memsnap.cloud;

/**
 * Another pusher took the prefix over (a newer writer epoch) or committed the generation this push meant to: this
 * push committed nothing. Thread safe: immutable.
 */
public class WriterFencedException extends RemoteException
{
    private static final long serialVersionUID = 1L;

    public WriterFencedException(final String message)
    {
        super(message);
    }
}
