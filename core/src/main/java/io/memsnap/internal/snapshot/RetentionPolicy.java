package io.memsnap.internal.snapshot;

import io.memsnap.StoreOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which snapshots retention keeps, and why: a snapshot is kept if any rule keeps it.
 * <ul>
 *     <li>{@code last-N}: it is one of the newest {@link #keepLast} manifests on disk (damaged ones count: they are
 *     files a fallback tried);</li>
 *     <li>{@code age<D}: it was created less than {@link #keepYoungerThanMillis} before now (no rule when 0; a
 *     manifest that does not validate has no known age);</li>
 *     <li>{@code pinned: LABEL}: it has a pin that has not expired.</li>
 * </ul>
 * The count rule keeps at least two, so the newest snapshot and one to fall back to when it is damaged are always
 * kept. Time is a parameter ({@code nowMillis}), never read here. Thread safe: immutable.
 */
public final class RetentionPolicy
{
    /** Created-at of a manifest that does not validate: no age rule keeps it. */
    public static final long UNKNOWN_CREATED_AT = Long.MIN_VALUE;
    /** Reasons start with these. */
    public static final String LAST_PREFIX = "last-";
    public static final String AGE_PREFIX = "age<";
    public static final String PINNED_PREFIX = "pinned: ";

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    public final int keepLast;
    public final long keepYoungerThanMillis;

    /**
     * @param keepLast              how many of the newest snapshots are kept, at least
     *                              {@link StoreOptions#MIN_RETAINED_SNAPSHOTS}.
     * @param keepYoungerThanMillis snapshots younger than this are kept; 0 for no age rule.
     */
    public RetentionPolicy(final int keepLast, final long keepYoungerThanMillis)
    {
        if (keepLast < StoreOptions.MIN_RETAINED_SNAPSHOTS || keepYoungerThanMillis < 0)
        {
            throw new IllegalArgumentException("retention must keep at least " + StoreOptions.MIN_RETAINED_SNAPSHOTS +
                " snapshots and an age of at least 0 ms, not " + keepLast + " and " + keepYoungerThanMillis + " ms");
        }
        this.keepLast = keepLast;
        this.keepYoungerThanMillis = keepYoungerThanMillis;
    }

    /** @return the rules these options configure. */
    public static RetentionPolicy of(final StoreOptions options)
    {
        return new RetentionPolicy(options.retainedSnapshots(), options.retainedSnapshotAge().toMillis());
    }

    /**
     * @param recorded the rules the store's newest snapshot records (see {@link RetentionExtension}), or null.
     * @return the rules a writer applies: the recorded ones when the options say {@link
     * StoreOptions#retentionFromStore()} and the store records some, else the options' own.
     */
    public static RetentionPolicy forWriter(final StoreOptions options, final RetentionPolicy recorded)
    {
        return options.retentionFromStore() && recorded != null ? recorded : of(options);
    }

    /**
     * @param createdAtByGeneration every manifest on disk (its generation and created-at, or
     *                              {@link #UNKNOWN_CREATED_AT} if it does not validate).
     * @param pins                  the pins of the newest manifest; expired ones keep nothing.
     * @param nowMillis             the time the ages and expiries are taken at, epoch milliseconds.
     * @return what is kept and why, and what is dropped.
     */
    public RetentionDecision decide(final SortedMap<Long, Long> createdAtByGeneration, final PinSet pins,
        final long nowMillis)
    {
        final TreeMap<Long, List<String>> kept = new TreeMap<>();
        final List<Long> dropped = new ArrayList<>();
        final long youngerThan = keepYoungerThanMillis == 0 ? Long.MAX_VALUE : createdAfter(nowMillis);
        final int count = createdAtByGeneration.size();
        int fromOldest = 0;
        for (final Map.Entry<Long, Long> e : createdAtByGeneration.entrySet())
        {
            final long generation = e.getKey();
            final List<String> reasons = new ArrayList<>(3);
            if (count - fromOldest <= keepLast)
            {
                reasons.add(LAST_PREFIX + keepLast);
            }
            if (e.getValue() != UNKNOWN_CREATED_AT && e.getValue() > youngerThan)
            {
                reasons.add(AGE_PREFIX + describe(keepYoungerThanMillis));
            }
            final Pin pin = pins.get(generation);
            if (pin != null && pin.liveAt(nowMillis))
            {
                reasons.add(PINNED_PREFIX + pin.label);
            }
            if (reasons.isEmpty())
            {
                dropped.add(generation);
            }
            else
            {
                kept.put(generation, List.copyOf(reasons));
            }
            fromOldest++;
        }
        return new RetentionDecision(kept, dropped);
    }

    /** @return the created-at after which a snapshot is younger than the age rule at {@code nowMillis}. */
    private long createdAfter(final long nowMillis)
    {
        try
        {
            return Math.subtractExact(nowMillis, keepYoungerThanMillis);
        }
        catch (final ArithmeticException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    /** @return a duration in the largest unit that divides it: {@code 14d}, {@code 36h}, {@code 90m}, {@code 1500ms}. */
    public static String describe(final long millis)
    {
        if (millis != 0)
        {
            if (millis % DAY == 0)
            {
                return millis / DAY + "d";
            }
            if (millis % HOUR == 0)
            {
                return millis / HOUR + "h";
            }
            if (millis % MINUTE == 0)
            {
                return millis / MINUTE + "m";
            }
            if (millis % SECOND == 0)
            {
                return millis / SECOND + "s";
            }
        }
        return millis + "ms";
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof RetentionPolicy && ((RetentionPolicy)o).keepLast == keepLast &&
            ((RetentionPolicy)o).keepYoungerThanMillis == keepYoungerThanMillis;
    }

    @Override
    public int hashCode()
    {
        return keepLast * 31 + Long.hashCode(keepYoungerThanMillis);
    }

    @Override
    public String toString()
    {
        return "RetentionPolicy{" + LAST_PREFIX + keepLast +
            (keepYoungerThanMillis == 0 ? "" : ", " + AGE_PREFIX + describe(keepYoungerThanMillis)) + '}';
    }
}
