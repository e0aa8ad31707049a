package io.memsnap;

import java.nio.file.Path;

/** A file was written in a format version this build cannot read. Nothing was changed on disk. */
public class IncompatibleFormatException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    private final int foundMajor;
    private final int foundMinor;

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
     * @param needs what the file needs that this build lacks: the oldest release that reads it (a later major
     *              version names it), or a feature this build does not know.
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

    /** For subtypes that say more: {@code message} must end by saying that nothing was changed on disk. */
    protected IncompatibleFormatException(final String message, final int foundMajor, final int foundMinor)
    {
        super(message);
        this.foundMajor = foundMajor;
        this.foundMinor = foundMinor;
    }

    public int foundMajor()
    {
        return foundMajor;
    }

    public int foundMinor()
    {
        return foundMinor;
    }
}
