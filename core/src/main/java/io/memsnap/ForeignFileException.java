package io.memsnap;

import java.nio.file.Path;

/**
 * The store directory holds a file memsnap did not write. memsnap refuses to share its directory: move the file out,
 * or give the store a directory of its own.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class ForeignFileException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * A file in the store directory that memsnap did not write; the message says what to do.
     *
     * @param file the file memsnap did not write.
     */
    public ForeignFileException(final Path file)
    {
        super("foreign file in store directory: " + file + ". memsnap owns its directory and will not open it " +
            "while files it did not write are there: move the file elsewhere, or point memsnap at another directory.");
    }
}
