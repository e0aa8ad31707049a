package io.memsnap;

import io.memsnap.internal.ReaderGuard;
import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.ManifestSlotsDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.AllocatedBytes;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.ReachablePages;
import io.memsnap.internal.lifecycle.CompactionLedger;
import io.memsnap.internal.lifecycle.SegmentReclaimer;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.segment.SegmentUsage;
import io.memsnap.internal.snapshot.CommitCoordinator;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.SnapshotLedger;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Reads the parts of a store into a {@link StoreStats}, in the order its javadoc promises: the snapshots' figures,
 * then the log's and the segment files' under the write lock, then the compaction counters, the index memory and the
 * directory's other files. O(files) and no process, except where a {@link Detail} asks for more. Thread safe: any
 * thread, any number at once.
 */
final class StoreStatsAssembler
{
    /** How far an assembly goes beyond the cheap figures. */
    enum Detail
    {
        /** O(files), no process, never waits for a snapshot, checkpoint or compaction pass: {@code stats()}. */
        CHEAP,
        /**
         * For reports ({@code memsnap stats}): also the allocated bytes of the index files (one {@code stat}
         * process), the bytes of the index pages its current version reaches (every directory page read under the
         * write lock: O(entries / 150)), and, when the store does not know its live bytes (a read-only store whose
         * manifest has no live-bytes table), the live bytes recounted from its index: O(entries).
         */
        REPORT,
        /**
         * For tests that check the accounting: the live bytes recounted from the index whatever the store knows,
         * O(entries) under the write lock, and the index pages reached, as for a report.
         */
        RECOUNT
    }

    private final Path dir;
    private final boolean readOnly;
    private final NanoClock clock;
    private final ReentrantLock writeLock;
    private final ReaderGuard guard;
    private final StoreCounts counts;
    private final SegmentLog log;
    private final HashIndex index;
    private final IndexFile indexFile;
    /** The live bytes per segment (the writer's now, a read-only store's at its snapshot), or null if unknown. */
    private final SegmentUsage usage;
    private final long indexLimitBytes;
    private final CommitCoordinator commits;
    private final ManifestStore manifests;
    private final SnapshotLedger snapshots;
    /** Null for a read-only store. */
    private final SegmentReclaimer reclaimer;
    /** Null for a read-only store. */
    private final CompactionLedger compactions;

    /**
     * @param usage           changed by the writer under {@code writeLock}, or never (read-only); null if unknown.
     * @param indexLimitBytes the limit of the index's direct memory; 0 for a read-only store.
     * @param reclaimer       null for a read-only store, as {@code compactions}.
     */
    StoreStatsAssembler(final Path dir, final boolean readOnly, final NanoClock clock,
        final ReentrantLock writeLock, final ReaderGuard guard, final StoreCounts counts,
        final SegmentLog log, final HashIndex index, final IndexFile indexFile, final SegmentUsage usage,
        final long indexLimitBytes, final CommitCoordinator commits, final ManifestStore manifests,
        final SnapshotLedger snapshots, final SegmentReclaimer reclaimer, final CompactionLedger compactions)
    {
        this.dir = dir;
        this.readOnly = readOnly;
        this.clock = clock;
        this.writeLock = writeLock;
        this.guard = guard;
        this.counts = counts;
        this.log = log;
        this.index = index;
        this.indexFile = indexFile;
        this.usage = usage;
        this.indexLimitBytes = indexLimitBytes;
        this.commits = commits;
        this.manifests = manifests;
        this.snapshots = snapshots;
        this.reclaimer = reclaimer;
        this.compactions = compactions;
    }

    StoreStats assemble(final Detail detail)
    {
        final StoreStats.Builder stats = new StoreStats.Builder();
        final SnapshotLedger.View snapshot = snapshots.view();
        final long now = clock.nanoTime();
        final Manifest last = snapshot.committed;
        stats.lastSnapshot(last.generation, last.lastSequence, last.durationNanos, snapshot.lastError, retained());
        stats.autoSnapshots(snapshot.autoTaken, snapshot.autoFailed, snapshot.failuresInARow,
            snapshot.failuresInARow == 0 ? 0 : Math.max(0, snapshot.retryAtNanos - now));
        writeLock.lock();
        try
        {
            stats.log(counts.entries(), counts.states(), log.nextSequence() - 1);
            segments(stats, detail);
            if (detail != Detail.CHEAP)
            {
                stats.indexLiveBytes(indexLiveBytes());
            }
        }
        finally
        {
            writeLock.unlock();
        }
        if (compactions != null)
        {
            final CompactionLedger.View c = compactions.view();
            stats.compaction(c.running, c.segmentsCompacted, c.recordsCopied, c.bytesCopied,
                reclaimer.bytesDeleted(), c.lastError);
        }
        stats.indexMemory(indexFile.directBytes(), indexLimitBytes, indexFile.mappedBytes());
        files(stats, detail == Detail.REPORT);
        return stats.build();
    }

    /** Under the write lock: the segment files, by id, with their live bytes; what awaits deletion; what is mapped. */
    private void segments(final StoreStats.Builder stats, final Detail detail)
    {
        final SegmentUsage live = detail == Detail.RECOUNT || detail == Detail.REPORT && usage == null ? recount() :
            usage;
        final long tail = log.tailAddress();
        final int tailId = IndexPageDescriptor.segmentId(tail);
        final SortedMap<Integer, StoreStats.SegmentFile> files = new TreeMap<>();
        long mapped = 0;
        for (final Segment s : log.segments())
        {
            if (s != null)
            {
                mapped += s.length();
                files.put(s.id(), new StoreStats.SegmentFile(SegmentDescriptor.fileName(s.id()), s.id() == tailId ?
                    Math.min(s.length(), IndexPageDescriptor.offset(tail)) : s.length(),
                    live == null ? StoreStats.UNKNOWN : live.live(s.id())));
            }
        }
        long awaiting = 0;
        if (reclaimer != null)
        {
            for (final Map.Entry<Integer, Long> f : reclaimer.awaitingFiles().entrySet())
            {
                files.putIfAbsent(f.getKey(), new StoreStats.SegmentFile(SegmentDescriptor.fileName(f.getKey()),
                    f.getValue(), live == null ? StoreStats.UNKNOWN : 0));
            }
            awaiting = reclaimer.awaitingDeletion();
        }
        stats.segments(new ArrayList<>(files.values()), mapped, awaiting);
    }

    /** Under the write lock: the bytes of the pages the index's current version reaches. */
    private long indexLiveBytes()
    {
        final int token = guard.enter();
        try
        {
            return (long)ReachablePages.of(indexFile, index.rootPage(), indexFile.nextPage(), Integer.MAX_VALUE)
                .length * IndexPageDescriptor.PAGE_SIZE;
        }
        finally
        {
            guard.exit(token);
        }
    }

    /** Under the write lock: the live bytes of the records the index points at, counted from scratch. */
    private SegmentUsage recount()
    {
        final int token = guard.enter();
        try
        {
            return SegmentUsage.recount(index, log);
        }
        finally
        {
            guard.exit(token);
        }
    }

    /** The index files, manifests and other files the directory lists now (a file deleted meanwhile left out). */
    private void files(final StoreStats.Builder stats, final boolean measureAllocation)
    {
        final SortedMap<Long, Path> indexPaths = new TreeMap<>();
        final SortedMap<Long, Long> indexLengths = new TreeMap<>();
        int manifestCount = 0;
        long manifestBytes = 0;
        long otherBytes = 0;
        try (Stream<Path> listing = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)listing::iterator)
            {
                final String name = p.getFileName().toString();
                if (SegmentDescriptor.parseFileName(name) > 0 || !Files.isRegularFile(p))
                {
                    continue; // segments come from the log
                }
                final long length;
                try
                {
                    length = Files.size(p);
                }
                catch (final NoSuchFileException ex)
                {
                    continue; // retired or renamed by the writer while we listed
                }
                final long generation = IndexPageDescriptor.parseFileName(name);
                if (generation >= 0)
                {
                    indexPaths.put(generation, p);
                    indexLengths.put(generation, length);
                }
                else if (ManifestDescriptor.parseFileName(name) >= 0)
                {
                    manifestCount++;
                    manifestBytes += length;
                }
                else if (name.equals(ManifestSlotsDescriptor.FILE_NAME))
                {
                    manifestCount += validSlots();
                    manifestBytes += length;
                }
                else
                {
                    otherBytes += length;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not list the files of " + dir, ex);
        }
        final long[] allocated = measureAllocation ? AllocatedBytes.of(indexPaths.values().toArray(new Path[0])) :
            null;
        final List<StoreStats.IndexFile> indexFiles = new ArrayList<>();
        int i = 0;
        for (final Map.Entry<Long, Path> f : indexPaths.entrySet())
        {
            indexFiles.add(new StoreStats.IndexFile(f.getValue().getFileName().toString(),
                indexLengths.get(f.getKey()), allocated == null ? StoreStats.UNKNOWN : allocated[i]));
            i++;
        }
        stats.files(indexFiles, manifestCount, manifestBytes, otherBytes);
    }

    /** {@return how many slots of {@code manifests.mss} hold a manifest that validates.} */
    private int validSlots() throws IOException
    {
        int valid = 0;
        for (final ManifestSlots.Slot slot : manifests.slots().readAll())
        {
            valid += slot.state == ManifestSlots.Slot.State.VALID ? 1 : 0;
        }
        return valid;
    }

    private int retained()
    {
        if (!readOnly)
        {
            return commits.retainedCount();
        }
        try
        {
            return manifests.generations().size(); // another process may be writing: what is there now
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not list the manifests of " + dir, ex);
        }
    }
}
