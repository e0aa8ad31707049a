package io.memsnap.cli;

import io.memsnap.CorruptStoreException;
import io.memsnap.ForeignFileException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.InvalidEntryException;
import io.memsnap.StoreLockedException;
import io.memsnap.cli.archive.CorruptArchiveException;
import io.memsnap.cloud.RemoteAccessException;
import io.memsnap.cloud.RemoteCorruptException;
import io.memsnap.cloud.RemoteException;
import io.memsnap.cloud.RemoteNotFoundException;
import io.memsnap.cli.importer.DamagedInputException;
import io.memsnap.cli.importer.InputException;
import io.memsnap.cli.importer.UnsupportedVersionException;
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
        if (ex instanceof RemoteException)
        {
            return ofRemote((RemoteException)ex);
        }
        if (ex instanceof InputException)
        {
            return Main.USAGE;
        }
        if (ex instanceof CorruptStoreException || ex instanceof CorruptArchiveException ||
            ex instanceof DamagedInputException)
        {
            return Main.CORRUPT;
        }
        if (ex instanceof StoreLockedException || ex instanceof IncompatibleFormatException ||
            ex instanceof UnsupportedVersionException)
        {
            return Main.UNAVAILABLE;
        }
        if (ex instanceof java.nio.file.NoSuchFileException || ex instanceof io.memsnap.NoSuchSnapshotException)
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

    /** Object storage: a missing bucket or snapshot 1, refused credentials 2, damage 3, the rest 4. */
    private static int ofRemote(final RemoteException ex)
    {
        if (ex instanceof RemoteNotFoundException)
        {
            return Main.NOT_FOUND;
        }
        if (ex instanceof RemoteAccessException)
        {
            return Main.USAGE;
        }
        if (ex instanceof RemoteCorruptException)
        {
            return Main.CORRUPT;
        }
        return Main.UNAVAILABLE; // a newer remote format, a fenced pusher, storage unreachable past the retries
    }
}
