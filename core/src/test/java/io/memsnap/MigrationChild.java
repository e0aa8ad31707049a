package io.memsnap;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The process {@link MigrationKillTest} kills: migrates the stores {@code ROOT/store-0} to {@code ROOT/store-(N-1)}
 * one after the other. Prints {@code start I} before it migrates store I and {@code done I} once the migration
 * returned, each line flushed at once. Any failure prints its stack trace to stderr and exits with status 2.
 *
 * <p>Usage: {@code MigrationChild ROOT N}.
 */
public final class MigrationChild
{
    private static final PrintStream OUT = System.out;

    private MigrationChild()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            final Path root = Path.of(args[0]);
            final int count = Integer.parseInt(args[1]);
            for (int i = 0; i < count; i++)
            {
                say("start " + i);
                Migration.migrate(root.resolve(MigrationKillTest.storeName(i)));
                say("done " + i);
            }
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void say(final String line)
    {
        OUT.println(line);
        OUT.flush();
    }
}
