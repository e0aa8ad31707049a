package io.memsnap;

import io.memsnap.crash.FaultyFileSystem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The sweep of the fault tests: every operation a call did, counted by kind, failed in turn with "No space left on
 * device" or "Input/output error" (a write also half done), each on a fresh store. Not thread safe.
 */
final class FaultSweep
{
    /** One fault, on a fresh store. */
    @FunctionalInterface
    interface OneFault
    {
        /**
         * @param index the fault's number in the sweep, from 0 (a name for its store).
         * @return what went wrong, or null.
         */
        String fail(FaultyFileSystem.Op op, int n, String message, boolean partial, int index);
    }

    /** How many faults ran. */
    int faults;
    /** What went wrong, each named by its fault. */
    final List<String> failures = new ArrayList<>();

    /** Fails each of {@code counts} in turn through {@code one}. */
    static FaultSweep run(final Map<FaultyFileSystem.Op, Integer> counts, final OneFault one)
    {
        final FaultSweep sweep = new FaultSweep();
        for (final Map.Entry<FaultyFileSystem.Op, Integer> e : counts.entrySet())
        {
            for (int n = 1; n <= e.getValue(); n++)
            {
                for (final boolean partial : e.getKey() == FaultyFileSystem.Op.WRITE ? new boolean[] {false, true} :
                    new boolean[] {false})
                {
                    final String message = n % 2 == 1 ? FaultyFileSystem.NO_SPACE : FaultyFileSystem.IO_ERROR;
                    final String problem = one.fail(e.getKey(), n, message, partial, sweep.faults);
                    sweep.faults++;
                    if (problem != null)
                    {
                        sweep.failures.add(e.getKey() + " #" + n + (partial ? " (half written)" : "") +
                            " fails with '" + message + "': " + problem);
                    }
                }
            }
        }
        return sweep;
    }

    /** @return what {@code action} threw, or null. */
    static Throwable attempt(final Runnable action)
    {
        try
        {
            action.run();
            return null;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            return ex;
        }
    }
}
