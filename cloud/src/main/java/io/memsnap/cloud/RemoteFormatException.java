package io.memsnap.cloud;

/**
 * A remote manifest of a format version this build does not read (written by a newer memsnap). Nothing was changed.
 * Thread safe: immutable.
 */
public class RemoteFormatException extends RemoteException
{
    private static final long serialVersionUID = 1L;

    public RemoteFormatException(final String key, final int foundMajor, final int foundMinor,
        final int supportedMajor, final int supportedMinor)
    {
        super("remote manifest " + key + " is in remote format " + foundMajor + "." + foundMinor + " and this " +
            "build reads versions up to " + supportedMajor + "." + supportedMinor + ": use the memsnap release " +
            "that pushed it; nothing was changed");
    }
}
