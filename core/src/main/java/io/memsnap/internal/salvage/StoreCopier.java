package io.memsnap.internal.salvage;

import io.memsnap.InvalidEntryException;
import io.memsnap.MemoryStore;
import io.memsnap.SalvageReport;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.Utf8;
import io.memsnap.internal.memory.MemoryRegion;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.memsnap.internal.format.RecordDescriptor.*;

/**
 * Writes the live records salvage kept into a new store, through the public API only ({@link MemoryStore#open},
 * {@code put}, {@code putState}, {@code snapshot}), in the order they were written, and ends with one durable
 * snapshot. A record the new store refuses (an index not below the dimension given) is reported, not copied.
 *
 * <p>Not thread safe: one instance per salvage.
 */
final class StoreCopier
{
    private final LatestRecords latest;
    private final List<SalvageReport.LostKey> refused = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long entries;
    private long states;
    private SnapshotInfo snapshot;

    StoreCopier(final LatestRecords latest)
    {
        this.latest = latest;
    }

    /** Creates the store at {@code out} with {@code options}, copies, snapshots with {@code labels}, closes. */
    void copy(final Path out, final StoreOptions options, final Map<String, String> labels)
    {
        try (MemoryStore store = MemoryStore.open(out, options))
        {
            for (final long address : latest.liveEntries())
            {
                copyEntry(store, address);
            }
            for (final long address : latest.liveStates())
            {
                final MemoryRegion b = latest.buffer(address);
                final int offset = LatestRecords.offset(address);
                final int nameLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
                final int nameOffset = RecordDescriptor.idOffset(offset, 0);
                final byte[] value = new byte[b.getInt(offset + VALUE_LENGTH_OFFSET)];
                b.getBytes(nameOffset + nameLength, value, 0, value.length);
                store.putState(Utf8.decode(b, nameOffset, nameLength), value);
                states++;
            }
            snapshot = store.snapshot(labels);
        }
    }

    private void copyEntry(final MemoryStore store, final long address)
    {
        final MemoryRegion b = latest.buffer(address);
        final int offset = LatestRecords.offset(address);
        final int nnz = b.getInt(offset + NNZ_OFFSET);
        final int idLength = b.getShort(offset + ID_LENGTH_OFFSET) & 0xFFFF;
        final int[] indices = new int[nnz];
        final float[] values = new float[nnz];
        for (int i = 0; i < nnz; i++)
        {
            indices[i] = b.getInt(RecordDescriptor.indicesOffset(offset) + i * 4);
            values[i] = b.getFloat(RecordDescriptor.valuesOffset(offset, nnz) + i * 4);
        }
        final int idOffset = RecordDescriptor.idOffset(offset, nnz);
        final String id = Utf8.decode(b, idOffset, idLength);
        final byte[] metadata = new byte[b.getInt(offset + VALUE_LENGTH_OFFSET)];
        b.getBytes(idOffset + idLength, metadata, 0, metadata.length);
        try
        {
            store.put(id, SparseVector.wrap(indices, values), b.getFloat(offset + IMPORTANCE_OFFSET),
                b.getLong(offset + STORED_AT_OFFSET), metadata);
            entries++;
        }
        catch (final InvalidEntryException ex)
        {
            refused.add(new SalvageReport.LostKey(id, false, false, -1, latest.segment(address).path(), offset));
            notes.add("entry '" + id + "' refused by the salvaged store: " + ex.getMessage());
        }
    }

    long entries()
    {
        return entries;
    }

    long states()
    {
        return states;
    }

    SnapshotInfo snapshot()
    {
        return snapshot;
    }

    /** @return why each refused entry was refused. */
    List<String> notes()
    {
        return notes;
    }

    /** @return the entries the new store refused, as lost keys. */
    List<SalvageReport.LostKey> refused()
    {
        return refused;
    }
}
