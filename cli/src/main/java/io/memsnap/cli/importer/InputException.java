package io.memsnap.cli.importer;

import io.memsnap.MemsnapException;

/**
 * The input of an import is malformed or breaks a limit: names what was wrong and where (JSON pointer, line and
 * column, entry index or line number). Nothing was written to the target. The tool exits with 2. Thread safe:
 * immutable.
 */
public final class InputException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public InputException(final String message)
    {
        super(message);
    }

    public InputException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
