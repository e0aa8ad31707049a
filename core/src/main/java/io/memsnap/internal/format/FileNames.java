package io.memsnap.internal.format;

/**
 * Names of numbered files: a prefix, a number zero-padded to a width, a suffix. Thread safe: stateless.
 */
public final class FileNames
{
    private FileNames()
    {
    }

    /**
     * @return {@code prefix}, then {@code number} in decimal padded with zeros to {@code digits}, then {@code suffix}:
     * what {@code String.format} gives with {@code %0<digits>d}, without the formatter, whose first use in a process
     * loads regular expressions and locale data (about a tenth of the first open of a store in a new JVM).
     * @throws IllegalArgumentException if {@code number} is negative.
     */
    public static String numbered(final String prefix, final long number, final int digits, final String suffix)
    {
        if (number < 0)
        {
            throw new IllegalArgumentException("a file number is not negative: " + number);
        }
        final String decimal = Long.toString(number);
        final StringBuilder name = new StringBuilder(prefix.length() + Math.max(digits, decimal.length()) +
            suffix.length()).append(prefix);
        for (int i = decimal.length(); i < digits; i++)
        {
            name.append('0');
        }
        return name.append(decimal).append(suffix).toString();
    }
}
