package io.memsnap.bench.peers;

import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;
import io.memsnap.bench.Embeddings;
import io.memsnap.bench.VectorShape;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.Engines;
import io.memsnap.bench.engine.RecordCodec;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Chronicle Map persisted to a file ({@code ChronicleMap.of(String, byte[])...createPersistedTo}), sized for the
 * store's entries and the mean record of its vectors' shape; values are {@link RecordCodec} bytes. Chronicle Map has no
 * snapshot of its own, so a snapshot pauses the writers (a read-write lock: puts share it, the snapshot takes it
 * exclusively) and copies the map's file to {@code snapshot.dat} (copy to a pending file, fsync, atomic rename,
 * directory fsync); it returns the bytes copied. A sync forces the map's file. Gets take no lock. Run with Chronicle's
 * documented JVM flags (see {@code Jvm}) and {@code -Dchronicle.analytics.disable=true}: it refuses to open without it,
 * and closing checks that neither of the analytics' files ({@code ~/.chronicle.analytics.client.id}, {@code
 * ~/.chronicle.analytics.last}) was written.
 */
public final class ChronicleMapEngine implements Engine
{
    /** The files Chronicle's analytics write in the user's home (chronicle-analytics' own names). */
    private static final String[] ANALYTICS_FILES = {".chronicle.analytics.client.id", ".chronicle.analytics.last"};

    private final Path dir;
    private final Path file;
    private final ChronicleMap<String, byte[]> map;
    private final ReentrantReadWriteLock pause = new ReentrantReadWriteLock();

    public ChronicleMapEngine(final Path dir, final long capacity, final VectorShape shape, final boolean existing)
    {
        if (!Boolean.getBoolean("chronicle.analytics.disable"))
        {
            throw new IllegalStateException("run Chronicle Map with -Dchronicle.analytics.disable=true");
        }
        this.dir = dir;
        this.file = dir.resolve("map.dat");
        try
        {
            Files.createDirectories(dir);
            map = ChronicleMap.of(String.class, byte[].class)
                .name("memsnap-bench")
                .entries(Math.max(10_000, capacity + capacity / 10))
                .averageKey(Embeddings.id(0))
                .averageValueSize(shape.meanValueBytes())
                .maxBloatFactor(4.0)
                .createPersistedTo(file.toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not open Chronicle Map " + file, ex);
        }
    }

    @Override
    public String name()
    {
        return Engines.CHRONICLE_MAP;
    }

    @Override
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        final byte[] value = RecordCodec.encode(vector, importance, storedAtMillis, metadata);
        final ReentrantReadWriteLock.ReadLock lock = pause.readLock();
        lock.lock();
        try
        {
            map.put(id, value);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public MemoryEntry get(final String id)
    {
        final byte[] value = map.get(id);
        return value == null ? null : RecordCodec.decode(id, ByteBuffer.wrap(value), 0);
    }

    @Override
    public double readDot(final String id, final SparseVector query)
    {
        throw new UnsupportedOperationException("Chronicle Map has no zero-copy read of a byte[] value");
    }

    @Override
    public boolean zeroCopy()
    {
        return false;
    }

    /**
     * Chronicle Map has no flush of its own: its file is forced ({@code fdatasync}), which writes back the pages its
     * mapping dirtied.
     */
    @Override
    public void sync()
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("could not flush " + file, ex);
        }
    }

    @Override
    public long snapshot()
    {
        final ReentrantReadWriteLock.WriteLock lock = pause.writeLock();
        lock.lock();
        try
        {
            final Path pending = dir.resolve("snapshot.dat.pending");
            long copied = 0;
            try (FileChannel from = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel to = FileChannel.open(pending, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING))
            {
                final long size = from.size();
                while (copied < size)
                {
                    copied += from.transferTo(copied, size - copied, to);
                }
                to.force(true);
            }
            Files.move(pending, dir.resolve("snapshot.dat"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
            {
                d.force(true);
            }
            return copied;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("snapshot of " + file + " failed", ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void close()
    {
        map.close();
        for (final String name : ANALYTICS_FILES)
        {
            final Path written = Path.of(System.getProperty("user.home"), name);
            if (Files.exists(written))
            {
                throw new IllegalStateException("Chronicle wrote its analytics file " + written +
                    " although -Dchronicle.analytics.disable=true");
            }
        }
        System.out.println("chronicle-map: no analytics file in " + System.getProperty("user.home"));
    }
}
