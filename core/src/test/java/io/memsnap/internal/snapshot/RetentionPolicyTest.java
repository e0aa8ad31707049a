package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.PinsDescriptor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rules of retention with explicit times: the count rule, the age rule (boundaries, unknown ages, a clock that
 * went back), pins (expiry at its boundary), several reasons at once, and, over random stores, that a snapshot is
 * kept exactly when some rule keeps it and that the newest two always stay.
 */
class RetentionPolicyTest
{
    private static final long DAY = 24L * 3600 * 1000;
    private static final long NOW = 1_800_000_000_000L;
    private static final long OLD = NOW - 1000 * DAY;

    /** Generations {@code 0 .. n-1}, all created at {@code createdAt}. */
    private static SortedMap<Long, Long> store(final int n, final long createdAt)
    {
        final SortedMap<Long, Long> m = new TreeMap<>();
        for (long g = 0; g < n; g++)
        {
            m.put(g, createdAt);
        }
        return m;
    }

    private static PinSet pins(final Pin... pins)
    {
        return PinSet.of(List.of(pins));
    }

    @Test
    void theCountRuleKeepsTheNewestN()
    {
        final RetentionDecision d = new RetentionPolicy(3, 0).decide(store(10, OLD), PinSet.NONE, NOW);
        assertEquals(List.of(9L, 8L, 7L), d.kept());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), d.dropped(), "oldest first");
        assertEquals(List.of("last-3"), d.reasons(7));
        assertEquals(List.of(), d.reasons(6));
        assertFalse(d.keeps(6));
        assertEquals(List.of(), d.reasons(42), "not on disk");
    }

    @Test
    void fewerThanNAreAllKept()
    {
        final RetentionDecision d = new RetentionPolicy(5, 0).decide(store(3, OLD), PinSet.NONE, NOW);
        assertEquals(List.of(2L, 1L, 0L), d.kept());
        assertTrue(d.dropped().isEmpty());
        assertTrue(new RetentionPolicy(2, 0).decide(new TreeMap<>(), PinSet.NONE, NOW).kept().isEmpty());
    }

    @Test
    void damagedManifestsCountAsFilesButHaveNoAge()
    {
        final SortedMap<Long, Long> s = store(5, NOW);
        s.put(4L, RetentionPolicy.UNKNOWN_CREATED_AT);
        s.put(1L, RetentionPolicy.UNKNOWN_CREATED_AT);
        final RetentionDecision d = new RetentionPolicy(2, DAY).decide(s, PinSet.NONE, NOW);
        assertEquals(List.of("last-2"), d.reasons(4), "the count rule counts it; it has no age");
        assertEquals(List.of("last-2", "age<1d"), d.reasons(3));
        assertEquals(List.of("age<1d"), d.reasons(2));
        assertEquals(List.of(1L), d.dropped(), "a damaged one beyond the count has no age to keep it");
    }

    @Test
    void theAgeRuleKeepsWhatIsYoungerThanTheDurationExactly()
    {
        final SortedMap<Long, Long> s = new TreeMap<>();
        s.put(1L, NOW - 14 * DAY - 1); // older than 14 days
        s.put(2L, NOW - 14 * DAY);     // exactly 14 days: not younger
        s.put(3L, NOW - 14 * DAY + 1); // younger by a millisecond
        s.put(4L, NOW - 1);
        s.put(5L, NOW);
        s.put(6L, NOW + DAY);           // created "in the future": the clock went back since; young
        s.put(7L, OLD);
        s.put(8L, OLD);
        final RetentionDecision d = new RetentionPolicy(2, 14 * DAY).decide(s, PinSet.NONE, NOW);
        assertEquals(List.of(1L, 2L), d.dropped());
        for (final long g : new long[] {3, 4, 5, 6})
        {
            assertEquals(List.of("age<14d"), d.reasons(g), "generation " + g);
        }
        assertEquals(List.of("last-2"), d.reasons(7), "the newest two, however old");
        assertEquals(List.of("last-2"), d.reasons(8));
    }

    @Test
    void aZeroAgeIsNoAgeRuleEvenForSnapshotsFromTheFuture()
    {
        final SortedMap<Long, Long> s = store(6, NOW + DAY);
        final RetentionDecision d = new RetentionPolicy(3, 0).decide(s, PinSet.NONE, NOW);
        assertEquals(List.of(5L, 4L, 3L), d.kept());
        assertEquals(List.of("last-3"), d.reasons(3));
    }

    @Test
    void anAgeLongerThanTheEpochKeepsEverythingThatHasAnAge()
    {
        final SortedMap<Long, Long> s = store(6, OLD);
        s.put(0L, RetentionPolicy.UNKNOWN_CREATED_AT);
        final RetentionDecision d = new RetentionPolicy(2, Long.MAX_VALUE).decide(s, PinSet.NONE, NOW);
        assertEquals(List.of(0L), d.dropped());
        assertEquals(List.of("age<" + Long.MAX_VALUE + "ms"), d.reasons(1));
        // now - age would overflow below the smallest long: every known age is younger still.
        final RetentionDecision early = new RetentionPolicy(2, Long.MAX_VALUE).decide(store(4, Long.MIN_VALUE + 1),
            PinSet.NONE, -10);
        assertEquals(List.of(3L, 2L, 1L, 0L), early.kept());
    }

    @Test
    void pinsKeepOldSnapshotsUntilTheyExpire()
    {
        final PinSet pins = pins(new Pin(1, "before migration", PinsDescriptor.NEVER),
            new Pin(2, "rewind", NOW + 1), new Pin(3, "expired", NOW), new Pin(4, "long expired", NOW - DAY),
            new Pin(99, "not on disk", PinsDescriptor.NEVER));
        final RetentionDecision d = new RetentionPolicy(2, 0).decide(store(8, OLD), pins, NOW);
        assertEquals(List.of("pinned: before migration"), d.reasons(1));
        assertEquals(List.of("pinned: rewind"), d.reasons(2), "one millisecond before its expiry");
        assertEquals(List.of(0L, 3L, 4L, 5L), d.dropped(), "a pin keeps nothing from its expiry on");
        assertEquals(List.of(7L, 6L, 2L, 1L), d.kept());
        final RetentionDecision later = new RetentionPolicy(2, 0).decide(store(8, OLD), pins, NOW + 1);
        assertFalse(later.keeps(2));
        assertTrue(later.keeps(1));
    }

    @Test
    void aSnapshotKeptByEveryRuleSaysSoInOrder()
    {
        final RetentionDecision d = new RetentionPolicy(5, 36 * 3600 * 1000L).decide(store(3, NOW - 1),
            pins(new Pin(2, "p", PinsDescriptor.NEVER)), NOW);
        assertEquals(List.of("last-5", "age<36h", "pinned: p"), d.reasons(2));
        assertEquals(List.of("last-5", "age<36h"), d.reasons(1));
    }

    @Test
    void durationsAreNamedInTheLargestUnitThatDividesThem()
    {
        assertEquals("14d", RetentionPolicy.describe(14 * DAY));
        assertEquals("36h", RetentionPolicy.describe(36 * 3600 * 1000L));
        assertEquals("90m", RetentionPolicy.describe(90 * 60 * 1000L));
        assertEquals("45s", RetentionPolicy.describe(45_000));
        assertEquals("1500ms", RetentionPolicy.describe(1500));
        assertEquals("1ms", RetentionPolicy.describe(1));
        assertEquals("25h", RetentionPolicy.describe(DAY + 3600 * 1000L));
    }

    @Test
    void impossibleRulesAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(2, -1));
    }

    /**
     * Random stores (ages around the rule's boundary, damaged manifests, pins live and expired): a snapshot is kept
     * exactly when one rule keeps it, with one reason a rule, and the newest two always stay.
     */
    @Test
    void overRandomStoresASnapshotIsKeptExactlyWhenARuleKeepsItAndTheNewestTwoAlwaysStay()
    {
        final Random random = new Random(20261206);
        for (int round = 0; round < 2000; round++)
        {
            final int keepLast = 2 + random.nextInt(4);
            final long age = random.nextBoolean() ? 0 : 1 + random.nextInt(100);
            final SortedMap<Long, Long> s = new TreeMap<>();
            final List<Pin> pinList = new ArrayList<>();
            long g = random.nextInt(5);
            final int n = random.nextInt(12);
            for (int i = 0; i < n; i++)
            {
                g += 1 + random.nextInt(3);
                s.put(g, random.nextInt(8) == 0 ? RetentionPolicy.UNKNOWN_CREATED_AT : NOW - random.nextInt(200) + 20);
                if (random.nextInt(4) == 0)
                {
                    pinList.add(new Pin(g, "p" + g, random.nextBoolean() ? PinsDescriptor.NEVER :
                        NOW - 5 + random.nextInt(10)));
                }
            }
            final PinSet pins = PinSet.of(pinList);
            final RetentionDecision d = new RetentionPolicy(keepLast, age).decide(s, pins, NOW);
            final List<Long> newestFirst = new ArrayList<>(s.keySet());
            java.util.Collections.reverse(newestFirst);
            final String context = "round " + round + ": " + s + ", " + pins + ", keep " + keepLast + ", age " + age;
            assertEquals(s.size(), d.kept().size() + d.dropped().size(), context);
            for (int rank = 0; rank < newestFirst.size(); rank++)
            {
                final long gen = newestFirst.get(rank);
                final long created = s.get(gen);
                final boolean byCount = rank < keepLast;
                final boolean byAge = age > 0 && created != RetentionPolicy.UNKNOWN_CREATED_AT && NOW - created < age;
                final boolean byPin = pins.contains(gen) && pins.get(gen).expiresAtMillis > NOW;
                assertEquals(byCount || byAge || byPin, d.keeps(gen), context + ", generation " + gen);
                assertEquals((byCount ? 1 : 0) + (byAge ? 1 : 0) + (byPin ? 1 : 0), d.reasons(gen).size(), context);
                assertEquals(!d.keeps(gen), d.dropped().contains(gen), context);
                if (rank < 2)
                {
                    assertTrue(d.keeps(gen), "the newest two always stay; " + context);
                }
            }
            final List<Long> sorted = new ArrayList<>(d.dropped());
            sorted.sort(null);
            assertEquals(sorted, d.dropped(), "dropped oldest first; " + context);
        }
    }
}
