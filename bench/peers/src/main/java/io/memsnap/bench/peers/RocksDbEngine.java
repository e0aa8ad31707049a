package io.memsnap.bench.peers;

import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;
import io.memsnap.bench.BenchDirs;
import io.memsnap.bench.VectorShape;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import io.memsnap.bench.engine.RecordCodec;
import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * RocksDB through rocksdbjni with its default options (write-ahead log on, not synced per write; default memtable
 * and compaction). The snapshot is a checkpoint after a flush: {@code flush(waitForFlush)} writes the memtable to an
 * SST file, then {@code Checkpoint.createCheckpoint} hard-links the live files into a new directory; the previous
 * checkpoint is then deleted. Values are {@link RecordCodec} bytes; gets copy them out (RocksDB has no zero-copy
 * read into the caller's computation).
 */
public final class RocksDbEngine implements Engine
{
    static
    {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Options options;
    private final WriteOptions writeOptions;
    private final FlushOptions flushOptions;
    private final RocksDB db;
    private final Object snapshotLock = new Object();
    private long checkpoints;

    public RocksDbEngine(final Path dir, final long capacity, final VectorShape shape, final boolean existing)
    {
        this.dir = dir;
        try
        {
            Files.createDirectories(dir);
            options = new Options().setCreateIfMissing(true);
            writeOptions = new WriteOptions();
            flushOptions = new FlushOptions().setWaitForFlush(true);
            db = RocksDB.open(options, dir.resolve("db").toString());
            try (var list = Files.list(dir))
            {
                checkpoints = list.filter((p) -> p.getFileName().toString().startsWith("checkpoint-")).count();
            }
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException("could not open RocksDB in " + dir, ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public String name()
    {
        return Engines.ROCKSDB;
    }

    @Override
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        try
        {
            db.put(writeOptions, id.getBytes(StandardCharsets.UTF_8),
                RecordCodec.encode(vector, importance, storedAtMillis, metadata));
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public MemoryEntry get(final String id)
    {
        try
        {
            final byte[] value = db.get(id.getBytes(StandardCharsets.UTF_8));
            return value == null ? null : RecordCodec.decode(id, ByteBuffer.wrap(value), 0);
        }
        catch (final RocksDBException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public double readDot(final String id, final SparseVector query)
    {
        throw new UnsupportedOperationException("RocksDB copies values out: no zero-copy read");
    }

    @Override
    public boolean zeroCopy()
    {
        return false;
    }

    @Override
    public long snapshot()
    {
        synchronized (snapshotLock)
        {
            try
            {
                db.flush(flushOptions);
                final Path next = dir.resolve("checkpoint-" + (++checkpoints));
                BenchDirs.deleteTree(next);
                try (Checkpoint checkpoint = Checkpoint.create(db))
                {
                    checkpoint.createCheckpoint(next.toString());
                }
                BenchDirs.deleteTree(dir.resolve("checkpoint-" + (checkpoints - 1)));
                return -1;
            }
            catch (final RocksDBException ex)
            {
                throw new IllegalStateException("checkpoint of " + dir + " failed", ex);
            }
        }
    }

    @Override
    public void close()
    {
        db.close();
        flushOptions.close();
        writeOptions.close();
        options.close();
    }
}
