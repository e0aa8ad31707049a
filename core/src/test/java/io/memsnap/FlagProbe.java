package io.memsnap;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link JvmFlagMissingTest}: opens a store in {@code DIR} and closes it ({@code open}), or
 * makes a {@link WriteBatch} ({@code batch}), then prints {@code ok}. Any exception escapes {@code main}, so that the
 * JVM prints it to stderr as a user's program would.
 *
 * <pre>
 * java [flags] -cp ... io.memsnap.FlagProbe open DIR | batch
 * </pre>
 */
public final class FlagProbe
{
    private FlagProbe()
    {
    }

    public static void main(final String[] args)
    {
        if (args[0].equals("open"))
        {
            MemoryStore.open(Path.of(args[1]), StoreOptions.ofDimension(8)).close();
        }
        else
        {
            new WriteBatch().put("a", SparseVector.empty());
        }
        System.out.println("ok");
    }
}
