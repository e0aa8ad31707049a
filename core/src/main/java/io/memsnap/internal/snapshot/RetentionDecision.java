package io.memsnap.internal.snapshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;

/**
 * What {@link RetentionPolicy#decide} gave: the snapshots kept, each with why (one reason a rule that keeps it, in
 * the order count, age, pin), and those dropped. Thread safe: immutable.
 */
public final class RetentionDecision
{
    private final SortedMap<Long, List<String>> kept;
    private final List<Long> dropped;

    RetentionDecision(final SortedMap<Long, List<String>> kept, final List<Long> dropped)
    {
        this.kept = Collections.unmodifiableSortedMap(kept);
        this.dropped = List.copyOf(dropped);
    }

    public boolean keeps(final long generation)
    {
        return kept.containsKey(generation);
    }

    /** @return why {@code generation} is kept; empty if it is not (dropped, or not on disk). */
    public List<String> reasons(final long generation)
    {
        final List<String> reasons = kept.get(generation);
        return reasons == null ? List.of() : reasons;
    }

    /** @return the generations kept, newest first. */
    public List<Long> kept()
    {
        final List<Long> newestFirst = new ArrayList<>(kept.keySet());
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** @return the generations dropped, oldest first. */
    public List<Long> dropped()
    {
        return dropped;
    }

    @Override
    public String toString()
    {
        return "RetentionDecision{kept=" + kept + ", dropped=" + dropped + '}';
    }
}
