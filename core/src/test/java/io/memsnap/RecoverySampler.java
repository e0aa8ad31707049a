package io.memsnap;

import io.memsnap.crash.CrashMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Picks the crash states whose recovery the explorer records and explores in turn: a uniform sample (reservoir) of
 * each kind, so that every kind is represented whatever the number of states. The kinds: the state a SIGKILL leaves
 * while writes are not flushed, in several files (a segment rolled since the last flush) or in one (the recovery
 * then runs over data a power cut can still lose); recoveries that
 * repaired something (cut a torn tail, moved files aside, skipped a snapshot); recoveries that found a clean end
 * before the last write issued in a state that kept random blocks (a writer then resumes in place, over whatever
 * the lost writes left in the blocks beyond it); the same in other states; and recoveries that restored every
 * write issued. Not thread safe.
 *
 * @param <T> what is sampled.
 */
final class RecoverySampler<T>
{
    private static final int KINDS = 6;

    private final Random random;
    private final int perKind;
    private final List<List<T>> kept = new ArrayList<>();
    private final int[] seen = new int[KINDS];

    /** @param total how many to pick in all, spread over the kinds (the repairing kind first). */
    RecoverySampler(final Random random, final int total)
    {
        this.random = random;
        this.perKind = (total + KINDS - 1) / KINDS;
        for (int i = 0; i < KINDS; i++)
        {
            kept.add(new ArrayList<>());
        }
    }

    /**
     * Offers a state that recovered without a problem; {@code candidate} is called only if the sample keeps it.
     *
     * @param filesPending how many files of the state's run had writes not yet flushed.
     */
    void offer(final Supplier<T> candidate, final CrashOutcome outcome, final long issued, final CrashMode mode,
        final int filesPending)
    {
        final int kind;
        if (mode == CrashMode.EVERYTHING)
        {
            if (filesPending == 0)
            {
                return; // nothing a power cut could still lose: the same as a state offered under another mode
            }
            kind = filesPending > 1 ? 0 : 5;
        }
        else
        {
            final boolean holes = mode == CrashMode.BLOCKS || mode == CrashMode.SECTORS ||
                mode == CrashMode.ZEROED_TAIL;
            kind = !outcome.writer.report.clean() ? 1 : outcome.writer.sequence >= issued ? 4 : holes ? 2 : 3;
        }
        seen[kind]++;
        final List<T> k = kept.get(kind);
        if (k.size() < perKind)
        {
            k.add(candidate.get());
            return;
        }
        final int slot = random.nextInt(seen[kind]);
        if (slot < perKind)
        {
            k.set(slot, candidate.get());
        }
    }

    /** @return at most {@code total} picks, round robin over the kinds. */
    List<T> picks(final int total)
    {
        final List<T> picks = new ArrayList<>();
        for (int i = 0; picks.size() < total && i < perKind; i++)
        {
            for (final List<T> k : kept)
            {
                if (i < k.size() && picks.size() < total)
                {
                    picks.add(k.get(i));
                }
            }
        }
        return picks;
    }
}
