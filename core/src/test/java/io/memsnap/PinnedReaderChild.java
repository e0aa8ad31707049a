package io.memsnap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A read-only reader in a process of its own, for {@link ReaderPinTest}: opens one generation of a store read-only
 * and prints {@code ready <digest>}; on each line {@code read} from stdin reads everything again and prints
 * {@code read <digest>}; on {@code close}, closes the store, prints {@code closed} and exits. Any failure prints its
 * stack trace to stderr and exits with status 2.
 *
 * <p>Usage: {@code PinnedReaderChild <dir> <generation>}.
 */
public final class PinnedReaderChild
{
    private PinnedReaderChild()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (MemoryStore store = MemoryStore.open(Path.of(args[0]), StoreOptions.builder().readOnly(true)
                .generation(Long.parseLong(args[1])).build()))
            {
                say("ready " + ReaderPinTest.digest(store));
                String line;
                while ((line = in.readLine()) != null && !line.equals("close"))
                {
                    say("read " + ReaderPinTest.digest(store));
                }
            }
            say("closed");
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
