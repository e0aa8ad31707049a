package io.memsnap.cloud;

import io.memsnap.MemsnapException;

/**
 * A failure of object storage, or of what it holds. The message names the object or the location and says what to
 * do. Thread safe: immutable.
 */
public class RemoteException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public RemoteException(final String message)
    {
        super(message);
    }

    public RemoteException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
