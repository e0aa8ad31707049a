package io.memsnap.bench.peers;

import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;
import io.memsnap.bench.VectorShape;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import io.memsnap.bench.engine.RecordCodec;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * LMDB through lmdbjava: one environment with {@code MDB_NOSYNC}, so that each put is its own committed write
 * transaction (visible to readers at once, as memsnap's) without an fsync, and the snapshot is
 * {@code Env.sync(true)}: the commit made durable (with LMDB's default flags every commit would pay that fsync).
 * Values are {@link RecordCodec} bytes. Gets run in a read transaction and copy the entry out; the zero-copy read
 * scores the entry inside the read transaction on LMDB's own mapped buffer.
 */
public final class LmdbEngine implements Engine
{
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    public LmdbEngine(final Path dir, final long capacity, final VectorShape shape, final boolean existing)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final long mapSize = (1L << 30) + Math.max(10_000, capacity) * 16_384L;
        env = Env.create().setMapSize(mapSize).setMaxDbs(1).setMaxReaders(64).open(dir.toFile(),
            EnvFlags.MDB_NOSYNC);
        db = env.openDbi("memory", DbiFlags.MDB_CREATE);
    }

    private static final class Buffers
    {
        final ByteBuffer key = ByteBuffer.allocateDirect(511);
        ByteBuffer value = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        ByteBuffer key(final String id)
        {
            key.clear();
            key.put(id.getBytes(StandardCharsets.UTF_8)).flip();
            return key;
        }

        ByteBuffer value(final int length)
        {
            if (value.capacity() < length)
            {
                value = ByteBuffer.allocateDirect(Integer.highestOneBit(length) * 2).order(ByteOrder.LITTLE_ENDIAN);
            }
            value.clear();
            return value;
        }
    }

    @Override
    public String name()
    {
        return Engines.LMDB;
    }

    @Override
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        final Buffers b = buffers.get();
        final ByteBuffer value = b.value(RecordCodec.length(vector, metadata));
        RecordCodec.encode(value, vector, importance, storedAtMillis, metadata);
        value.flip();
        db.put(b.key(id), value);
    }

    @Override
    public MemoryEntry get(final String id)
    {
        final Buffers b = buffers.get();
        try (Txn<ByteBuffer> txn = env.txnRead())
        {
            final ByteBuffer value = db.get(txn, b.key(id));
            return value == null ? null : RecordCodec.decode(id, value.order(ByteOrder.LITTLE_ENDIAN),
                value.position());
        }
    }

    @Override
    public double readDot(final String id, final SparseVector query)
    {
        final Buffers b = buffers.get();
        try (Txn<ByteBuffer> txn = env.txnRead())
        {
            final ByteBuffer value = db.get(txn, b.key(id));
            return value == null ? Double.NaN : RecordCodec.dot(value.order(ByteOrder.LITTLE_ENDIAN),
                value.position(), query);
        }
    }

    @Override
    public boolean zeroCopy()
    {
        return true;
    }

    @Override
    public long snapshot()
    {
        env.sync(true);
        return -1;
    }

    @Override
    public void close()
    {
        env.close();
    }
}
