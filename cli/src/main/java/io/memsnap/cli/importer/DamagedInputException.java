package io.memsnap.cli.importer;

import io.memsnap.MemsnapException;

/**
 * The container of an import's input is damaged: a gzip stream is truncated or fails its CRC. Nothing was written
 * to the target. The tool exits with 3, as for a corrupt store or archive. Thread safe: immutable.
 */
public final class DamagedInputException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public DamagedInputException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
