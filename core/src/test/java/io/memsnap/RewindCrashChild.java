package io.memsnap;

import io.memsnap.crash.PausingFileSystem;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link RewindCrashTest} kills in the middle of a rewind: opens the store, then rewinds it to a
 * generation through a {@link PausingFileSystem} that stops before the rewind's n-th file-system operation.
 *
 * <p>Protocol on stdout, one line each, flushed at once: {@code paused N WHAT} when it stops before operation N
 * (then it waits for its SIGKILL); {@code rewound N} when the rewind returned after N operations (then it waits too,
 * unless N was 0: asked to count, it exits). Any failure prints its stack trace to stderr and exits with status 2.
 *
 * <p>Usage: {@code RewindCrashChild <dir> <generation> <stop before operation N, 0 to count>}.
 */
public final class RewindCrashChild
{
    private static final PrintStream OUT = System.out;

    private RewindCrashChild()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            final long generation = Long.parseLong(args[1]);
            final int stopAt = Integer.parseInt(args[2]);
            final PausingFileSystem fs = new PausingFileSystem(StoreFileSystem.real());
            final MemoryStore store = MemoryStore.open(Path.of(args[0]), RewindCrashTest.options(), fs);
            fs.arm(stopAt, (n, what) ->
            {
                say("paused " + n + " " + what);
                waitForTheKill();
            });
            store.rewind(generation);
            say("rewound " + fs.operations());
            if (stopAt > 0)
            {
                waitForTheKill();
            }
            store.close();
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void waitForTheKill()
    {
        while (true)
        {
            LockSupport.park();
        }
    }

    private static void say(final String line)
    {
        OUT.println(line);
        OUT.flush();
    }
}
