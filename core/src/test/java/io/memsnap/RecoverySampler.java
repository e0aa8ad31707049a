package io.memsnap;

import io.memsnap.crash.CrashMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Picks the crash states whose recovery the explorer records and explores in turn: a uniform sample (reservoir) of
 * each kind, so that every kind is represented whatever the number of states. The kinds: recoveries that repaired
 * something (cut a torn tail, discarded files, skipped a snapshot); recoveries that found a clean end before the
 * last write issued in a state that kept random blocks (a writer then resumes in place, over whatever the lost
 * writes left in the blocks beyond it); the same in other states; and recoveries that restored every write issued.
 * Not thread safe.
 *
 * @param <T> what is sampled.
 */
final class RecoverySampler<T>
{
    private static final int KINDS = 4;

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

    /** Offers a state that recovered without a problem. */
    void offer(final T candidate, final CrashOutcome outcome, final long issued, final CrashMode mode)
    {
        final boolean holes = mode == CrashMode.BLOCKS || mode == CrashMode.SECTORS || mode == CrashMode.ZEROED_TAIL;
        final int kind = !outcome.writer.report.clean() ? 0 : outcome.writer.sequence >= issued ? 3 : holes ? 1 : 2;
        seen[kind]++;
        final List<T> k = kept.get(kind);
        if (k.size() < perKind)
        {
            k.add(candidate);
            return;
        }
        final int slot = random.nextInt(seen[kind]);
        if (slot < perKind)
        {
            k.set(slot, candidate);
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
