package io.memsnap.bench.engine;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.memsnap.MemoryEntry;
import io.memsnap.SparseVector;

import java.io.BufferedInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What the seeds do (seed 000, {@code MemorySnapshot.save}): the memory is a map on the heap, and a snapshot
 * serialises the whole of it to JSON, gzip-compresses it and writes the file; here atomically, as the seed's own
 * risk list asks (write {@code memory.json.gz.tmp}, fsync, rename, fsync the directory). Two choices in the seed's
 * favour: vectors are written sparse ({@code "sparse_vector": {"indices": [...], "values": [...]}}) where the seed's
 * {@code tolist()} of a dense 2^18 array would write 2^18 numbers an entry, and gzip runs at Java's default level 6
 * where Python's {@code gzip.compress} defaults to 9.
 *
 * <p>Consistency: a snapshot pauses writers only while it copies the references to the entries (under a write
 * lock; the seed's Python holds its interpreter lock for the whole list comprehension), then serialises without
 * the lock. Reads never block. Opening an existing store parses the whole file.
 */
public final class SeedJsonEngine implements Engine
{
    /** The file a snapshot writes. */
    public static final String FILE = "memory.json.gz";
    private static final JsonFactory JSON = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxDocumentLength(-1).maxNumberLength(1000).build())
        .build();

    private final Path dir;
    private final ConcurrentHashMap<String, MemoryEntry> entries;
    private final ReentrantReadWriteLock pause = new ReentrantReadWriteLock();
    private final Object snapshotLock = new Object();

    public SeedJsonEngine(final Path dir, final long capacity, final boolean existing)
    {
        this.dir = dir;
        this.entries = new ConcurrentHashMap<>((int)Math.min(Integer.MAX_VALUE / 2, capacity + capacity / 2));
        try
        {
            Files.createDirectories(dir);
            if (existing)
            {
                load(dir.resolve(FILE));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public String name()
    {
        return Engines.SEED_JSON;
    }

    @Override
    public void put(final String id, final SparseVector vector, final float importance, final long storedAtMillis,
        final byte[] metadata)
    {
        final MemoryEntry entry = new MemoryEntry(id, vector, importance, storedAtMillis, metadata, 0);
        final ReentrantReadWriteLock.ReadLock lock = pause.readLock();
        lock.lock();
        try
        {
            entries.put(id, entry);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public MemoryEntry get(final String id)
    {
        return entries.get(id);
    }

    @Override
    public double readDot(final String id, final SparseVector query)
    {
        final MemoryEntry entry = entries.get(id);
        return entry == null ? Double.NaN : RecordCodec.dot(entry.vector(), query);
    }

    @Override
    public boolean zeroCopy()
    {
        return true;
    }

    /** @return the size of the file written. */
    @Override
    public long snapshot()
    {
        synchronized (snapshotLock)
        {
            final ArrayList<MemoryEntry> copy;
            final ReentrantReadWriteLock.WriteLock lock = pause.writeLock();
            lock.lock();
            try
            {
                copy = new ArrayList<>(entries.values());
            }
            finally
            {
                lock.unlock();
            }
            try
            {
                return write(copy);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("snapshot of " + dir + " failed", ex);
            }
        }
    }

    private long write(final ArrayList<MemoryEntry> copy) throws IOException
    {
        final Path target = dir.resolve(FILE);
        final Path pending = dir.resolve(FILE + ".tmp");
        try (FileOutputStream file = new FileOutputStream(pending.toFile()))
        {
            try (OutputStream gzip = new GZIPOutputStream(new NonClosing(file), 1 << 16);
                JsonGenerator gen = JSON.createGenerator(gzip, JsonEncoding.UTF8))
            {
                gen.writeStartObject();
                gen.writeObjectFieldStart("metadata");
                gen.writeStringField("version", "1.0.0");
                gen.writeNumberField("created_at", System.currentTimeMillis() / 1000.0);
                gen.writeNumberField("n_memories", copy.size());
                gen.writeObjectFieldStart("encoder_config");
                gen.writeStringField("encoder", "bow-2^18");
                gen.writeEndObject();
                gen.writeObjectFieldStart("memory_config");
                gen.writeStringField("memory_config", "v3");
                gen.writeEndObject();
                gen.writeEndObject();
                gen.writeArrayFieldStart("entries");
                for (final MemoryEntry e : copy)
                {
                    gen.writeStartObject();
                    gen.writeStringField("context_id", e.id());
                    gen.writeObjectFieldStart("sparse_vector");
                    final SparseVector v = e.vector();
                    final int nnz = v.nnz();
                    gen.writeArrayFieldStart("indices");
                    for (int i = 0; i < nnz; i++)
                    {
                        gen.writeNumber(v.index(i));
                    }
                    gen.writeEndArray();
                    gen.writeArrayFieldStart("values");
                    for (int i = 0; i < nnz; i++)
                    {
                        gen.writeNumber(v.value(i));
                    }
                    gen.writeEndArray();
                    gen.writeEndObject();
                    gen.writeNumberField("importance", e.importance());
                    gen.writeNumberField("stored_at", e.storedAtMillis() / 1000.0);
                    gen.writeBinaryField("metadata", e.metadata());
                    gen.writeEndObject();
                }
                gen.writeEndArray();
                gen.writeObjectFieldStart("transitions");
                gen.writeEndObject();
                gen.writeEndObject();
            }
            file.getChannel().force(true);
        }
        Files.move(pending, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ))
        {
            d.force(true);
        }
        return Files.size(target);
    }

    private void load(final Path file) throws IOException
    {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16),
            1 << 16);
            JsonParser p = JSON.createParser(in))
        {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = p.getCurrentName();
                p.nextToken();
                if ("entries".equals(field))
                {
                    while (p.nextToken() == JsonToken.START_OBJECT)
                    {
                        readEntry(p);
                    }
                }
                else
                {
                    p.skipChildren();
                }
            }
        }
    }

    private void readEntry(final JsonParser p) throws IOException
    {
        String id = null;
        int[] indices = new int[0];
        float[] values = new float[0];
        float importance = 0;
        long storedAt = 0;
        byte[] metadata = new byte[0];
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String field = p.getCurrentName();
            p.nextToken();
            switch (field)
            {
                case "context_id":
                    id = p.getText();
                    break;
                case "sparse_vector":
                    while (p.nextToken() == JsonToken.FIELD_NAME)
                    {
                        final String part = p.getCurrentName();
                        expect(p.nextToken(), JsonToken.START_ARRAY);
                        final ArrayList<Number> numbers = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY)
                        {
                            numbers.add("indices".equals(part) ? (Number)p.getIntValue() : (Number)p.getFloatValue());
                        }
                        if ("indices".equals(part))
                        {
                            indices = numbers.stream().mapToInt(Number::intValue).toArray();
                        }
                        else
                        {
                            values = new float[numbers.size()];
                            for (int i = 0; i < values.length; i++)
                            {
                                values[i] = numbers.get(i).floatValue();
                            }
                        }
                    }
                    break;
                case "importance":
                    importance = p.getFloatValue();
                    break;
                case "stored_at":
                    storedAt = Math.round(p.getDoubleValue() * 1000.0);
                    break;
                case "metadata":
                    metadata = p.getBinaryValue();
                    break;
                default:
                    p.skipChildren();
            }
        }
        entries.put(id, new MemoryEntry(id, SparseVector.wrap(indices, values), importance, storedAt, metadata, 0));
    }

    private static void expect(final JsonToken actual, final JsonToken expected) throws IOException
    {
        if (actual != expected)
        {
            throw new IOException("malformed snapshot: " + expected + " expected, found " + actual);
        }
    }

    @Override
    public void close()
    {
        entries.clear();
    }

    /** Lets the gzip stream finish without closing the file, so that it can be forced before it is closed. */
    private static final class NonClosing extends java.io.FilterOutputStream
    {
        NonClosing(final OutputStream out)
        {
            super(out);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException
        {
            flush();
        }
    }
}
