package io.memsnap;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens one materialized crash state on the real file system, first read-only (its newest snapshot, which changes
 * nothing on disk), then as a writer with the options of the run (recovery repairs the directory), and checks the
 * content of each against the oracle at the sequence and on the timeline it restored, bit for bit; then opens
 * read-only each snapshot the recovered store pins and checks it against the oracle at its own sequence and
 * timeline. Refusals with a typed {@link MemsnapException} that says what to do are recorded as such; anything else
 * thrown is recorded as unexpected. Thread safe: stateless.
 */
final class CrashStateCheck
{
    private CrashStateCheck()
    {
    }

    static CrashOutcome check(final Path storeDir, final StoreOptions options, final StoreHistory history)
    {
        final CrashOutcome outcome = new CrashOutcome();
        open(storeDir, options.toBuilder().readOnly(true).build(), history, outcome.readOnly, null);
        open(storeDir, options, history, outcome.writer, outcome.pinned);
        checkPinned(storeDir, history, outcome);
        return outcome;
    }

    /**
     * @param pinned where the writer puts the snapshots it pins after its recovery (generation, sequence held); null
     *               for the read-only open.
     */
    private static void open(final Path storeDir, final StoreOptions options, final StoreHistory history,
        final CrashOutcome.Open result, final Map<Long, Long> pinned)
    {
        try (MemoryStore store = MemoryStore.open(storeDir, options))
        {
            result.sequence = store.lastSequence();
            result.timeline = store.lastSnapshot().timeline();
            result.report = store.recoveryReport();
            result.contentError = contentError(store, history, options.readOnly() ? "read-only" : "writer");
            if (pinned != null)
            {
                for (final SnapshotInfo s : store.snapshots())
                {
                    if (s.pinLabel().isPresent())
                    {
                        pinned.put(s.generation(), s.lastSequence());
                    }
                }
            }
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

    /** Opens each pinned snapshot read-only, after the writer's recovery, and checks it against the oracle. */
    private static void checkPinned(final Path storeDir, final StoreHistory history, final CrashOutcome outcome)
    {
        for (final long generation : outcome.pinned.keySet())
        {
            try (MemoryStore store = MemoryStore.open(storeDir, StoreOptions.builder().readOnly(true)
                .generation(generation).build()))
            {
                final String error = contentError(store, history, "pinned snapshot " + generation);
                if (error != null)
                {
                    outcome.pinError = "pinned snapshot " + generation + ": " + error;
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                outcome.pinError = "pinned snapshot " + generation + " does not open read-only: " + ex;
                return;
            }
        }
    }

    /**
     * @return why the store's content differs from the oracle at its last sequence on its timeline, or null if it is
     * the same.
     */
    private static String contentError(final MemoryStore store, final StoreHistory all, final String context)
    {
        final long k = store.lastSequence();
        final long timeline = store.lastSnapshot().timeline();
        final StoreHistory history;
        try
        {
            history = all.onTimeline(timeline);
        }
        catch (final IllegalArgumentException ex)
        {
            return "restored timeline " + timeline + ", which no rewind made: " + ex.getMessage();
        }
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
