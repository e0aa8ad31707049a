package io.memsnap.cloud;

/** A bucket, a prefix without snapshots, or a generation that is not there. Thread safe: immutable. */
public class RemoteNotFoundException extends RemoteException
{
    private static final long serialVersionUID = 1L;

    public RemoteNotFoundException(final String message)
    {
        super(message);
    }
}
