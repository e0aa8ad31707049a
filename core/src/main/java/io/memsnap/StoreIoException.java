package io.memsnap;

import java.io.IOException;

/**
 * The operating system refused an I/O operation (disk full, permission, device error). The operation that
 * raised it had no effect on what is stored; the store stays usable once the cause is gone.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class StoreIoException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * What to do is in the message: fix the cause and retry.
     *
     * @param what what memsnap was doing.
     * @param cause the file system's failure.
     */
    public StoreIoException(final String what, final IOException cause)
    {
        super(what + ": " + cause + ". Nothing that was already stored is affected; fix the cause " +
            "(free disk space, permissions) and retry.", cause);
    }
}
