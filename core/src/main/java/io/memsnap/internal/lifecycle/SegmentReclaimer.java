package io.memsnap.internal.lifecycle;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.fs.DeletedFiles;
import io.memsnap.internal.fs.FileReleaser;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.fs.ReaderPins;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.Checkpoint;
import io.memsnap.internal.snapshot.IndexCheckpointer;
import io.memsnap.internal.snapshot.LiveBytesExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deletes the segment files nothing needs any more, safely. A segment is deleted only when:
 * <ul>
 * <li>it is not the tail;</li>
 * <li>no manifest on disk needs it ({@link LiveBytesExtension#neededByRecovery}: its checkpoint's index points into
 * it, or a writer's recovery from it replays it: the recovery replays the log to its end from the checkpoint's
 * replay segment, following a segment into the next only on the same timeline, so that after a rewind the segments
 * of the other timelines are needed only by their own manifests; a manifest without the live-bytes table needs every
 * segment it lists too, and one that does not read, all);</li>
 * <li>the writer does not need it: no live record in it now, none at the durable checkpoint (the next snapshot may
 * name that one), and it lies below that checkpoint's replay segment;</li>
 * <li>its delete records were dealt with by compaction, or no segment file with a lower id exists (a delete record
 * must outlive every older record of its key: salvage reads every file);</li>
 * <li>no reader can touch it: it leaves the log's table (an address a reader found before still resolves to it),
 * and is unmapped only after a grace period of the store's readers ({@link ReaderGuard}); then a read-only store that mapped it, in this JVM or another process, holds it
 * back ({@link ReaderPins}) until it closes.</li>
 * </ul>
 * A file that cannot be deleted yet is tried again after each snapshot commits and at the next open. Before it
 * deletes anything it syncs the directory (so that the retirement of a manifest that needed the file is durable
 * first), and after, again (so the deletion is). The files a commit deletes keep their disk space until their
 * channels are closed on the {@link FileReleaser}'s thread: the last close of a deleted file frees its blocks, about
 * 20 ms for a 64 MiB segment on ext4, which the snapshot would otherwise wait for. That thread also unmaps the
 * segments a commit retires (the file may be deleted while mapped: its blocks go at the last unmap or close) and
 * frees their blocks a step at a time ({@link DeletedFiles#releasePaced()}), so that the snapshots after it do not
 * queue behind the discard of a whole segment.
 *
 * <p>Concurrency: {@link #reclaim} runs with the store's commit lock held (after each commit, at open, on demand)
 * and takes the write lock for the table; {@link #lowestFileId}, {@link #retiredBytes}, {@link #awaitingFiles} and
 * {@link #bytesDeleted} from any thread.
 */
public final class SegmentReclaimer
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

    private final StoreFileSystem fs;
    private final Path dir;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final SegmentLog log;
    private final SegmentUsage usage;
    private final IndexCheckpointer checkpointer;
    private final ManifestStore manifests;
    /** What each manifest on disk needs, by generation; a null value needs everything. Commit lock. */
    private final Map<Long, Needs> needs = new HashMap<>();
    /** Segments out of the log's table whose grace period runs: id to (segment, stamp). Commit lock. */
    private final List<Retiring> retiring = new ArrayList<>();
    /**
     * Segments whose grace period passed during a snapshot's reclaim, unmapped on the {@link FileReleaser}'s thread:
     * unmapping a 64 MiB segment read through took about 2 ms of the snapshot's thread. Guarded by itself.
     */
    private final List<Segment> unmapping = new ArrayList<>();
    /** Segment files out of the table not deleted yet (pinned, or a failed delete): id to length. */
    private final ConcurrentSkipListMap<Integer, Long> pending = new ConcurrentSkipListMap<>();
    /** Written under the commit lock, read by any thread. */
    private volatile long bytesDeleted;
    /** Channels of the files a commit deleted, whose close frees their blocks (see {@link FileReleaser}). */
    private final DeletedFiles unreleased;
    /**
     * The bytes of the files in {@code retiring} and {@code pending}: written under the commit lock (a retirement
     * under the write lock too, with the table), read by any thread.
     */
    private volatile long retiredBytes;

    public SegmentReclaimer(final StoreFileSystem fs, final Path dir, final ReentrantLock writeLock,
        final ReaderGuard guard, final SegmentLog log, final SegmentUsage usage, final IndexCheckpointer checkpointer,
        final ManifestStore manifests)
    {
        this.fs = fs;
        this.dir = dir;
        this.writeLock = writeLock;
        this.guard = guard;
        this.log = log;
        this.usage = usage;
        this.checkpointer = checkpointer;
        this.manifests = manifests;
        this.unreleased = new DeletedFiles("deleted segment files of " + dir);
    }

    /** What one manifest needs. */
    private static final class Needs
    {
        final Manifest manifest;
        final SegmentUsage.Table table;

        Needs(final Manifest manifest, final SegmentUsage.Table table)
        {
            this.manifest = manifest;
            this.table = table;
        }
    }

    private static final class Retiring
    {
        final Segment segment;
        final long stamp;

        Retiring(final Segment segment, final long stamp)
        {
            this.segment = segment;
            this.stamp = stamp;
        }
    }

    /** At open, commit lock held: learns what every manifest on disk needs (one that does not read needs all). */
    public void learn(final List<Long> generations)
    {
        for (final long generation : generations)
        {
            try
            {
                final Manifest m = manifests.read(generation);
                needs.put(generation, new Needs(m, LiveBytesExtension.read(m, manifests.path(generation))));
            }
            catch (final IOException | CorruptStoreException | IncompatibleFormatException ex)
            {
                needs.put(generation, null);
            }
        }
    }

    /** After a commit, commit lock held: what the manifests on disk need now, then {@link #reclaim}. */
    public void committed(final Manifest manifest, final List<Long> retained)
    {
        needs.put(manifest.generation, new Needs(manifest, manifest.checkpoint.liveBytes));
        needs.keySet().retainAll(retained);
        reclaim(true);
    }

    /**
     * Commit lock held: takes the segments nothing needs out of the table, unmaps those whose grace period has
     * passed, and deletes the files no reader pins.
     *
     * @return the bytes of segment files deleted.
     */
    public long reclaim()
    {
        return reclaim(false);
    }

    /**
     * As {@link #reclaim()}; with {@code deferRelease}, the segments are unmapped and the blocks of the files deleted
     * freed on the {@link FileReleaser}'s thread.
     */
    private long reclaim(final boolean deferRelease)
    {
        retireUnneeded();
        synchronized (retiring)
        {
            for (final Iterator<Retiring> it = retiring.iterator(); it.hasNext(); )
            {
                final Retiring r = it.next();
                if (guard.hasElapsed(r.stamp))
                {
                    // Recorded as pending before it leaves the list: lowestFileId never misses the file.
                    pending.put(r.segment.id(), (long)r.segment.length());
                    it.remove();
                    log.forget(r.segment);
                    if (deferRelease)
                    {
                        synchronized (unmapping)
                        {
                            unmapping.add(r.segment); // a mapped file may be deleted: its blocks go at the unmap
                        }
                    }
                    else
                    {
                        r.segment.unmap();
                    }
                }
            }
        }
        return deletePending(deferRelease);
    }

    private void retireUnneeded()
    {
        final Checkpoint durable = checkpointer.durable();
        if (durable.liveBytes == null)
        {
            return;
        }
        writeLock.lock();
        try
        {
            final Segment[] segments = log.segments();
            final int tail = log.tailSegmentId();
            final Map<Needs, Integer> reach = new HashMap<>();
            for (final Needs n : needs.values())
            {
                if (n != null)
                {
                    reach.put(n, LiveBytesExtension.recoveryReach(n.manifest, segments));
                }
            }
            boolean olderFile = lowestOutsideTable() < firstId(segments);
            for (final Segment s : segments)
            {
                if (s == null)
                {
                    continue;
                }
                final int id = s.id();
                if (id < tail && id < durable.replaySegment && usage.live(id) == 0 &&
                    durable.liveBytes.live(id) == 0 && (usage.tombstones(id) == 0 || !olderFile) &&
                    !neededByManifest(reach, id))
                {
                    log.remove(id);
                    usage.forget(id);
                    synchronized (retiring)
                    {
                        retiring.add(new Retiring(s, guard.stamp()));
                    }
                    retiredBytes += s.length();
                }
                olderFile = true; // its file exists until it is deleted
            }
        }
        finally
        {
            writeLock.unlock();
        }
    }

    private static int firstId(final Segment[] segments)
    {
        for (final Segment s : segments)
        {
            if (s != null)
            {
                return s.id();
            }
        }
        return Integer.MAX_VALUE;
    }

    /** @param reach what each manifest's recovery reaches, from the table as it was before this pass removed any. */
    private boolean neededByManifest(final Map<Needs, Integer> reach, final int id)
    {
        for (final Needs n : needs.values())
        {
            if (n == null || LiveBytesExtension.neededByRecovery(n.manifest, n.table, reach.get(n), id))
            {
                return true;
            }
        }
        return false;
    }

    private long deletePending(final boolean deferRelease)
    {
        if (pending.isEmpty())
        {
            return 0;
        }
        long deleted = 0;
        try
        {
            manifests.syncRetirements(); // the retirement of every manifest that needed these is durable first
            for (final Iterator<Map.Entry<Integer, Long>> it = pending.entrySet().iterator(); it.hasNext(); )
            {
                final Map.Entry<Integer, Long> e = it.next();
                final Path file = dir.resolve(io.memsnap.internal.format.SegmentDescriptor.fileName(e.getKey()));
                if (ReaderPins.deleteUnlessPinned(fs, file, unreleased::add))
                {
                    it.remove();
                    deleted += e.getValue();
                }
            }
            if (deleted > 0)
            {
                fs.syncDirectory(dir);
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "could not delete reclaimed segments of " + dir + "; will retry " +
                "after the next snapshot", ex);
        }
        bytesDeleted += deleted;
        retiredBytes -= deleted;
        if (deferRelease)
        {
            FileReleaser.submit(this::releaseDeletedPaced);
        }
        else
        {
            releaseDeleted();
        }
        return deleted;
    }

    /**
     * Any thread: unmaps the segments left to the release thread and closes the channels of the files deleted so far,
     * which frees their disk space.
     */
    public void releaseDeleted()
    {
        unmapDeferred();
        unreleased.release();
    }

    /** The release thread: as {@link #releaseDeleted()}, freeing the blocks a step at a time. */
    private void releaseDeletedPaced()
    {
        unmapDeferred();
        unreleased.releasePaced();
    }

    private void unmapDeferred()
    {
        final List<Segment> segments;
        synchronized (unmapping)
        {
            if (unmapping.isEmpty())
            {
                return;
            }
            segments = new ArrayList<>(unmapping);
            unmapping.clear();
        }
        for (final Segment segment : segments)
        {
            segment.unmap();
        }
    }

    /**
     * @return the lowest id of a segment file that may still exist: in the log's table, or reclaimed and not yet
     * deleted. Any thread; the answer may be lower than the truth, never higher.
     */
    public int lowestFileId()
    {
        return Math.min(lowestOutsideTable(), firstId(log.segments()));
    }

    /** @return the lowest id of a segment file out of the log's table and not yet deleted, or MAX_VALUE. */
    private int lowestOutsideTable()
    {
        int lowest = Integer.MAX_VALUE;
        for (final Retiring r : retiringSnapshot())
        {
            lowest = Math.min(lowest, r.segment.id());
        }
        final Map.Entry<Integer, Long> first = pending.firstEntry();
        return first == null ? lowest : Math.min(lowest, first.getKey());
    }

    private List<Retiring> retiringSnapshot()
    {
        synchronized (retiring)
        {
            return new ArrayList<>(retiring);
        }
    }

    /**
     * @return the bytes of segment files taken out of the log and not yet deleted (in their grace period, pinned by a
     * reader, or a delete failed). Any thread; O(1), allocates nothing.
     */
    public long retiredBytes()
    {
        return retiredBytes;
    }

    /**
     * @return the segment files taken out of the log and not yet deleted, id to length, by id. Any thread. Those in
     * their grace period are read first: {@link #reclaim} makes a file pending before it ends its grace period, so
     * one that moves meanwhile is listed, once.
     */
    public SortedMap<Integer, Long> awaitingFiles()
    {
        final SortedMap<Integer, Long> files = new TreeMap<>();
        for (final Retiring r : retiringSnapshot())
        {
            files.put(r.segment.id(), (long)r.segment.length());
        }
        files.putAll(pending);
        return files;
    }

    /**
     * @return the bytes of segment files that hold nothing to keep but are still on disk: out of the log and not yet
     * deleted, or still in it because a retained snapshot or the durable checkpoint needs them. Takes the write lock.
     */
    public long awaitingDeletion()
    {
        writeLock.lock();
        try
        {
            long bytes = retiredBytes; // under the lock, as the table: a retirement moves a file from one to the other
            final int tail = log.tailSegmentId();
            for (final Segment s : log.segments())
            {
                if (s != null && s.id() < tail && usage.live(s.id()) == 0 && usage.tombstones(s.id()) == 0)
                {
                    bytes += s.length();
                }
            }
            return bytes;
        }
        finally
        {
            writeLock.unlock();
        }
    }

    /** @return the ids of reclaimed segment files not deleted yet (pinned, or waiting for readers). */
    public List<Integer> awaitingIds()
    {
        final List<Integer> ids = new ArrayList<>(pending.keySet());
        for (final Retiring r : retiringSnapshot())
        {
            ids.add(r.segment.id());
        }
        return ids;
    }

    /**
     * @return the bytes of segment files deleted since the store opened (its open's reclamation included). Any
     * thread.
     */
    public long bytesDeleted()
    {
        return bytesDeleted;
    }

    /**
     * At close, every reader gone: unmaps the segments still in their grace period or left to the release thread, and
     * frees the disk space of the files deleted.
     */
    public void close()
    {
        releaseDeleted();
        for (final Retiring r : retiringSnapshot())
        {
            r.segment.unmap();
        }
        synchronized (retiring)
        {
            retiring.clear();
        }
    }
}
