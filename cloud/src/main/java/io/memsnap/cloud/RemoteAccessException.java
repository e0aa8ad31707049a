package io.memsnap.cloud;

/**
 * Object storage refused the credentials, or found none, or denied access to the bucket. Thread safe: immutable.
 */
public class RemoteAccessException extends RemoteException
{
    private static final long serialVersionUID = 1L;

    public RemoteAccessException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
