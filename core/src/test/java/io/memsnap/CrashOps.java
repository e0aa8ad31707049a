package io.memsnap;

import io.memsnap.internal.format.RecordDescriptor;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The deterministic sequence of writes of the crash test, and the model of the store it produces.
 *
 * <p>Op {@code k} (0-based) depends only on the seed, {@code k} and the state after ops {@code [0, k)}, so the
 * child that issues the ops and the parent that checks a recovered store compute the same sequence. Every op
 * writes exactly one record: a delete is only issued for an entry that exists (otherwise it becomes a put), so
 * op {@code k} carries sequence number {@code k + 1} and a store whose last sequence is {@code k} holds exactly
 * ops {@code [0, k)}.
 *
 * <p>A put of entry {@code n} by op {@code k} writes version {@code k} of it ({@link TestEntries}), so every
 * surviving entry can be recomputed bit for bit.
 *
 * <p>Not thread safe.
 */
final class CrashOps
{
    static final int STATE_NAMES = 8;

    private static final byte PUT = 0;
    private static final byte DELETE = 1;
    private static final byte PUT_STATE = 2;

    private final long seed;
    private final int idSpace;
    /** Live entries: entry number to the op (version) that wrote it. */
    private final Map<Integer, Long> entries = new HashMap<>();
    /** Live named states: name number to the op that wrote it. */
    private final Map<Integer, Long> states = new HashMap<>();
    private long applied;

    CrashOps(final long seed, final int idSpace)
    {
        this.seed = seed;
        this.idSpace = idSpace;
    }

    /**
     * @return the bytes the records of ops {@code [from, to)} take in the log (computed on a model of its own).
     */
    long recordBytes(final long from, final long to)
    {
        final CrashOps replay = new CrashOps(seed, idSpace).advanceTo(from);
        long bytes = 0;
        while (replay.applied() < to)
        {
            bytes += replay.next().recordBytes();
        }
        return bytes;
    }

    /** @return op {@link #applied()}, which is applied to the model (not to any store). */
    Op next()
    {
        final long k = applied++;
        final SplittableRandom r = new SplittableRandom(seed * 0x9E37_79B9_7F4A_7C15L + k);
        final int kind = r.nextInt(100);
        if (kind < 3)
        {
            final int name = r.nextInt(STATE_NAMES);
            states.put(name, k);
            return new Op(k, PUT_STATE, name);
        }
        final int n = r.nextInt(idSpace);
        if (kind < 25 && entries.containsKey(n))
        {
            entries.remove(n);
            return new Op(k, DELETE, n);
        }
        entries.put(n, k);
        return new Op(k, PUT, n);
    }

    /** Replays ops on the model until {@code count} ops are applied. */
    CrashOps advanceTo(final long count)
    {
        if (count < applied)
        {
            throw new IllegalArgumentException("cannot rewind from " + applied + " to " + count);
        }
        while (applied < count)
        {
            next();
        }
        return this;
    }

    long applied()
    {
        return applied;
    }

    int idSpace()
    {
        return idSpace;
    }

    Map<Integer, Long> entries()
    {
        return entries;
    }

    Map<Integer, Long> states()
    {
        return states;
    }

    static String stateName(final int name)
    {
        return "state-" + name;
    }

    static byte[] stateValue(final int name, final long version)
    {
        return ("state " + name + " written by op " + version).getBytes(StandardCharsets.UTF_8);
    }

    /** One write; {@link #prepare()} computes its payload ahead, so that {@link #applyTo} only writes. */
    static final class Op
    {
        private final long k;
        private final byte kind;
        private final int n;
        private String key;
        private SparseVector vector;
        private byte[] bytes;

        private Op(final long k, final byte kind, final int n)
        {
            this.k = k;
            this.kind = kind;
            this.n = n;
        }

        Op prepare()
        {
            if (kind == PUT_STATE)
            {
                key = stateName(n);
                bytes = stateValue(n, k);
            }
            else
            {
                key = TestEntries.id(n);
                if (kind == PUT)
                {
                    vector = TestEntries.vector(n, k);
                    bytes = TestEntries.metadata(n, k);
                }
            }
            return this;
        }

        /** Adds this write to {@code batch}, as {@link #applyTo} would make it. */
        void addTo(final WriteBatch batch)
        {
            if (key == null)
            {
                prepare();
            }
            switch (kind)
            {
                case PUT:
                    batch.put(key, vector, TestEntries.importance(n, k), TestEntries.storedAt(n, k), bytes);
                    break;

                case DELETE:
                    batch.delete(key);
                    break;

                default:
                    batch.putState(key, bytes);
                    break;
            }
        }

        /** @return the bytes its record takes in the log, alignment included. */
        int recordBytes()
        {
            if (key == null)
            {
                prepare();
            }
            final int idLength = key.getBytes(StandardCharsets.UTF_8).length;
            final long length = kind == PUT ? RecordDescriptor.recordLength(vector.nnz(), idLength, bytes.length) :
                RecordDescriptor.recordLength(0, idLength, kind == DELETE ? 0 : bytes.length);
            return RecordDescriptor.alignedLength((int)length);
        }

        void applyTo(final MemoryStore store)
        {
            if (key == null)
            {
                prepare();
            }
            switch (kind)
            {
                case PUT:
                    store.put(key, vector, TestEntries.importance(n, k), TestEntries.storedAt(n, k), bytes);
                    break;

                case DELETE:
                    if (!store.delete(key))
                    {
                        throw new IllegalStateException("op " + k + " deletes " + key +
                            " which the store does not hold: store and model diverged");
                    }
                    break;

                default:
                    store.putState(key, bytes);
                    break;
            }
        }
    }
}
