package io.memsnap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The oracle of the damage and bad-input tests: every write made to a store, in sequence order, and so the exact
 * state after any prefix of them. It drives the store and records the write together, so its sequence numbers are
 * the store's. {@link #verify} checks a store against the state at a sequence, bit for bit, accepting a
 * {@link CorruptStoreException} from any single read but never a wrong value.
 *
 * <p>A rewind ({@link #rewind}) starts a new timeline: the writes of the snapshot rewound to, then the next ones.
 * The history then follows the new timeline, and keeps each timeline left behind ({@link #onTimeline}), so that a
 * store or a snapshot on any timeline can be checked. Every id and name ever written, on any timeline, is checked.
 */
final class StoreHistory
{
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte STATE_PUT = 3;
    static final byte STATE_DELETE = 4;
    /** A record compaction copied: it takes a sequence number and changes nothing. */
    static final byte COPY = 6;

    /** One write: its sequence number, kind, key and, for puts, what was written. */
    static final class Write
    {
        final long sequence;
        final byte type;
        final String key;
        final MemoryEntry entry;
        final byte[] value;

        Write(final long sequence, final byte type, final String key, final MemoryEntry entry, final byte[] value)
        {
            this.sequence = sequence;
            this.type = type;
            this.key = key;
            this.entry = entry;
            this.value = value;
        }

        boolean isState()
        {
            return type == STATE_PUT || type == STATE_DELETE;
        }

        boolean isPut()
        {
            return type == PUT || type == STATE_PUT;
        }
    }

    /** The contents of the store after the writes up to a sequence number. */
    static final class State
    {
        final long sequence;
        final Map<String, MemoryEntry> entries;
        final Map<String, byte[]> states;
        /** Sequence of the write that holds each live key, entries and states apart. */
        final Map<String, Long> entrySequences;
        final Map<String, Long> stateSequences;

        State(final long sequence, final Map<String, MemoryEntry> entries, final Map<String, byte[]> states,
            final Map<String, Long> entrySequences, final Map<String, Long> stateSequences)
        {
            this.sequence = sequence;
            this.entries = entries;
            this.states = states;
            this.entrySequences = entrySequences;
            this.stateSequences = stateSequences;
        }
    }

    /** What {@link #verify} saw. */
    static final class Verification
    {
        final long sequence;
        int readErrors;
        int reads;
        final List<String> errorSamples = new ArrayList<>();

        Verification(final long sequence)
        {
            this.sequence = sequence;
        }

        void error(final String what, final CorruptStoreException ex)
        {
            readErrors++;
            if (errorSamples.size() < 3)
            {
                errorSamples.add(what + ": " + firstLine(ex.getMessage()));
            }
        }

        private static String firstLine(final String message)
        {
            final int cut = message.indexOf(". The store is damaged");
            return cut < 0 ? message : message.substring(0, cut);
        }
    }

    private final List<Write> writes = new ArrayList<>();
    private final Set<String> ids;
    private final Set<String> names;
    /** The histories of the timelines left behind, by timeline: shared by every history of the same store. */
    private final Map<Long, StoreHistory> timelines;
    private long timeline;

    StoreHistory()
    {
        this(new TreeSet<>(), new TreeSet<>(), new HashMap<>(), 0);
    }

    private StoreHistory(final Set<String> ids, final Set<String> names, final Map<Long, StoreHistory> timelines,
        final long timeline)
    {
        this.ids = ids;
        this.names = names;
        this.timelines = timelines;
        this.timeline = timeline;
    }

    /** @return the timeline this history follows (0 until a rewind). */
    long timeline()
    {
        return timeline;
    }

    /**
     * @return the history of {@code t}: this one's, or that of a timeline a rewind left behind, up to where it was
     * left.
     */
    StoreHistory onTimeline(final long t)
    {
        final StoreHistory h = t == timeline ? this : timelines.get(t);
        if (h == null)
        {
            throw new IllegalArgumentException("no timeline " + t + " in this history (timelines " +
                timelines.keySet() + " and " + timeline + ")");
        }
        return h;
    }

    /**
     * Records a rewind, which returned: the history left behind is kept as timeline {@link #timeline()}, and this one
     * follows {@code newTimeline} from the first {@code sequence} writes of {@code fromTimeline}.
     */
    void rewind(final long fromTimeline, final long sequence, final long newTimeline)
    {
        final StoreHistory from = onTimeline(fromTimeline);
        final List<Write> kept = new ArrayList<>(from.writes.subList(0, (int)sequence));
        final StoreHistory left = new StoreHistory(ids, names, timelines, timeline);
        left.writes.addAll(writes);
        timelines.put(timeline, left);
        writes.clear();
        writes.addAll(kept);
        timeline = newTimeline;
    }

    /** @return the sequence number of the last write recorded (0 for none). */
    long lastSequence()
    {
        return writes.size();
    }

    List<Write> writes()
    {
        return Collections.unmodifiableList(writes);
    }

    /** @return the write with this sequence number. */
    Write write(final long sequence)
    {
        return writes.get((int)sequence - 1);
    }

    /** @return every entry id ever written, deleted ones included. */
    Set<String> ids()
    {
        return Collections.unmodifiableSet(ids);
    }

    /** @return every state name ever written, deleted ones included. */
    Set<String> names()
    {
        return Collections.unmodifiableSet(names);
    }

    void put(final MemoryStore store, final String id, final SparseVector vector, final float importance,
        final long storedAtMillis, final byte[] metadata)
    {
        store.put(id, vector, importance, storedAtMillis, metadata);
        final long sequence = record();
        final byte[] meta = metadata == null ? new byte[0] : metadata.clone();
        writes.add(new Write(sequence, PUT, id, new MemoryEntry(id, vector, importance, storedAtMillis, meta,
            sequence), null));
        ids.add(id);
        assertEquals(sequence, store.lastSequence(), "sequence of put '" + id + "'");
    }

    /** Deletes through the store; records a write only if the store says the entry existed, checking it agrees. */
    boolean delete(final MemoryStore store, final String id)
    {
        final boolean expected = latest().entries.containsKey(id);
        final boolean existed = store.delete(id);
        assertEquals(expected, existed, "delete('" + id + "') result");
        if (existed)
        {
            final long sequence = record();
            writes.add(new Write(sequence, DELETE, id, null, null));
            assertEquals(sequence, store.lastSequence(), "sequence of delete '" + id + "'");
        }
        return existed;
    }

    void putState(final MemoryStore store, final String name, final byte[] value)
    {
        store.putState(name, value);
        final long sequence = record();
        writes.add(new Write(sequence, STATE_PUT, name, null, value.clone()));
        names.add(name);
        assertEquals(sequence, store.lastSequence(), "sequence of putState '" + name + "'");
    }

    boolean deleteState(final MemoryStore store, final String name)
    {
        final boolean expected = latest().states.containsKey(name);
        final boolean existed = store.deleteState(name);
        assertEquals(expected, existed, "deleteState('" + name + "') result");
        if (existed)
        {
            final long sequence = record();
            writes.add(new Write(sequence, STATE_DELETE, name, null, null));
            assertEquals(sequence, store.lastSequence(), "sequence of deleteState '" + name + "'");
        }
        return existed;
    }

    /**
     * Writes {@code batch} to the store and records {@code planned}, the writes it holds in order (each writes a
     * record: its deletes are of keys live when they come), as single calls would have been.
     */
    void write(final MemoryStore store, final WriteBatch batch, final List<Write> planned)
    {
        store.write(batch);
        for (final Write w : planned)
        {
            final long sequence = record();
            final MemoryEntry e = w.entry == null ? null : new MemoryEntry(w.key, w.entry.vector(),
                w.entry.importance(), w.entry.storedAtMillis(), w.entry.metadata(), sequence);
            writes.add(new Write(sequence, w.type, w.key, e, w.value));
            if (w.type == PUT)
            {
                ids.add(w.key);
            }
            else if (w.type == STATE_PUT)
            {
                names.add(w.key);
            }
        }
        assertEquals(lastSequence(), store.lastSequence(), "sequence after a batch of " + planned.size());
    }

    /**
     * Compacts the store on demand and records each copy it made as a write that changes nothing: copies take
     * sequence numbers, and an entry read from a copy carries the copy's.
     */
    CompactionResult compact(final MemoryStore store)
    {
        final long before = store.lastSequence();
        assertEquals(lastSequence(), before, "sequence before compact()");
        final CompactionResult result = store.compact();
        final long after = store.lastSequence();
        assertEquals(result.recordsCopied(), after - before, "copies of " + result);
        for (long sequence = before + 1; sequence <= after; sequence++)
        {
            writes.add(new Write(sequence, COPY, null, null, null));
        }
        return result;
    }

    /** @return whether {@code sequence} is a compaction copy after {@code original}. */
    private boolean copiedAfter(final long sequence, final long original)
    {
        return sequence > original && sequence <= lastSequence() && write(sequence).type == COPY;
    }

    /** @return {@code want} as read from the copy {@code got} holds it in, if {@code got} is one; else {@code want}. */
    private MemoryEntry asRead(final MemoryEntry want, final MemoryEntry got)
    {
        if (want == null || got == null || got.sequence() == want.sequence() ||
            !copiedAfter(got.sequence(), want.sequence()))
        {
            return want;
        }
        return new MemoryEntry(want.id(), want.vector(), want.importance(), want.storedAtMillis(), want.metadata(),
            got.sequence());
    }

    /**
     * @return a history of the first {@code sequence} writes that still knows every id and name of this one, so that
     * verifying against it also checks that the later ones are absent.
     */
    StoreHistory prefix(final long sequence)
    {
        final StoreHistory h = new StoreHistory(new TreeSet<>(ids), new TreeSet<>(names), timelines, timeline);
        h.writes.addAll(writes.subList(0, (int)sequence));
        return h;
    }

    private long record()
    {
        return writes.size() + 1L;
    }

    State latest()
    {
        return at(lastSequence());
    }

    /** @return the state after the writes with sequence numbers 1 to {@code sequence}. */
    State at(final long sequence)
    {
        return without(sequence, Set.of());
    }

    /**
     * @return the state after the writes with sequence numbers 1 to {@code sequence} except those in {@code lost}:
     * what a salvage that could not read them restores.
     */
    State without(final long sequence, final Set<Long> lost)
    {
        if (sequence < 0 || sequence > lastSequence())
        {
            throw new IllegalArgumentException("sequence " + sequence + " outside [0, " + lastSequence() + "]");
        }
        final Map<String, MemoryEntry> entries = new HashMap<>();
        final Map<String, byte[]> states = new HashMap<>();
        final Map<String, Long> entrySequences = new HashMap<>();
        final Map<String, Long> stateSequences = new HashMap<>();
        for (int i = 0; i < sequence; i++)
        {
            final Write w = writes.get(i);
            if (lost.contains(w.sequence))
            {
                continue;
            }
            switch (w.type)
            {
                case PUT:
                    entries.put(w.key, w.entry);
                    entrySequences.put(w.key, w.sequence);
                    break;
                case DELETE:
                    entries.remove(w.key);
                    entrySequences.remove(w.key);
                    break;
                case STATE_PUT:
                    states.put(w.key, w.value);
                    stateSequences.put(w.key, w.sequence);
                    break;
                case COPY:
                    break;
                default:
                    states.remove(w.key);
                    stateSequences.remove(w.key);
                    break;
            }
        }
        return new State(sequence, entries, states, entrySequences, stateSequences);
    }

    /**
     * Checks that {@code store} holds exactly the state after {@code sequence}: counts, every id ever written (by
     * {@code get} and {@code contains}), {@code forEach}, every state name ever written, and {@code stateNames}.
     * A read may throw {@link CorruptStoreException} (counted); any other exception, and any value that differs in
     * a single bit, fails the test.
     */
    Verification verify(final MemoryStore store, final long sequence, final String context)
    {
        final State expected = at(sequence);
        final Verification v = new Verification(sequence);
        assertEquals(sequence, store.lastSequence(), context + ": lastSequence");
        assertEquals(expected.entries.size(), store.size(), context + ": size() at sequence " + sequence);
        assertEquals(expected.states.size(), store.stateCount(), context + ": stateCount() at sequence " + sequence);

        for (final String id : ids)
        {
            final MemoryEntry want = expected.entries.get(id);
            final Optional<MemoryEntry> got = read(v, "get('" + id + "')", () -> store.get(id));
            if (got != null)
            {
                assertSame(asRead(want, got.orElse(null)), got.orElse(null), context + ": get('" + id +
                    "') at sequence " + sequence);
            }
            final Boolean contains = read(v, "contains('" + id + "')", () -> store.contains(id));
            if (contains != null)
            {
                assertEquals(want != null, contains, context + ": contains('" + id + "') at sequence " + sequence);
            }
        }

        final Map<String, MemoryEntry> visited = new TreeMap<>();
        final Boolean completed = read(v, "forEach", () ->
        {
            store.forEach(view ->
            {
                final MemoryEntry e = view.toEntry();
                assertTrue(visited.put(e.id(), e) == null, context + ": forEach visited '" + e.id() + "' twice");
                assertTrue(expected.entries.containsKey(e.id()), context + ": forEach visited '" + e.id() +
                    "', which is not live at sequence " + sequence);
                assertSame(asRead(expected.entries.get(e.id()), e), e, context + ": forEach entry '" + e.id() + "'");
            });
            return Boolean.TRUE;
        });
        if (completed != null)
        {
            assertEquals(expected.entries.keySet(), visited.keySet(), context + ": ids visited by forEach");
        }

        for (final String name : names)
        {
            final byte[] want = expected.states.get(name);
            final Optional<byte[]> got = read(v, "getState('" + name + "')", () -> store.getState(name));
            if (got != null)
            {
                if (want == null)
                {
                    assertFalse(got.isPresent(), context + ": getState('" + name + "') should be absent at sequence " +
                        sequence);
                }
                else
                {
                    assertTrue(got.isPresent(), context + ": getState('" + name + "') should be present");
                    assertTrue(Arrays.equals(want, got.get()), context + ": getState('" + name + "') value");
                }
            }
        }
        final List<String> stateNames = read(v, "stateNames", store::stateNames);
        if (stateNames != null)
        {
            assertEquals(new ArrayList<>(new TreeSet<>(expected.states.keySet())), stateNames,
                context + ": stateNames()");
        }
        return v;
    }

    private static <T> T read(final Verification v, final String what, final Supplier<T> read)
    {
        v.reads++;
        try
        {
            return read.get();
        }
        catch (final CorruptStoreException ex)
        {
            v.error(what, ex);
            return null;
        }
    }

    /** Fails unless both are absent or both hold the same bits, sequence number included. */
    static void assertSame(final MemoryEntry want, final MemoryEntry got, final String what)
    {
        if (want == null || got == null)
        {
            assertEquals(want, got, what);
            return;
        }
        assertEquals(want.id(), got.id(), what + ": id");
        assertEquals(want.vector(), got.vector(), what + ": vector");
        assertEquals(Float.floatToRawIntBits(want.importance()), Float.floatToRawIntBits(got.importance()),
            what + ": importance");
        assertEquals(want.storedAtMillis(), got.storedAtMillis(), what + ": storedAtMillis");
        assertTrue(Arrays.equals(want.metadata(), got.metadata()), what + ": metadata");
        assertEquals(want.sequence(), got.sequence(), what + ": sequence");
        if (!want.equals(got))
        {
            fail(what + ": " + want + " != " + got);
        }
    }
}
