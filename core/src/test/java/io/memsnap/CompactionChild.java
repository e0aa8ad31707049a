package io.memsnap;

import java.nio.file.Path;

/**
 * The process {@link CompactionCrashTest} kills while it compacts: opens the store (background compaction on, eager),
 * and then, round after round, overwrites every entry with the round's version, syncs, prints
 * {@code durable <round>}, and compacts on demand, printing {@code compaction <round>} before, {@code compacting
 * <round>} after each segment it compacted and {@code compacted <round>} once the compaction returned; a snapshot
 * ends each round. Each line is flushed at once. Any failure prints its stack trace to stderr and exits with status
 * 2.
 *
 * <p>Usage: {@code CompactionChild <dir> <entries>}.
 */
public final class CompactionChild
{
    private CompactionChild()
    {
    }

    static StoreOptions options()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .compactionDeadFraction(0.05).compactionLiveFraction(0.95).build();
    }

    public static void main(final String[] args)
    {
        try
        {
            final int entries = Integer.parseInt(args[1]);
            final MemoryStore store = MemoryStore.open(Path.of(args[0]), options());
            for (int round = 1; ; round++)
            {
                for (int n = 0; n < entries; n++)
                {
                    TestEntries.put(store, n, round);
                }
                store.sync();
                say("durable " + round);
                final int r = round;
                say("compaction " + r);
                store.compact(progress -> say("compacting " + r));
                say("compacted " + r);
                store.snapshot();
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
        System.out.println(line);
        System.out.flush();
    }
}
