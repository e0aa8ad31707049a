package io.memsnap.cli;

import java.io.PrintStream;

/**
 * A progress line on the terminal (stderr), shown only when stdout is a terminal, so that scripts and pipes see
 * nothing. Redraws at most ten times a second. Not thread safe.
 */
final class Progress implements AutoCloseable
{
    private final String what;
    private long total;
    private final PrintStream err;
    private final boolean enabled;
    private long lastDraw;

    Progress(final String what, final long total)
    {
        this.what = what;
        this.total = total;
        this.err = System.err;
        this.enabled = isTerminal();
    }

    static boolean isTerminal()
    {
        final java.io.Console console = System.console();
        if (console == null)
        {
            return false;
        }
        try
        {
            // JDK 22+ may hand out a console that is not a terminal; ask it when the method exists.
            return (Boolean)java.io.Console.class.getMethod("isTerminal").invoke(console);
        }
        catch (final ReflectiveOperationException ex)
        {
            return true;
        }
    }

    /** As {@link #update(long)}, with the total known only now (0: unknown). */
    void update(final long done, final long total)
    {
        this.total = total;
        update(done);
    }

    void update(final long done)
    {
        if (!enabled)
        {
            return;
        }
        final long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L)
        {
            return;
        }
        lastDraw = now;
        if (total > 0)
        {
            final int width = 30;
            final int filled = (int)Math.min(width, done * width / total);
            err.print("\r" + what + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " +
                String.format("%,d/%,d", done, total));
        }
        else
        {
            err.print("\r" + what + " " + String.format("%,d", done));
        }
        err.flush();
    }

    @Override
    public void close()
    {
        if (enabled && lastDraw != 0)
        {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
