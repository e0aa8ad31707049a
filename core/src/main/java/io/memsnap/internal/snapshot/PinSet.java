package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.PinsDescriptor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The pinned snapshots of a store, at most one pin a generation, as a manifest records them. Thread safe:
 * immutable; every change returns a new set.
 */
public final class PinSet
{
    public static final PinSet NONE = new PinSet(new TreeMap<>());

    private final SortedMap<Long, Pin> byGeneration;

    private PinSet(final SortedMap<Long, Pin> byGeneration)
    {
        this.byGeneration = Collections.unmodifiableSortedMap(byGeneration);
    }

    /** @return the set of these pins (a later pin of a generation replaces an earlier one). */
    public static PinSet of(final Collection<Pin> pins)
    {
        final TreeMap<Long, Pin> map = new TreeMap<>();
        for (final Pin p : pins)
        {
            map.put(p.generation, p);
        }
        return new PinSet(map);
    }

    /** @return the pin of {@code generation}, or null. */
    public Pin get(final long generation)
    {
        return byGeneration.get(generation);
    }

    public boolean contains(final long generation)
    {
        return byGeneration.containsKey(generation);
    }

    public int size()
    {
        return byGeneration.size();
    }

    /** @return the pins, by increasing generation. */
    public List<Pin> pins()
    {
        return List.copyOf(byGeneration.values());
    }

    /** @return the pinned generations, increasing. */
    public Set<Long> generations()
    {
        return byGeneration.keySet();
    }

    /**
     * @return this set with {@code pin} added, or replacing the pin of its generation.
     * @throws IllegalStateException if the set holds {@link PinsDescriptor#MAX_PINS} pins already.
     */
    public PinSet with(final Pin pin)
    {
        if (!byGeneration.containsKey(pin.generation) && byGeneration.size() >= PinsDescriptor.MAX_PINS)
        {
            throw new IllegalStateException("the store holds " + byGeneration.size() + " pins, the most it " +
                "allows: unpin snapshots that need no keeping (memsnap list shows them) before pinning another");
        }
        final TreeMap<Long, Pin> map = new TreeMap<>(byGeneration);
        map.put(pin.generation, pin);
        return new PinSet(map);
    }

    /** @return this set without the pin of {@code generation}. */
    public PinSet without(final long generation)
    {
        if (!byGeneration.containsKey(generation))
        {
            return this;
        }
        final TreeMap<Long, Pin> map = new TreeMap<>(byGeneration);
        map.remove(generation);
        return new PinSet(map);
    }

    /** @return the pins that still keep their snapshot at {@code nowMillis}. */
    public PinSet liveAt(final long nowMillis)
    {
        final List<Pin> live = new ArrayList<>();
        for (final Pin p : byGeneration.values())
        {
            if (p.liveAt(nowMillis))
            {
                live.add(p);
            }
        }
        return live.size() == byGeneration.size() ? this : of(live);
    }

    /** @return the pins of the generations in {@code retained}. */
    public PinSet within(final Collection<Long> retained)
    {
        final TreeMap<Long, Pin> map = new TreeMap<>(byGeneration);
        map.keySet().retainAll(retained);
        return map.size() == byGeneration.size() ? this : new PinSet(map);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof PinSet && byGeneration.equals(((PinSet)o).byGeneration);
    }

    @Override
    public int hashCode()
    {
        return byGeneration.hashCode();
    }

    @Override
    public String toString()
    {
        return "PinSet" + byGeneration.values();
    }
}
