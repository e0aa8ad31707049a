package io.memsnap.cli;

import io.memsnap.CorruptStoreException;
import io.memsnap.ForeignFileException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.InvalidEntryException;
import io.memsnap.StoreLockedException;
import picocli.CommandLine;

/** Maps exceptions to the tool's documented exit codes. Thread safe: stateless. */
final class ExitCodes
{
    private ExitCodes()
    {
    }

    /** @return the one line a failure prints first on stderr. */
    static String describe(final Throwable ex)
    {
        if (ex instanceof CorruptStoreException)
        {
            final CorruptStoreException c = (CorruptStoreException)ex;
            return "memsnap: corrupt: " + c.file() + " at offset " + c.offset() + ": " + c.getMessage();
        }
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "memsnap: " + ex.getMessage() + (((java.nio.file.NoSuchFileException)ex).getReason() == null ?
                ": no such file or directory" : "");
        }
        return "memsnap: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage());
    }

    static int of(final Throwable ex)
    {
        if (ex instanceof CorruptStoreException)
        {
            return Main.CORRUPT;
        }
        if (ex instanceof StoreLockedException || ex instanceof IncompatibleFormatException)
        {
            return Main.UNAVAILABLE;
        }
        if (ex instanceof java.nio.file.NoSuchFileException || ex instanceof io.memsnap.MemsnapException &&
            ex.getMessage() != null && ex.getMessage().contains("is not retained"))
        {
            return Main.NOT_FOUND;
        }
        if (ex instanceof InvalidEntryException || ex instanceof ForeignFileException ||
            ex instanceof IllegalArgumentException || ex instanceof CommandLine.ParameterException)
        {
            return Main.USAGE;
        }
        return Main.USAGE;
    }
}
