package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small stores for tests, and an exact, comparable picture of what a store holds. */
public final class TestStores
{
    public static final int SEGMENT = 256 * 1024;

    private TestStores()
    {
    }

    /** @return options for a small, fast store. */
    public static StoreOptions small(final int dimension)
    {
        return StoreOptions.builder().dimension(dimension).segmentSize(SEGMENT).preallocate(false).build();
    }

    /** @return small-store options without a dimension, as import bases. */
    public static StoreOptions smallBase()
    {
        return StoreOptions.builder().segmentSize(SEGMENT).preallocate(false).build();
    }

    /**
     * Creates a store of {@code n} seeded entries (unicode ids, -0.0, tiny and huge floats, metadata, an empty
     * vector), two named states, and a snapshot with labels.
     */
    public static void create(final Path dir, final int dimension, final int n, final long seed)
    {
        final Random r = new Random(seed);
        try (MemoryStore store = MemoryStore.open(dir, small(dimension)))
        {
            for (int i = 0; i < n; i++)
            {
                final int nnz = i == 0 ? 0 : 1 + r.nextInt(Math.min(20, dimension));
                final int[] idx = r.ints(0, dimension).distinct().limit(nnz).sorted().toArray();
                final float[] val = new float[idx.length];
                for (int j = 0; j < val.length; j++)
                {
                    val[j] = j == 0 && i % 7 == 1 ? -0.0f : j == 1 && i % 11 == 2 ? Float.MIN_VALUE :
                        (float)r.nextGaussian() * (i % 13 == 3 ? 1e30f : 1f);
                }
                final byte[] meta = new byte[i % 3 == 0 ? 0 : r.nextInt(40)];
                r.nextBytes(meta);
                final String id = (i % 5 == 0 ? "ü\uD83D\uDE00-" : "id-") + Integer.toString(r.nextInt(1 << 30), 36) +
                    "-" + i;
                store.put(id, SparseVector.of(idx, val), r.nextFloat(), 1_700_000_000_000L + r.nextInt(1 << 30),
                    meta);
            }
            store.putState("transitions", "{\"a\":{\"b\":2}}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            final byte[] blob = new byte[3000];
            r.nextBytes(blob);
            store.putState("blob", blob);
            store.snapshot(Map.of("encoder", "bow-v1", "memory_config", "{\"n\":1}"));
        }
    }

    /** @return every entry, state and label of the newest snapshot, with float bits, one string each, sorted. */
    public static List<String> contents(final Path dir)
    {
        final List<String> out = new ArrayList<>();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            out.add("dimension " + store.dimension());
            store.forEachInIdOrder(e ->
            {
                final StringBuilder sb = new StringBuilder("entry ").append(e.id()).append(' ');
                for (int i = 0; i < e.nnz(); i++)
                {
                    sb.append(e.index(i)).append('=').append(Integer.toHexString(Float.floatToRawIntBits(e.value(i))))
                        .append(',');
                }
                sb.append(" imp=").append(Integer.toHexString(Float.floatToRawIntBits(e.importance())))
                    .append(" at=").append(e.storedAtMillis());
                final byte[] m = new byte[e.metadataLength()];
                e.getMetadata(m, 0);
                sb.append(" meta=").append(HexFormat.of().formatHex(m));
                out.add(sb.toString());
            });
            for (final String name : store.stateNames())
            {
                out.add("state " + name + "=" + HexFormat.of().formatHex(store.getState(name).orElseThrow()));
            }
            out.add("labels " + store.lastSnapshot().labels());
        }
        return out;
    }
}
