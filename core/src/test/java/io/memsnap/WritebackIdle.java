package io.memsnap;

import io.memsnap.internal.segment.Writeback;

import java.nio.file.Path;

/**
 * Waits until a store's write-back thread is idle in its own loop: parked there, with nothing left to flush (not in
 * the millisecond it waits before flushing a sealed segment, nor waiting for a segment file's own sync). A segment
 * the log rolled past before the call is then flushed and marked durable.
 */
final class WritebackIdle
{
    private static final long TIMEOUT_NANOS = 30_000_000_000L;

    private WritebackIdle()
    {
    }

    /** @param storeDir the store's directory, whose name the thread's name ends with. */
    static void await(final Path storeDir)
    {
        final String name = Writeback.THREAD_PREFIX + storeDir.getFileName();
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        int idleLooks = 0;
        while (idleLooks < 3)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the write-back thread of " + storeDir + " did not go idle");
            }
            final Thread t = Thread.getAllStackTraces().keySet().stream().filter(x -> x.getName().equals(name))
                .findFirst().orElse(null);
            idleLooks = t != null && t.getState() == Thread.State.WAITING && parkedInItsLoop(t) ? idleLooks + 1 : 0;
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /** @return whether {@code t} is parked in the write-back's own loop (not waiting for a segment file's sync). */
    private static boolean parkedInItsLoop(final Thread t)
    {
        for (final StackTraceElement frame : t.getStackTrace())
        {
            if (frame.getClassName().equals(Writeback.class.getName()))
            {
                return frame.getMethodName().equals("run");
            }
        }
        return false;
    }
}
