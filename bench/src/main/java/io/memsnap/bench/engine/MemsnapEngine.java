package io.memsnap.bench.engine;

import io.memsnap.Durability;
import io.memsnap.EntryView;
import io.memsnap.EntryVisitor;
import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;
import io.memsnap.bench.Corpus;

import java.nio.file.Path;

/**
 * memsnap with its defaults (64 MiB segments, {@code Durability.ON_SYNC}, background index checkpoints every
 * 100,000 records), or with another durability mode ({@code memsnap-buffered}: {@code Durability.BUFFERED}).
 * Snapshot: {@link MemoryStore#snapshot()}, reporting {@code SnapshotInfo.bytesFlushed()}; sync:
 * {@link MemoryStore#sync()}; bulk load: a {@link WriteBatch} (one per thread, reused) written with
 * {@link MemoryStore#write(WriteBatch)}. The zero-copy read is {@link MemoryStore#read} with a visitor that computes
 * the dot product on the mapped record. For diagnosis only, {@code -Dmemsnap.bench.checkpointRecords=N} changes the
 * background checkpoint interval, {@code -Dmemsnap.bench.preallocate=true} makes segments preallocated (written
 * with zeros when made, so that a flush of records allocates no blocks),
 * {@code -Dmemsnap.bench.backgroundCompaction=false} turns background compaction off and
 * {@code -Dmemsnap.bench.writebackBytes=N} sets {@code StoreOptions.writebackBytes} (0: no write-back).
 */
public final class MemsnapEngine implements Engine
{
    private final MemoryStore store;
    private final String name;
    private final ThreadLocal<DotVisitor> visitors = ThreadLocal.withInitial(DotVisitor::new);
    private final ThreadLocal<WriteBatch> batches = ThreadLocal.withInitial(WriteBatch::new);

    /** memsnap with its defaults. */
    public MemsnapEngine(final Path dir, final long capacity, final boolean existing)
    {
        this(dir, Engines.MEMSNAP, Durability.ON_SYNC);
    }

    /** memsnap with {@code durability}, under the engine name {@code name}. */
    public MemsnapEngine(final Path dir, final String name, final Durability durability)
    {
        this.name = name;
        final StoreOptions.Builder options = StoreOptions.builder().dimension(Corpus.DIMENSION)
            .durability(durability);
        final String checkpointRecords = System.getProperty("memsnap.bench.checkpointRecords");
        if (checkpointRecords != null)
        {
            options.checkpointRecords(Long.parseLong(checkpointRecords));
        }
        options.preallocate(Boolean.getBoolean("memsnap.bench.preallocate"));
        final String writeback = System.getProperty("memsnap.bench.writebackBytes");
        if (writeback != null)
        {
            options.writebackBytes(Integer.parseInt(writeback));
        }
        final String compaction = System.getProperty("memsnap.bench.backgroundCompaction");
        if (compaction != null)
        {
            options.backgroundCompaction(Boolean.parseBoolean(compaction));
        }
        store = MemoryStore.open(dir, options.build());
    }

    /** @return the store, for the benchmarks that use memsnap's own API. */
    public MemoryStore store()
    {
        return store;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        store.put(id, vector, importance, storedAtMillis, metadata);
    }

    @Override
    public void putAll(final String[] ids, final SparseVector[] vectors, final float[] importance,
        final long[] storedAtMillis, final byte[][] metadata, final int from, final int to)
    {
        final WriteBatch batch = batches.get();
        batch.clear();
        for (int i = from; i < to; i++)
        {
            batch.put(ids[i], vectors[i], importance[i], storedAtMillis[i], metadata[i]);
        }
        store.write(batch);
    }

    @Override
    public void sync()
    {
        store.sync();
    }

    @Override
    public MemoryEntry get(final String id)
    {
        return store.get(id).orElse(null);
    }

    /** One pass of {@link MemoryStore#forEach}: every index page and every live record read (and checksummed). */
    @Override
    public void warm(final long entries)
    {
        final long[] seen = new long[1];
        store.forEach(view -> seen[0]++);
        if (seen[0] != store.size())
        {
            throw new IllegalStateException("warm-up saw " + seen[0] + " entries of " + store.size());
        }
    }

    @Override
    public double readDot(final String id, final SparseVector query)
    {
        final DotVisitor visitor = visitors.get();
        visitor.query = query;
        visitor.result = Double.NaN;
        store.read(id, visitor);
        return visitor.result;
    }

    @Override
    public boolean zeroCopy()
    {
        return true;
    }

    @Override
    public long snapshot()
    {
        return store.snapshot().bytesFlushed();
    }

    @Override
    public void afterLoad()
    {
        store.snapshot();
        store.checkpoint();
        store.snapshot();
    }

    @Override
    public void close()
    {
        store.close();
    }

    private static final class DotVisitor implements EntryVisitor
    {
        SparseVector query;
        double result;

        @Override
        public void visit(final EntryView entry)
        {
            result = entry.dot(query);
        }
    }
}
