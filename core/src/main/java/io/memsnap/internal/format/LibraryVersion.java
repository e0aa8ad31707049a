package io.memsnap.internal.format;

/**
 * A memsnap library version (major.minor.patch), as a manifest names the oldest one that reads it. Thread safe:
 * immutable.
 */
public final class LibraryVersion implements Comparable<LibraryVersion>
{
    /** This build. */
    public static final LibraryVersion CURRENT = new LibraryVersion(0, 3, 0);
    /** The first release that reads format 4.0 (and so the oldest reader a 4.0 manifest names by default). */
    public static final LibraryVersion FIRST_READER_OF_4_0 = new LibraryVersion(0, 3, 0);
    /** The first release that reads format 3.0 (and so the oldest reader a 3.0 manifest names by default). */
    public static final LibraryVersion FIRST_READER_OF_3_0 = new LibraryVersion(0, 2, 0);
    /** The library line that wrote format 1.0: the oldest reader derived for 1.x manifests (they lack the field). */
    public static final LibraryVersion FIRST_READER_OF_1_0 = new LibraryVersion(0, 1, 0);
    /**
     * The oldest reader derived for 2.x manifests: the same line wrote 2.0 (its builds from before 2.0 read 1.x only,
     * which no version number tells apart).
     */
    public static final LibraryVersion FIRST_READER_OF_2_0 = new LibraryVersion(0, 1, 0);

    public final int major;
    public final int minor;
    public final int patch;

    public LibraryVersion(final int major, final int minor, final int patch)
    {
        if ((major | minor | patch) < 0 || major > 0xFFFF || minor > 0xFFFF || patch > 0xFFFF)
        {
            throw new IllegalArgumentException("library version parts are uint16: " + major + "." + minor + "." +
                patch);
        }
        this.major = major;
        this.minor = minor;
        this.patch = patch;
    }

    /**
     * @return the oldest library version that reads a manifest of this major version, for the majors before 3.0,
     * whose manifests do not name it.
     */
    public static LibraryVersion derivedOldestReader(final int formatMajor)
    {
        if (formatMajor >= FormatVersion.MAJOR_3)
        {
            return FIRST_READER_OF_3_0;
        }
        return formatMajor == FormatVersion.MAJOR_2 ? FIRST_READER_OF_2_0 : FIRST_READER_OF_1_0;
    }

    @Override
    public int compareTo(final LibraryVersion o)
    {
        int c = Integer.compare(major, o.major);
        if (c == 0)
        {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof LibraryVersion && compareTo((LibraryVersion)o) == 0;
    }

    @Override
    public int hashCode()
    {
        return (major * 31 + minor) * 31 + patch;
    }

    @Override
    public String toString()
    {
        return major + "." + minor + "." + patch;
    }
}
