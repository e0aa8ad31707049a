package io.memsnap.cli.importer;

import io.memsnap.MemsnapException;

/**
 * The input declares a format version this build does not import (a membrain snapshot whose major version is not
 * 1). Refused before anything is written. The tool exits with 4, as for an incompatible store or archive. Thread
 * safe: immutable.
 */
public final class UnsupportedVersionException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public UnsupportedVersionException(final String message)
    {
        super(message);
    }
}
