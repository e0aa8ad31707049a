package io.memsnap;

import io.memsnap.crash.PreparerWatch;
import io.memsnap.crash.RecordingFileSystem;
import io.memsnap.crash.WorkloadMarkers;
import io.memsnap.internal.fs.StoreFileSystem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Drives a store for the crash-state explorer and the fault tests: every write goes through a {@link StoreHistory}
 * (the oracle) and is announced to the {@link WorkloadMarkers} (a {@link RecordingFileSystem}, say) before it is made
 * ({@link WorkloadMarkers#issue}); every promise the store keeps is marked when it returns: a {@code sync()}, a
 * {@code snapshot()} (also {@link WorkloadMarkers#acknowledgeSnapshot}), each write (or batch of writes) under
 * {@link Durability#EVERY_WRITE}, a pin ({@link WorkloadMarkers#acknowledgePin}, released before its unpin starts), a
 * rewind ({@link WorkloadMarkers#rewinding} before it, {@link WorkloadMarkers#rewound} and the pin of its safety
 * snapshot after).
 *
 * <p>Entries are small and drawn from a seeded {@link Random}, so a seed always gives the same writes. Not thread
 * safe: one test thread drives it.
 */
final class CrashWorkload
{
    static final int DIMENSION = 1 << 16;
    private static final String[] STATE_NAMES = {"config", "history", "\u00e9tat"};

    private final StoreFileSystem fs;
    private final WorkloadMarkers markers;
    private final StoreHistory history;
    private final Random random;
    private final int metadataBytes;
    private MemoryStore store;
    private PreparerWatch preparer;
    private Path dir;
    private StoreOptions options;
    private int nextId;

    /**
     * @param metadataBytes the most metadata an entry carries: large values fill segments fast.
     */
    CrashWorkload(final RecordingFileSystem fs, final StoreHistory history, final Random random,
        final int metadataBytes)
    {
        this(fs, fs, history, random, metadataBytes);
    }

    /**
     * @param fs      what the store's persistence goes through.
     * @param markers where writes issued and promises kept are told.
     */
    CrashWorkload(final StoreFileSystem fs, final WorkloadMarkers markers, final StoreHistory history,
        final Random random, final int metadataBytes)
    {
        this.fs = fs;
        this.markers = markers;
        this.history = history;
        this.random = random;
        this.metadataBytes = metadataBytes;
        this.nextId = history.ids().size();
    }

    StoreHistory history()
    {
        return history;
    }

    /** Lets the workload wait for the store's preparer ({@link #awaitNextSegmentPrepared}), seen through {@code watch}. */
    void watchPreparer(final PreparerWatch watch)
    {
        this.preparer = watch;
    }

    /**
     * Waits until the file of the segment after the tail is made ahead of its roll (the writes that follow fill the
     * tail beside it): the crash states of a preparation, and of a tail written while the next file waits.
     */
    void awaitNextSegmentPrepared()
    {
        markers.label("await the file of the next segment");
        preparer.awaitNextOf(store);
    }

    /**
     * Waits until the store's write-back thread is idle in its loop: it has flushed every segment the log rolled past
     * (and marked it durable), so that the next {@code sync()} or snapshot leaves those segments to that flush.
     */
    void awaitWritebackIdle()
    {
        markers.label("await the write-back");
        WritebackIdle.await(dir);
    }

    MemoryStore store()
    {
        return store;
    }

    void open(final Path dir, final StoreOptions options)
    {
        this.dir = dir;
        this.options = options;
        markers.label("open " + options.durability());
        store = MemoryStore.open(dir, options, fs);
    }

    /** Closes the store and opens it again with {@code durability}. */
    void reopen(final Durability durability)
    {
        close();
        open(dir, options.toBuilder().durability(durability).build());
    }

    /** Closes the store, which makes every write durable (as {@code sync()} does). */
    void close()
    {
        markers.label("close");
        final long last = store.lastSequence();
        store.close();
        store = null;
        markers.acknowledge(last);
    }

    void putNew()
    {
        put("mem-" + nextId++);
    }

    /** Overwrites a live entry (or puts a new one when none is live). */
    void overwrite()
    {
        final String id = someLive();
        put(id == null ? "mem-" + nextId++ : id);
    }

    void delete()
    {
        final String id = someLive();
        if (id != null)
        {
            markers.issue(history.lastSequence() + 1);
            history.delete(store, id);
            acknowledgeIfEveryWrite();
        }
    }

    void putState()
    {
        final byte[] value = new byte[1 + random.nextInt(300)];
        random.nextBytes(value);
        markers.issue(history.lastSequence() + 1);
        history.putState(store, STATE_NAMES[random.nextInt(STATE_NAMES.length)], value);
        acknowledgeIfEveryWrite();
    }

    void deleteState()
    {
        final String name = STATE_NAMES[random.nextInt(STATE_NAMES.length)];
        if (history.latest().states.containsKey(name))
        {
            markers.issue(history.lastSequence() + 1);
            history.deleteState(store, name);
            acknowledgeIfEveryWrite();
        }
    }

    /** One write drawn at random: mostly new entries, then overwrites, deletes and named state. */
    void mixed()
    {
        final int r = random.nextInt(10);
        if (r < 5)
        {
            putNew();
        }
        else if (r < 7)
        {
            overwrite();
        }
        else if (r < 8)
        {
            delete();
        }
        else if (r < 9)
        {
            putState();
        }
        else
        {
            deleteState();
        }
    }

    /** One write drawn at random, mostly overwrites: leaves dead records for compaction. */
    void mixedOverwrites()
    {
        final int r = random.nextInt(10);
        if (r < 7)
        {
            overwrite();
        }
        else if (r < 9)
        {
            delete();
        }
        else
        {
            putNew();
        }
    }

    void mixed(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            mixed();
        }
    }

    /**
     * Makes each of {@code lost} again, in order, with the same key and the same sizes but other values: what an
     * application retrying the writes a crash lost does. Each record then takes exactly the place of the lost one in
     * the log, so that stale records after it line up with where the next ones go.
     */
    void retry(final List<StoreHistory.Write> lost)
    {
        markers.label("retry " + lost.size() + " lost writes");
        for (final StoreHistory.Write write : lost)
        {
            if (write.type == StoreHistory.COPY)
            {
                continue; // compaction's, not the application's: nobody makes it again
            }
            markers.issue(history.lastSequence() + 1);
            switch (write.type)
            {
                case StoreHistory.PUT:
                    final MemoryEntry e = write.entry;
                    final float[] values = e.vector().values();
                    for (int i = 0; i < values.length; i++)
                    {
                        values[i] = -values[i] - 1;
                    }
                    history.put(store, e.id(), SparseVector.of(e.vector().indices(), values), e.importance() + 1,
                        e.storedAtMillis() + 1, flipped(e.metadata()));
                    break;
                case StoreHistory.STATE_PUT:
                    history.putState(store, write.key, flipped(write.value));
                    break;
                case StoreHistory.DELETE:
                    history.delete(store, write.key);
                    break;
                default:
                    history.deleteState(store, write.key);
                    break;
            }
            acknowledgeIfEveryWrite();
        }
    }

    private static byte[] flipped(final byte[] bytes)
    {
        final byte[] b = bytes.clone();
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)~b[i];
        }
        return b;
    }

    void sync()
    {
        markers.label("sync");
        store.sync();
        markers.acknowledge(store.lastSequence());
    }

    void snapshot()
    {
        final SnapshotInfo info = store.snapshot();
        markers.acknowledge(info.lastSequence());
        markers.acknowledgeSnapshot(info.lastSequence());
    }

    /** Pins the oldest retained snapshot that has no pin: a commit, after which the pin is promised. */
    void pinOldestUnpinned()
    {
        final List<SnapshotInfo> retained = store.snapshots();
        for (int i = retained.size() - 1; i >= 0; i--)
        {
            final SnapshotInfo s = retained.get(i);
            if (s.pinLabel().isEmpty())
            {
                markers.label("pin " + s.generation());
                final SnapshotInfo pinned = store.pin(s.generation(), "kept by the workload");
                markers.acknowledgePin(pinned.generation(), pinned.lastSequence());
                acknowledgeCommit();
                return;
            }
        }
        throw new AssertionError("the workload found no snapshot to pin among " + retained);
    }

    /** Unpins the oldest pinned snapshot: it is no longer promised from the moment the unpin starts. */
    void unpinOldestPinned()
    {
        final List<SnapshotInfo> retained = store.snapshots();
        for (int i = retained.size() - 1; i >= 0; i--)
        {
            final SnapshotInfo s = retained.get(i);
            if (s.pinLabel().isPresent())
            {
                markers.label("unpin " + s.generation());
                markers.releasePin(s.generation());
                store.unpin(s.generation());
                acknowledgeCommit();
                return;
            }
        }
        throw new AssertionError("the workload found no pinned snapshot to unpin among " + retained);
    }

    /** A pin or an unpin commits a snapshot of every write so far. */
    private void acknowledgeCommit()
    {
        final SnapshotInfo commit = store.lastSnapshot();
        markers.acknowledge(commit.lastSequence());
        markers.acknowledgeSnapshot(commit.lastSequence());
    }

    /**
     * Rewinds to {@code target}: until it returns the store may come back on its timeline or on the new one holding
     * exactly the target's writes; after, on the new one, its safety snapshot pinned.
     *
     * @return what the rewind did.
     */
    RewindResult rewind(final SnapshotInfo target)
    {
        markers.label("rewind to " + target.generation());
        markers.rewinding(history.timeline(), target.lastSequence());
        final RewindResult result = store.rewind(target.generation());
        history.rewind(target.timeline(), target.lastSequence(), result.timeline());
        markers.rewound(result.timeline(), target.lastSequence());
        markers.acknowledgePin(result.safety().generation(), result.safety().lastSequence());
        return result;
    }

    /**
     * Compacts on demand. Its copies take sequence numbers, at most one per record written so far: they are issued
     * as that many (a crash state may hold some of them), and the oracle records each as a write that changes nothing.
     */
    void compact()
    {
        markers.label("compact");
        markers.issue(2 * history.lastSequence());
        history.compact(store);
    }

    void checkpoint()
    {
        markers.label("checkpoint");
        store.checkpoint();
    }

    /**
     * {@code count} writes drawn as {@link #mixed()} draws them, made with one {@link MemoryStore#write(WriteBatch)}:
     * all issued before it; with {@code EVERY_WRITE}, acknowledged when it returns.
     */
    void batch(final int count)
    {
        markers.label("batch of " + count);
        final WriteBatch batch = new WriteBatch();
        final List<StoreHistory.Write> planned = new ArrayList<>();
        final TreeSet<String> live = new TreeSet<>(history.latest().entries.keySet());
        final TreeSet<String> states = new TreeSet<>(history.latest().states.keySet());
        for (int i = 0; i < count; i++)
        {
            final int r = random.nextInt(10);
            if (r == 7 && !live.isEmpty())
            {
                final String id = pick(live);
                batch.delete(id);
                planned.add(new StoreHistory.Write(0, StoreHistory.DELETE, id, null, null));
                live.remove(id);
            }
            else if (r == 8)
            {
                final String name = STATE_NAMES[random.nextInt(STATE_NAMES.length)];
                final byte[] value = new byte[1 + random.nextInt(300)];
                random.nextBytes(value);
                batch.putState(name, value);
                planned.add(new StoreHistory.Write(0, StoreHistory.STATE_PUT, name, null, value));
                states.add(name);
            }
            else if (r == 9 && !states.isEmpty())
            {
                final String name = pick(states);
                batch.deleteState(name);
                planned.add(new StoreHistory.Write(0, StoreHistory.STATE_DELETE, name, null, null));
                states.remove(name);
            }
            else
            {
                final String id = r < 5 || live.isEmpty() ? "mem-" + nextId++ : pick(live);
                final MemoryEntry e = randomEntry(id);
                batch.put(id, e.vector(), e.importance(), e.storedAtMillis(), e.metadata());
                planned.add(new StoreHistory.Write(0, StoreHistory.PUT, id, e, null));
                live.add(id);
            }
        }
        markers.issue(history.lastSequence() + count);
        history.write(store, batch, planned);
        acknowledgeIfEveryWrite();
    }

    private String pick(final TreeSet<String> keys)
    {
        return new ArrayList<>(keys).get(random.nextInt(keys.size()));
    }

    /** @return a random entry for {@code id}, as {@link #put} writes one (its sequence is set when it is written). */
    private MemoryEntry randomEntry(final String id)
    {
        final int nnz = 1 + random.nextInt(12);
        final TreeSet<Integer> indices = new TreeSet<>();
        while (indices.size() < nnz)
        {
            indices.add(random.nextInt(DIMENSION));
        }
        final float[] values = new float[nnz];
        for (int i = 0; i < nnz; i++)
        {
            values[i] = random.nextFloat() * 2 - 1;
        }
        final byte[] metadata = new byte[random.nextInt(metadataBytes + 1)];
        random.nextBytes(metadata);
        return new MemoryEntry(id, SparseVector.of(indices.stream().mapToInt(Integer::intValue).toArray(), values),
            random.nextFloat(), 1_700_000_000_000L + random.nextInt(1 << 30), metadata, 0);
    }

    private void put(final String id)
    {
        final MemoryEntry e = randomEntry(id);
        markers.issue(history.lastSequence() + 1);
        history.put(store, id, e.vector(), e.importance(), e.storedAtMillis(), e.metadata());
        acknowledgeIfEveryWrite();
    }

    private void acknowledgeIfEveryWrite()
    {
        if (store.options().durability() == Durability.EVERY_WRITE)
        {
            markers.acknowledge(store.lastSequence());
        }
    }

    private String someLive()
    {
        final List<String> live = new ArrayList<>(history.latest().entries.keySet());
        if (live.isEmpty())
        {
            return null;
        }
        Collections.sort(live);
        return live.get(random.nextInt(live.size()));
    }
}
