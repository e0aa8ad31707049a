package io.memsnap.cli.importer;

import io.memsnap.InvalidEntryException;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;
import io.memsnap.internal.fs.StoreFileSystem;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a {@link FormatImporter} puts what it reads: a new store in the import's temporary directory, created when
 * the dimension becomes known (named states that come before it wait in memory, at most
 * {@link #MAX_PENDING_STATE_BYTES}). Refuses a second entry (or state) with an id (name) seen before: an import is
 * a copy, and a duplicate means the producer is broken, so nothing is silently replaced. Entries and states are
 * gathered in a {@link WriteBatch} of at most {@value #BATCH_WRITES} writes or {@value #BATCH_BYTES} bytes and written
 * with {@link MemoryStore#write(WriteBatch)}; each is checked against the store's limits as it is added, so an error
 * names the entry that caused it. Not thread safe.
 */
public final class ImportSink
{
    /** Most writes gathered before they are written. */
    static final int BATCH_WRITES = 8192;
    /** Most bytes of records gathered before they are written. */
    static final int BATCH_BYTES = 8 * 1024 * 1024;
    /** Most bytes of named state held in memory until the store's dimension is known. */
    public static final long MAX_PENDING_STATE_BYTES = 64L * 1024 * 1024;

    private final Path dir;
    private final ImportOptions options;
    private final StoreFileSystem fs;
    private final Map<String, String> labels = new TreeMap<>();
    private final Map<String, byte[]> pendingStates = new LinkedHashMap<>();
    private long pendingBytes;
    private final WriteBatch batch = new WriteBatch();
    /** The ids and state names in {@link #batch}: not in the store yet. */
    private final Set<String> batchedIds = new HashSet<>();
    private final Set<String> batchedStates = new HashSet<>();
    private MemoryStore store;
    private long entries;
    private long states;

    ImportSink(final Path dir, final ImportOptions options, final StoreFileSystem fs)
    {
        this.dir = dir;
        this.options = options;
        this.fs = fs;
    }

    /** @return the import's options. */
    public ImportOptions options()
    {
        return options;
    }

    /** @return whether the store exists (its dimension is fixed). */
    public boolean isOpen()
    {
        return store != null;
    }

    /** @return the store's dimension; the store must be open. */
    public int dimension()
    {
        requireOpen();
        return store.dimension();
    }

    /** @return the store's limits (ids, metadata, states); valid before it is open too. */
    public StoreOptions limits()
    {
        return store != null ? store.options() : options.storeOptions();
    }

    /** Creates the store for vectors below {@code inputDimension}, or the --dimension asked for. */
    public void open(final int inputDimension)
    {
        open(inputDimension, false);
    }

    /**
     * As {@link #open(int)}; with {@code widestLimits} the store accepts the largest ids, metadata and states the
     * engine allows (an archive may come from a store opened with wider limits than the defaults).
     */
    public void open(final int inputDimension, final boolean widestLimits)
    {
        if (store != null)
        {
            throw new IllegalStateException("the store is open already");
        }
        final Integer asked = options.dimension();
        if (asked != null && asked < inputDimension)
        {
            throw new InputException("--dimension " + asked + " is below the input's dimension " + inputDimension);
        }
        final StoreOptions.Builder b = options.storeOptions().toBuilder()
            .dimension(asked != null ? asked : inputDimension).readOnly(false);
        if (widestLimits)
        {
            b.maxIdBytes(StoreOptions.ID_BYTES_LIMIT).maxMetadataBytes(16 * 1024 * 1024)
                .maxStateBytes(512 * 1024 * 1024);
        }
        store = MemoryStore.open(dir, b.build(), fs);
        for (final Map.Entry<String, byte[]> e : pendingStates.entrySet())
        {
            store.putState(e.getKey(), e.getValue());
        }
        pendingStates.clear();
        pendingBytes = 0;
    }

    /** Creates the store with the --dimension asked for, or {@link ImportOptions#DEFAULT_DIMENSION}. */
    public void openDefault()
    {
        open(options.dimension() != null ? options.dimension() : ImportOptions.DEFAULT_DIMENSION);
    }

    /**
     * Stores one entry; the store must be open.
     *
     * @throws InvalidEntryException if the id was imported before, or the store refuses the entry.
     */
    public void put(final String id, final int[] indices, final float[] values, final float importance,
        final long storedAtMillis, final byte[] metadata)
    {
        requireOpen();
        if (id == null || id.isEmpty())
        {
            throw new InvalidEntryException("id must be a non-empty string");
        }
        if (batchedIds.contains(id) || store.contains(id))
        {
            throw new InvalidEntryException("duplicate id '" + abbreviate(id) + "': an id may appear only once in " +
                "an import (the first one is not replaced)");
        }
        batch.put(id, SparseVector.wrap(indices, values), importance, storedAtMillis, metadata);
        store.check(batch); // names this entry if it breaks a limit: it is the largest of its kind then
        batchedIds.add(id);
        entries++;
        writeIfFull();
    }

    private void writeIfFull()
    {
        if (batch.size() >= BATCH_WRITES || batch.bytes() >= BATCH_BYTES)
        {
            writeBatch();
        }
    }

    private void writeBatch()
    {
        store.write(batch);
        batch.clear();
        batchedIds.clear();
        batchedStates.clear();
    }

    /**
     * Stores one named state (held until the store is open).
     *
     * @throws InvalidEntryException if the name was imported before, or the store refuses the state.
     */
    public void putState(final String name, final byte[] value)
    {
        if (name == null || name.isEmpty())
        {
            throw new InvalidEntryException("state name must be a non-empty string");
        }
        if (store == null ? pendingStates.containsKey(name) :
            batchedStates.contains(name) || store.getState(name).isPresent())
        {
            throw new InvalidEntryException("duplicate named state '" + abbreviate(name) + "'");
        }
        if (store == null)
        {
            final StoreOptions limits = options.storeOptions();
            if (value.length > limits.maxStateBytes())
            {
                throw new InvalidEntryException("state '" + abbreviate(name) + "' is " + value.length +
                    " bytes; at most " + limits.maxStateBytes() + " are allowed (StoreOptions.maxStateBytes)");
            }
            pendingBytes += value.length + name.length();
            if (pendingBytes > MAX_PENDING_STATE_BYTES)
            {
                throw new InvalidEntryException("more than " + MAX_PENDING_STATE_BYTES + " bytes of named state " +
                    "come before the first vector: give --dimension so that the store is created at once");
            }
            pendingStates.put(name, value);
        }
        else
        {
            batch.putState(name, value);
            store.check(batch);
            batchedStates.add(name);
            writeIfFull();
        }
        states++;
    }

    /** Adds a label to the import's snapshot. */
    public void label(final String key, final String value)
    {
        labels.put(key, value);
    }

    /** @return entries stored so far. */
    public long entries()
    {
        return entries;
    }

    /**
     * Creates the store if nothing did, takes the one snapshot with the labels (durable when it returns), checks it
     * holds what was stored, and closes the store.
     */
    ImportResult finish(final String format)
    {
        if (store == null)
        {
            openDefault();
        }
        writeBatch();
        final SnapshotInfo info = store.snapshot(labels);
        if (info.entryCount() != entries || info.stateCount() != states)
        {
            throw new IllegalStateException("the snapshot holds " + info.entryCount() + " entries and " +
                info.stateCount() + " states; the import stored " + entries + " and " + states);
        }
        final int dimension = store.dimension();
        store.close();
        store = null;
        return new ImportResult(dir, format, entries, states, dimension, info.generation(), info.labels());
    }

    /** Closes the store if open, keeping the first failure's exception as the one to report. */
    void abort(final Throwable failure)
    {
        if (store != null)
        {
            try
            {
                store.close();
            }
            catch (final RuntimeException ex)
            {
                failure.addSuppressed(ex);
            }
            store = null;
        }
    }

    private void requireOpen()
    {
        if (store == null)
        {
            throw new IllegalStateException("the store is not open: call open(dimension) first");
        }
    }

    static String abbreviate(final String s)
    {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
