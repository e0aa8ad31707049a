package io.memsnap;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;

/**
 * What opening one crash state gave, as a writer (default recovery) and read-only: the sequence restored, or the
 * typed refusal, or whatever else was thrown; and whether the content matched the oracle there. A function of the
 * state's bytes alone, so the explorer keeps it by the state's digest and judges it again at every point where the
 * same state comes back. Not thread safe; not changed once {@link CrashStateCheck} has filled it.
 */
final class CrashOutcome
{
    /** What one open gave. */
    static final class Open
    {
        /** The last sequence restored, or -1 if the open failed. */
        long sequence = -1;
        /** The timeline restored, or -1 if the open failed. */
        long timeline = -1;
        MemsnapException refused;
        Throwable unexpected;
        /** Why the restored content differs from the oracle at {@link #sequence}; null when it matches. */
        String contentError;
        RecoveryReport report;

        @Override
        public String toString()
        {
            return refused != null ? "refused (" + refused.getClass().getSimpleName() + ")" :
                unexpected != null ? "threw " + unexpected : "restored " + sequence +
                (timeline > 0 ? " on timeline " + timeline : "");
        }
    }

    final Open writer = new Open();
    /** The read-only open of the newest snapshot. */
    final Open readOnly = new Open();
    /** The pinned snapshots after the writer's recovery: generation, the sequence it holds. */
    final Map<Long, Long> pinned = new TreeMap<>();
    /** Why a pinned snapshot, opened read-only, differs from the oracle; null when each matches. */
    String pinError;

    /**
     * @param minSequence  the last write acknowledged durable: the writer must restore at least up to it.
     * @param maxSequence  the last write issued: nothing after it can be restored.
     * @param minSnapshot  the last snapshot acknowledged: the newest snapshot must hold at least up to it.
     * @param pins         the snapshots pinned and not released: each must stay pinned, holding its sequence.
     * @param mustOpen     whether a refusal is a failure too (every state the model makes: it damages nothing).
     * @return what is wrong, or null when the outcome keeps every promise.
     */
    String judge(final long minSequence, final long maxSequence, final long minSnapshot, final Map<Long, Long> pins,
        final boolean mustOpen)
    {
        if (writer.unexpected != null)
        {
            return "the writer's open threw " + stackTrace(writer.unexpected);
        }
        if (readOnly.unexpected != null)
        {
            return "the read-only open threw " + stackTrace(readOnly.unexpected);
        }
        if (writer.refused != null)
        {
            if (mustOpen)
            {
                return "refused the state a SIGKILL leaves: " + writer.refused;
            }
        }
        else if (writer.contentError != null)
        {
            return "restored " + writer.sequence + " writes with the wrong content: " + writer.contentError;
        }
        else if (writer.sequence < minSequence)
        {
            return "lost acknowledged writes: restored " + writer.sequence + " but " + minSequence +
                " were acknowledged (" + writer.report + ")";
        }
        else if (writer.sequence > maxSequence)
        {
            return "restored " + writer.sequence + " writes but only " + maxSequence + " were issued (" +
                writer.report + ")";
        }
        else
        {
            final String lost = pinsLost(pins);
            if (lost != null)
            {
                return lost;
            }
        }
        if (readOnly.refused != null)
        {
            // Only a store whose first snapshot was never acknowledged may hold no snapshot a reader can open.
            return minSnapshot > 0 ? "read-only refused although a snapshot of " + minSnapshot + " writes was " +
                "acknowledged: " + readOnly.refused.getMessage() : null;
        }
        if (readOnly.contentError != null)
        {
            return "read-only: the newest snapshot (sequence " + readOnly.sequence + ") has the wrong content: " +
                readOnly.contentError;
        }
        if (readOnly.sequence < minSnapshot)
        {
            return "read-only: the newest snapshot holds " + readOnly.sequence + " writes but a snapshot of " +
                minSnapshot + " was acknowledged";
        }
        if (readOnly.sequence > maxSequence)
        {
            return "read-only: the newest snapshot holds " + readOnly.sequence + " writes but only " + maxSequence +
                " were issued";
        }
        return null;
    }

    /** @return which promised pin the writer's recovery lost, or null if it kept them all, with their content. */
    private String pinsLost(final Map<Long, Long> pins)
    {
        for (final Map.Entry<Long, Long> pin : pins.entrySet())
        {
            final Long found = pinned.get(pin.getKey());
            if (!pin.getValue().equals(found))
            {
                return "lost pinned snapshot " + pin.getKey() + " of " + pin.getValue() + " writes: the recovered " +
                    "store pins " + pinned + " (" + writer.report + ")";
            }
        }
        return pinError == null ? null : "a pinned snapshot has the wrong content: " + pinError;
    }

    @Override
    public String toString()
    {
        return "writer: " + writer + ", read-only: " + readOnly + (pinned.isEmpty() ? "" : ", pinned: " + pinned);
    }

    private static String stackTrace(final Throwable t)
    {
        final StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
