package io.memsnap.internal.format;

import io.memsnap.IncompatibleFormatException;

import java.nio.file.Path;

/**
 * The format version written in the header of every file memsnap writes. A reader accepts any minor version of
 * its major version (minor versions only add fields that older readers may ignore) and refuses other majors.
 */
public final class FormatVersion
{
    /** Version 1.0: the first format. */
    public static final int MAJOR_1 = 1;
    public static final int MINOR_0 = 0;

    public static final int CURRENT_MAJOR = MAJOR_1;
    public static final int CURRENT_MINOR = MINOR_0;

    private FormatVersion()
    {
    }

    /**
     * @throws IncompatibleFormatException if {@code major} is not one this build reads.
     */
    public static void check(final Path file, final int major, final int minor)
    {
        if (major != CURRENT_MAJOR)
        {
            throw new IncompatibleFormatException(file, major, minor, CURRENT_MAJOR, CURRENT_MINOR);
        }
    }
}
