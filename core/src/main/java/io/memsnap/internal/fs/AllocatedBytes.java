package io.memsnap.internal.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The disk space files take: their allocated blocks, which for a sparse file (an index file written from a
 * checkpoint, with holes where superseded pages were) is far less than its length. Java has no call for it, so this
 * asks {@code stat} (GNU coreutils or busybox, on Linux). For reports and tests only: the engine never calls it.
 *
 * <p>Thread safe: stateless.
 */
public final class AllocatedBytes
{
    /** What {@link #of} returns when the space cannot be found out (no {@code stat}, another system). */
    public static final long UNKNOWN = -1;
    private static final long TIMEOUT_SECONDS = 10;

    private AllocatedBytes()
    {
    }

    /**
     * @return the bytes allocated to each of {@code files} (in order), or {@link #UNKNOWN} for each that cannot be
     * found out (one that does not exist, say).
     */
    public static long[] of(final Path... files)
    {
        final long[] bytes = new long[files.length];
        java.util.Arrays.fill(bytes, UNKNOWN);
        if (files.length == 0 || !Files.isExecutable(Path.of("/usr/bin/stat")) && !Files.isExecutable(Path.of(
            "/bin/stat")))
        {
            return bytes;
        }
        final String[] command = new String[files.length + 3];
        command[0] = "stat";
        command[1] = "-c";
        command[2] = "%b %B %n";
        for (int i = 0; i < files.length; i++)
        {
            command[i + 3] = files[i].toString();
        }
        try
        {
            final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
            final String out;
            try (InputStream in = process.getInputStream())
            {
                out = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return bytes;
            }
            // One line a file that exists (a file deleted meanwhile has none, and makes the exit status non-zero).
            for (final String line : out.split("\n"))
            {
                final String[] parts = line.split(" ", 3);
                for (int i = 0; i < files.length && parts.length == 3; i++)
                {
                    if (files[i].toString().equals(parts[2]))
                    {
                        bytes[i] = Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
                    }
                }
            }
        }
        catch (final IOException | NumberFormatException | ArrayIndexOutOfBoundsException ex)
        {
            java.util.Arrays.fill(bytes, UNKNOWN);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            java.util.Arrays.fill(bytes, UNKNOWN);
        }
        return bytes;
    }
}
