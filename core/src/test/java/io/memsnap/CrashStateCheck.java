package io.memsnap;

import java.nio.file.Path;

/**
 * Opens one materialized crash state on the real file system, first read-only (its newest snapshot, which changes
 * nothing on disk), then as a writer with the options of the run (recovery repairs the directory), and checks the
 * content of each against the oracle at the sequence it restored, bit for bit. Refusals with a typed
 * {@link MemsnapException} that says what to do are recorded as such; anything else thrown is recorded as
 * unexpected. Thread safe: stateless.
 */
final class CrashStateCheck
{
    private CrashStateCheck()
    {
    }

    static CrashOutcome check(final Path storeDir, final StoreOptions options, final StoreHistory history)
    {
        final CrashOutcome outcome = new CrashOutcome();
        open(storeDir, options.toBuilder().readOnly(true).build(), history, outcome.readOnly);
        open(storeDir, options, history, outcome.writer);
        return outcome;
    }

    private static void open(final Path storeDir, final StoreOptions options, final StoreHistory history,
        final CrashOutcome.Open result)
    {
        try (MemoryStore store = MemoryStore.open(storeDir, options))
        {
            result.sequence = store.lastSequence();
            result.report = store.recoveryReport();
            result.contentError = contentError(store, history, options.readOnly() ? "read-only" : "writer");
        }
        catch (final MemsnapException ex)
        {
            if (!advises(ex))
            {
                result.unexpected = ex;
            }
            else if (result.sequence < 0)
            {
                result.refused = ex;
            }
            else
            {
                result.contentError = "threw after it opened: " + ex;
            }
        }
        catch (final RuntimeException | Error ex)
        {
            result.unexpected = ex;
        }
    }

    /** @return why the store's content differs from the oracle at its last sequence, or null if it is the same. */
    private static String contentError(final MemoryStore store, final StoreHistory history, final String context)
    {
        final long k = store.lastSequence();
        if (k > history.lastSequence())
        {
            return "restored sequence " + k + " but the history holds only " + history.lastSequence() + " writes";
        }
        try
        {
            final StoreHistory.Verification v = history.verify(store, k, context);
            return v.readErrors == 0 ? null : v.readErrors + " reads of " + v.reads + " threw CorruptStoreException: " +
                v.errorSamples;
        }
        catch (final AssertionError ex)
        {
            return ex.getMessage();
        }
    }

    /** @return whether a refusal says what went wrong and what to do: more than a bare phrase. */
    private static boolean advises(final MemsnapException ex)
    {
        final String message = ex.getMessage();
        return message != null && message.trim().length() > 20;
    }
}
