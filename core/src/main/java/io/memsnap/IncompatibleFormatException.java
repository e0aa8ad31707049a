package io.memsnap;

import java.nio.file.Path;

/**
 * A file was written in a format version this build cannot read. Nothing was changed on disk: open the store with the
 * memsnap release the message names (or the one that wrote it).
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class IncompatibleFormatException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /** The major format version found on disk. */
    private final int foundMajor;
    /** The minor format version found on disk. */
    private final int foundMinor;

    /**
     * A file of a version this build cannot read.
     *
     * @param file the file whose version was read.
     * @param foundMajor the major format version found in it.
     * @param foundMinor the minor format version found in it.
     * @param supportedMajor the newest major version this build reads.
     * @param supportedMinor the newest minor version of it this build reads.
     */
    public IncompatibleFormatException(
        final Path file, final int foundMajor, final int foundMinor, final int supportedMajor, final int supportedMinor)
    {
        super("unsupported memsnap format version " + foundMajor + "." + foundMinor + " in " + file +
            ": this build reads versions up to " + supportedMajor + "." + supportedMinor +
            ". Open it with the memsnap release that wrote it, or migrate it with that release's 'memsnap migrate'; " +
            "nothing was changed on disk.");
        this.foundMajor = foundMajor;
        this.foundMinor = foundMinor;
    }

    /**
     * A file that needs a later release, or a feature this build does not know, to be read.
     *
     * @param needs what the file needs that this build lacks: the oldest release that reads it (a later major
     *              version names it), or a feature this build does not know.
     * @param file the file whose version was read.
     * @param foundMajor the major format version found in it.
     * @param foundMinor the minor format version found in it.
     * @param supportedMajor the newest major version this build reads.
     * @param supportedMinor the newest minor version of it this build reads.
     */
    public IncompatibleFormatException(final Path file, final int foundMajor, final int foundMinor,
        final int supportedMajor, final int supportedMinor, final String needs)
    {
        super("unsupported memsnap format version " + foundMajor + "." + foundMinor + " in " + file +
            " (it needs " + needs + "): this build reads versions up to " + supportedMajor +
            "." + supportedMinor + ". Open it with a memsnap release that reads it; nothing was changed on disk.");
        this.foundMajor = foundMajor;
        this.foundMinor = foundMinor;
    }

    /**
     * For subtypes that say more: {@code message} must end by saying that nothing was changed on disk.
     *
     * @param message the whole message.
     * @param foundMajor the major format version found.
     * @param foundMinor the minor format version found.
     */
    protected IncompatibleFormatException(final String message, final int foundMajor, final int foundMinor)
    {
        super(message);
        this.foundMajor = foundMajor;
        this.foundMinor = foundMinor;
    }

    /** {@return the major format version found on disk.} */
    public int foundMajor()
    {
        return foundMajor;
    }

    /** {@return the minor format version found on disk.} */
    public int foundMinor()
    {
        return foundMinor;
    }
}
