package io.memsnap.cloud;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stores for the tests: entries whose content follows from their number and version, and checks of them. */
final class Stores
{
    static final int DIMENSION = 1 << 16;

    private Stores()
    {
    }

    static StoreOptions options()
    {
        return StoreOptions.builder().dimension(DIMENSION).backgroundCompaction(false).build();
    }

    static String id(final long n)
    {
        return "entry-" + n;
    }

    static SparseVector vector(final long n, final long version)
    {
        final int base = (int)((n * 31 + version) % (DIMENSION - 8));
        return SparseVector.of(new int[] {base, base + 3, base + 7}, new float[] {n, version, 0.5f});
    }

    static byte[] metadata(final long n, final long version)
    {
        return ByteBuffer.allocate(16).putLong(n).putLong(version).array();
    }

    /** Puts entries {@code [from, from + count)} in their {@code version}, in batches. */
    static void write(final MemoryStore store, final long from, final long count, final long version)
    {
        final WriteBatch batch = new WriteBatch();
        for (long n = from; n < from + count; n++)
        {
            batch.put(id(n), vector(n, version), 1f, n, metadata(n, version));
            if (batch.size() == 1_000)
            {
                store.write(batch);
                batch.clear();
            }
        }
        store.write(batch);
    }

    /**
     * Checks that the store holds entries {@code [0, total)}, the first {@code updated} of them in {@code version}
     * and the rest in version 1.
     */
    static void assertHolds(final Path dir, final long total, final long updated, final long version)
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            assertEquals(total, store.size(), "entries in " + dir);
            for (long n = 0; n < total; n++)
            {
                final long v = n < updated ? version : 1;
                final MemoryEntry e = store.get(id(n)).orElseThrow(() -> new AssertionError("missing entry"));
                assertArrayEquals(metadata(n, v), e.metadata(), "entry " + id(n));
            }
        }
    }
}
