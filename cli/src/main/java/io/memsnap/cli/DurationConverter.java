package io.memsnap.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a duration as {@code 14d}, {@code 36h}, {@code 90m}, {@code 45s} or {@code 1500ms} (the way {@code memsnap
 * list} prints them), or as ISO-8601 ({@code P14D}, {@code PT36H}). Thread safe: stateless.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration>
{
    private static final Pattern SHORT = Pattern.compile("(\\d{1,15})(ms|s|m|h|d)");

    @Override
    public Duration convert(final String value)
    {
        final Matcher m = SHORT.matcher(value.trim());
        if (m.matches())
        {
            final long n = Long.parseLong(m.group(1));
            switch (m.group(2))
            {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofDays(n);
            }
        }
        try
        {
            return Duration.parse(value.trim());
        }
        catch (final DateTimeParseException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write it as 14d, 36h, " +
                "90m, 45s, 1500ms or in ISO-8601 (P14D)");
        }
    }
}
