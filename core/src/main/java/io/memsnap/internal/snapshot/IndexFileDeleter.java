package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.DeletedFiles;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Deletes the index files nothing needs any more: a file is needed while a retained manifest names it, while the
 * writer's checkpoints write to it or the durable checkpoint lives in it, and while a read-only store pins it
 * ({@link ReaderPins}), as is the new file being written; every other index file is an old generation whose snapshots
 * were all retired, or the unfinished copy of an interrupted switch, and is deleted (then the directory synced). A
 * pinned file is tried again at the next call.
 *
 * <p>A deleted file keeps its disk space until {@link #releaseDeleted()}: the last close of a deleted file frees its
 * blocks, and an old generation of a large store's index file is sparse over gigabytes, with its pages scattered
 * (freeing them took 12 to 30 seconds on ext4 at 10 million entries). A snapshot that retires the last snapshot
 * naming it deletes it, and leaves that to the checkpointing thread.
 *
 * <p>Concurrency: thread safe. {@link #deleteUnneeded} runs under the store's commit lock (or, at open, before the
 * store is shared), so that no manifest naming a file is being committed while it decides; {@link #releaseDeleted()}
 * runs on any thread, without it.
 */
public final class IndexFileDeleter
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

    private final StoreFileSystem fs;
    private final Path dir;
    private final ManifestStore manifests;
    private final LongSupplier writing;
    private final LongSupplier durable;
    /** Generations of the index files in the directory. Guarded by this. */
    private final TreeSet<Long> onDisk = new TreeSet<>();
    /** The index file generation each manifest read so far names (-1: it does not validate). Guarded by this. */
    private final Map<Long, Long> named = new HashMap<>();
    /** The generation of the new index file being written, or -1. Guarded by this. */
    private long copying = -1;
    /** Channels of the files deleted whose disk space is not released yet. Guarded by this. */
    private final DeletedFiles unreleased;

    /**
     * @param onDisk  the generations of the index files in the directory.
     * @param writing the generation of the file checkpoints write to.
     * @param durable the generation of the file the durable checkpoint lives in.
     */
    public IndexFileDeleter(final StoreFileSystem fs, final Path dir, final ManifestStore manifests,
        final Collection<Long> onDisk, final LongSupplier writing, final LongSupplier durable)
    {
        this.fs = fs;
        this.dir = dir;
        this.manifests = manifests;
        this.onDisk.addAll(onDisk);
        this.writing = writing;
        this.durable = durable;
        this.unreleased = new DeletedFiles("deleted index files of " + dir);
    }

    /**
     * @return the generation for a new index file, above every one in the directory; counted as on disk, and kept,
     * from now until {@link #copyEnded()}.
     */
    public synchronized long nextGeneration()
    {
        final long next = onDisk.isEmpty() ? 1 : Math.max(1, onDisk.last() + 1);
        onDisk.add(next);
        copying = next;
        return next;
    }

    /** The new index file is written to now, or was given up (then it is deleted as any file nothing needs). */
    public synchronized void copyEnded()
    {
        copying = -1;
    }

    /** @return the generations of the index files in the directory, as far as this writer knows. */
    public synchronized Set<Long> onDisk()
    {
        return new TreeSet<>(onDisk);
    }

    /**
     * Commit lock held: deletes every index file that no manifest of {@code retained} names, that is not written to
     * and does not hold the durable checkpoint, and that no read-only store pins; syncs the directory if it deleted
     * any. Their disk space goes at {@link #releaseDeleted()}. A failure is logged and tried again at the next call.
     *
     * @param retained the generations of the manifests on disk.
     */
    public synchronized void deleteUnneeded(final Collection<Long> retained)
    {
        final Set<Long> keep = new HashSet<>();
        keep.add(writing.getAsLong());
        keep.add(durable.getAsLong());
        keep.add(copying);
        if (keep.containsAll(onDisk))
        {
            return; // the usual case: one file, nothing read
        }
        named.keySet().retainAll(retained);
        for (final long generation : retained)
        {
            keep.add(named.computeIfAbsent(generation, this::indexFileOf));
        }
        boolean deleted = false;
        try
        {
            boolean retirementsSynced = false;
            for (final long generation : new TreeSet<>(onDisk))
            {
                if (!keep.contains(generation) && !retirementsSynced)
                {
                    manifests.syncRetirements(); // no power cut brings back a manifest naming a deleted file
                    retirementsSynced = true;
                }
                if (!keep.contains(generation) &&
                    ReaderPins.deleteUnlessPinned(fs, dir.resolve(IndexPageDescriptor.fileName(generation)),
                        unreleased::add))
                {
                    onDisk.remove(generation);
                    deleted = true;
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not delete an index file of " + dir + " that no snapshot " +
                "needs; will retry", ex);
        }
        if (deleted)
        {
            try
            {
                fs.syncDirectory(dir);
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "could not sync " + dir + " after deleting index files; a " +
                    "power cut may bring them back, and the next open deletes them again", ex);
            }
        }
    }

    /**
     * Any thread, without the commit lock: frees the disk space of the files {@link #deleteUnneeded} deleted, by
     * closing the last reference to each.
     */
    public void releaseDeleted()
    {
        unreleased.release();
    }

    /** @return whether files deleted wait for {@link #releaseDeleted()}. */
    public boolean hasUnreleased()
    {
        return !unreleased.isEmpty();
    }

    /** @return the index file generation the manifest of {@code generation} names, or -1 if it does not validate. */
    private long indexFileOf(final long generation)
    {
        try
        {
            return manifests.read(generation).checkpoint.indexFile;
        }
        catch (final IOException | CorruptStoreException | IncompatibleFormatException ex)
        {
            return -1; // gone, damaged or abandoned: no open can use it, so it needs no index file
        }
    }
}
