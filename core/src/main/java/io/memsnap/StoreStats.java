package io.memsnap;

import java.util.List;

/**
 * Figures of a store at one moment, from {@link MemoryStore#stats()}: its contents, the space its files take against
 * the bytes of its live records, its snapshots and their health, its compactions, and its off-heap memory. Every
 * size is in bytes, every duration in nanoseconds; a figure that is not known is {@link #UNKNOWN}. Thread safe:
 * immutable.
 *
 * <p><b>Consistency.</b> Read in three steps, none of which waits for a running snapshot, checkpoint or compaction
 * pass (the write lock is held by a writer for one record, and by compaction for one batch):
 * <ol>
 * <li>the snapshots' figures (last snapshot, its error, automatic snapshot counts), together;</li>
 * <li>a moment later, under the store's write lock, the log's: entry and state counts, last sequence, the segment
 * files with their live bytes, the bytes awaiting deletion and the segments' mapped bytes. These agree with each
 * other, and {@link #changesSinceLastSnapshot()} is never negative;</li>
 * <li>a moment after, the compaction counters, the index memory, and the index files and manifests as the directory
 * lists them then.</li>
 * </ol>
 *
 * <p><b>Read-only stores</b> report their snapshot: its entries, the segment files it maps (its tail up to the
 * snapshot's last record) and their live bytes at the snapshot (counted at open from the snapshot's live-bytes table
 * and the replay the open does anyway; {@link #UNKNOWN} when the manifest has no table, written before manifests
 * carried one). Their compaction and automatic snapshot figures are zero: those are the writer's.
 *
 * <p>Figures may be added in later versions; none is removed or changes meaning within a major version.
 */
public final class StoreStats
{
    /** A figure that is not known (see each accessor). */
    public static final long UNKNOWN = -1;

    /**
     * One segment file: its bytes (its length; for the tail segment, the bytes up to the end of its records: the rest
     * is a hole that takes no disk space, or zeros reserved with {@link StoreOptions#preallocate()}), and of those the
     * bytes of live records (those the index points at) and the rest, dead (replaced or deleted records, delete
     * records, padding, the header). Thread safe: immutable.
     */
    public static final class SegmentFile
    {
        private final String name;
        private final long bytes;
        private final long liveBytes;

        SegmentFile(final String name, final long bytes, final long liveBytes)
        {
            this.name = name;
            this.bytes = bytes;
            this.liveBytes = liveBytes;
        }

        /** {@return the file's name in the store's directory.} */
        public String name()
        {
            return name;
        }

        /** {@return the bytes it takes: its length, or for the tail segment the bytes up to the end of its records.} */
        public long bytes()
        {
            return bytes;
        }

        /** {@return the bytes of its live records, or {@link #UNKNOWN}.} */
        public long liveBytes()
        {
            return liveBytes;
        }

        /** {@return {@link #bytes()} less {@link #liveBytes()}, or {@link #UNKNOWN}.} */
        public long deadBytes()
        {
            return liveBytes == UNKNOWN ? UNKNOWN : bytes - liveBytes;
        }

        @Override
        public String toString()
        {
            return name + "{bytes=" + bytes + ", live=" + liveBytes + '}';
        }
    }

    /**
     * One index file: its length and the disk space allocated to it. An index file written from a checkpoint (a
     * later generation) is sparse: far less is allocated than its length. Thread safe: immutable.
     */
    public static final class IndexFile
    {
        private final String name;
        private final long bytes;
        private final long allocatedBytes;

        IndexFile(final String name, final long bytes, final long allocatedBytes)
        {
            this.name = name;
            this.bytes = bytes;
            this.allocatedBytes = allocatedBytes;
        }

        /** {@return the file's name in the store's directory.} */
        public String name()
        {
            return name;
        }

        /** {@return its length.} */
        public long bytes()
        {
            return bytes;
        }

        /**
         * {@return the bytes of disk allocated to it, or {@link #UNKNOWN}: {@link MemoryStore#stats()} does not measure
         * it (Java has no call for a file's allocated blocks, and stats start no process); {@code memsnap stats} does
         * on Linux.}
         */
        public long allocatedBytes()
        {
            return allocatedBytes;
        }

        @Override
        public String toString()
        {
            return name + "{bytes=" + bytes + ", allocated=" + allocatedBytes + '}';
        }
    }

    private final long entryCount;
    private final long stateCount;
    private final long lastSequence;
    private final List<SegmentFile> segmentFiles;
    private final long segmentBytes;
    private final long liveBytes;
    private final long segmentMappedBytes;
    private final List<IndexFile> indexFiles;
    private final long indexFileBytes;
    private final int manifestCount;
    private final long manifestBytes;
    private final long storeBytes;
    private final int retainedSnapshotCount;
    private final long lastSnapshotGeneration;
    private final long lastSnapshotSequence;
    private final long lastSnapshotDurationNanos;
    private final String lastSnapshotError;
    private final long autoSnapshotsTaken;
    private final long autoSnapshotFailures;
    private final int autoSnapshotFailuresInARow;
    private final long autoSnapshotRetryInNanos;
    private final boolean compactionRunning;
    private final long segmentsCompacted;
    private final long compactionRecordsCopied;
    private final long compactionBytesCopied;
    private final long compactionBytesFreed;
    private final long compactionBytesAwaitingDeletion;
    private final String lastCompactionError;
    private final long indexDirectBytes;
    private final long indexDirectLimitBytes;
    private final long indexMappedBytes;
    private final long indexLiveBytes;

    private StoreStats(final Builder b)
    {
        entryCount = b.entryCount;
        stateCount = b.stateCount;
        lastSequence = b.lastSequence;
        segmentFiles = List.copyOf(b.segmentFiles);
        long bytes = 0;
        long live = 0;
        for (final SegmentFile f : segmentFiles)
        {
            bytes += f.bytes;
            live = live == UNKNOWN || f.liveBytes == UNKNOWN ? UNKNOWN : live + f.liveBytes;
        }
        segmentBytes = bytes;
        liveBytes = live;
        segmentMappedBytes = b.segmentMappedBytes;
        indexFiles = List.copyOf(b.indexFiles);
        long index = 0;
        for (final IndexFile f : indexFiles)
        {
            index += f.bytes;
        }
        indexFileBytes = index;
        manifestCount = b.manifestCount;
        manifestBytes = b.manifestBytes;
        storeBytes = segmentBytes + indexFileBytes + manifestBytes + b.otherFileBytes;
        retainedSnapshotCount = b.retainedSnapshotCount;
        lastSnapshotGeneration = b.lastSnapshotGeneration;
        lastSnapshotSequence = b.lastSnapshotSequence;
        lastSnapshotDurationNanos = b.lastSnapshotDurationNanos;
        lastSnapshotError = b.lastSnapshotError;
        autoSnapshotsTaken = b.autoSnapshotsTaken;
        autoSnapshotFailures = b.autoSnapshotFailures;
        autoSnapshotFailuresInARow = b.autoSnapshotFailuresInARow;
        autoSnapshotRetryInNanos = b.autoSnapshotRetryInNanos;
        compactionRunning = b.compactionRunning;
        segmentsCompacted = b.segmentsCompacted;
        compactionRecordsCopied = b.compactionRecordsCopied;
        compactionBytesCopied = b.compactionBytesCopied;
        compactionBytesFreed = b.compactionBytesFreed;
        compactionBytesAwaitingDeletion = b.compactionBytesAwaitingDeletion;
        lastCompactionError = b.lastCompactionError;
        indexDirectBytes = b.indexDirectBytes;
        indexDirectLimitBytes = b.indexDirectLimitBytes;
        indexMappedBytes = b.indexMappedBytes;
        indexLiveBytes = b.indexLiveBytes;
    }

    /** {@return the number of live entries (named state not counted), as {@link MemoryStore#size()}.} */
    public long entryCount()
    {
        return entryCount;
    }

    /** {@return the number of named states, as {@link MemoryStore#stateCount()}.} */
    public long stateCount()
    {
        return stateCount;
    }

    /** {@return the sequence number of the last write, as {@link MemoryStore#lastSequence()}.} */
    public long lastSequence()
    {
        return lastSequence;
    }

    // ------------------------------------------------------------------------------------------------ space

    /**
     * {@return the segment files, by id: a writer's are those its log spans and those compaction emptied that wait for
     * deletion (see {@link #compactionBytesAwaitingDeletion()}); a read-only store's, those its snapshot needs.}
     */
    public List<SegmentFile> segmentFiles()
    {
        return segmentFiles;
    }

    /** {@return the number of {@link #segmentFiles()}.} */
    public int segmentCount()
    {
        return segmentFiles.size();
    }

    /** {@return the bytes of the {@link #segmentFiles()} (each as {@link SegmentFile#bytes()} counts it).} */
    public long segmentBytes()
    {
        return segmentBytes;
    }

    /** {@return the bytes of the live records of every segment file, or {@link #UNKNOWN} (see the class comment).} */
    public long liveBytes()
    {
        return liveBytes;
    }

    /** {@return {@link #segmentBytes()} less {@link #liveBytes()}, or {@link #UNKNOWN}.} */
    public long deadBytes()
    {
        return liveBytes == UNKNOWN ? UNKNOWN : segmentBytes - liveBytes;
    }

    /** {@return the index files in the directory, by generation.} */
    public List<IndexFile> indexFiles()
    {
        return indexFiles;
    }

    /** {@return the lengths of the {@link #indexFiles()}.} */
    public long indexFileBytes()
    {
        return indexFileBytes;
    }

    /**
     * {@return the number of manifests on disk (retained snapshots, as the directory holds them): the slots of
     * {@code manifests.mss} that hold one, and the manifest files.}
     */
    public int manifestCount()
    {
        return manifestCount;
    }

    /** {@return the lengths of {@code manifests.mss} and of the manifest files.} */
    public long manifestBytes()
    {
        return manifestBytes;
    }

    /**
     * {@return the bytes of the store's files: {@link #segmentBytes()}, {@link #indexFileBytes()},
     * {@link #manifestBytes()} and the other files of the directory (the durable watermark, the lock file, a pending
     * manifest), {@code quarantine/} not counted.}
     */
    public long storeBytes()
    {
        return storeBytes;
    }

    /**
     * {@return {@link #storeBytes()} per live byte: the space amplification of the whole store; 0 when nothing is live,
     * NaN when the live bytes are {@link #UNKNOWN}.}
     */
    public double spaceAmplification()
    {
        return ratio(storeBytes);
    }

    /**
     * {@return {@link #segmentBytes()} per live byte: what compaction bounds; 0 when nothing is live, NaN when the
     * live bytes are {@link #UNKNOWN}.}
     */
    public double segmentAmplification()
    {
        return ratio(segmentBytes);
    }

    private double ratio(final long bytes)
    {
        return liveBytes == UNKNOWN ? Double.NaN : liveBytes == 0 ? 0 : (double)bytes / liveBytes;
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * {@return the number of snapshots on disk: those this writer keeps ({@link StoreOptions#retainedSnapshots()} at
     * most, once that many were taken); for a read-only store, the manifests in the directory now.}
     */
    public int retainedSnapshotCount()
    {
        return retainedSnapshotCount;
    }

    /** {@return the generation of the last snapshot committed, or of the one the store opened at.} */
    public long lastSnapshotGeneration()
    {
        return lastSnapshotGeneration;
    }

    /** {@return the sequence number of the last write that snapshot holds.} */
    public long lastSnapshotSequence()
    {
        return lastSnapshotSequence;
    }

    /** {@return how long that snapshot took, freeze to directory fsync (as {@link SnapshotInfo#durationNanos()}).} */
    public long lastSnapshotDurationNanos()
    {
        return lastSnapshotDurationNanos;
    }

    /**
     * {@return the message of the last snapshot that failed (explicit, automatic or at close), with its cause's, if
     * no snapshot committed since; null otherwise.}
     */
    public String lastSnapshotError()
    {
        return lastSnapshotError;
    }

    /** {@return the writes made since the last snapshot (puts, deletes, state puts and deletes): what it lacks.} */
    public long changesSinceLastSnapshot()
    {
        return lastSequence - lastSnapshotSequence;
    }

    /** {@return the snapshots the automatic snapshot thread committed since the store opened.} */
    public long autoSnapshotsTaken()
    {
        return autoSnapshotsTaken;
    }

    /** {@return the automatic snapshots that failed since the store opened.} */
    public long autoSnapshotFailures()
    {
        return autoSnapshotFailures;
    }

    /** {@return the automatic snapshots that failed since the last snapshot committed; 0 when healthy.} */
    public int autoSnapshotFailuresInARow()
    {
        return autoSnapshotFailuresInARow;
    }

    /**
     * {@return how long, from this moment, until the automatic snapshot thread tries again after
     * {@link #autoSnapshotFailuresInARow()} failures; 0 when it is not waiting to retry.}
     */
    public long autoSnapshotRetryInNanos()
    {
        return autoSnapshotRetryInNanos;
    }

    // ------------------------------------------------------------------------------------------------ compaction

    /** {@return whether a compaction pass (background or {@link MemoryStore#compact()}) is copying records now.} */
    public boolean compactionRunning()
    {
        return compactionRunning;
    }

    /** {@return the segments whose every record compaction dealt with since the store opened.} */
    public long segmentsCompacted()
    {
        return segmentsCompacted;
    }

    /** {@return the records compaction copied to the tail of the log since the store opened.} */
    public long compactionRecordsCopied()
    {
        return compactionRecordsCopied;
    }

    /** {@return the bytes of those copies.} */
    public long compactionBytesCopied()
    {
        return compactionBytesCopied;
    }

    /** {@return the bytes of segment files deleted since the store opened (its open's own deletions included).} */
    public long compactionBytesFreed()
    {
        return compactionBytesFreed;
    }

    /**
     * {@return the bytes of segment files that hold nothing to keep but are still on disk (as
     * {@link CompactionResult#bytesAwaitingDeletion()}): a retained snapshot or the durable index checkpoint still
     * needs them, or a reader has them mapped.}
     */
    public long compactionBytesAwaitingDeletion()
    {
        return compactionBytesAwaitingDeletion;
    }

    /**
     * {@return the message of the last compaction pass that failed, if no pass that chose segments completed since;
     * null otherwise.}
     */
    public String lastCompactionError()
    {
        return lastCompactionError;
    }

    // ------------------------------------------------------------------------------------------------ memory

    /** {@return the direct memory held by index pages waiting for a checkpoint (and not yet freed).} */
    public long indexDirectBytes()
    {
        return indexDirectBytes;
    }

    /**
     * {@return the limit of {@link #indexDirectBytes()} (see {@link StoreOptions#maxResidentIndexBytes()}); 0 if
     * read-only.}
     */
    public long indexDirectLimitBytes()
    {
        return indexDirectLimitBytes;
    }

    /** {@return the bytes of the index file the store maps (its pages written by checkpoints).} */
    public long indexMappedBytes()
    {
        return indexMappedBytes;
    }

    /** {@return the bytes of the segment files the store's log maps (each whole, holes included).} */
    public long segmentMappedBytes()
    {
        return segmentMappedBytes;
    }

    /**
     * {@return the bytes of the index pages the current version of the index reaches (its root, directory and bucket
     * pages): what the index takes, where the index files' lengths also count pages that copy-on-write superseded.
     * {@link #UNKNOWN} from {@link MemoryStore#stats()}: counting them reads every directory page, O(entries / 150).}
     */
    public long indexLiveBytes()
    {
        return indexLiveBytes;
    }

    @Override
    public String toString()
    {
        return "StoreStats{entryCount=" + entryCount + ", stateCount=" + stateCount + ", lastSequence=" +
            lastSequence + ", segmentCount=" + segmentCount() + ", segmentBytes=" + segmentBytes + ", liveBytes=" +
            liveBytes + ", indexFileBytes=" + indexFileBytes + ", manifestCount=" + manifestCount +
            ", manifestBytes=" + manifestBytes + ", storeBytes=" + storeBytes + ", retainedSnapshotCount=" +
            retainedSnapshotCount + ", lastSnapshotGeneration=" + lastSnapshotGeneration + ", lastSnapshotSequence=" +
            lastSnapshotSequence + ", lastSnapshotDurationNanos=" + lastSnapshotDurationNanos +
            ", lastSnapshotError=" + lastSnapshotError + ", changesSinceLastSnapshot=" + changesSinceLastSnapshot() +
            ", autoSnapshotsTaken=" + autoSnapshotsTaken + ", autoSnapshotFailures=" + autoSnapshotFailures +
            ", autoSnapshotFailuresInARow=" + autoSnapshotFailuresInARow + ", autoSnapshotRetryInNanos=" +
            autoSnapshotRetryInNanos + ", compactionRunning=" + compactionRunning + ", segmentsCompacted=" +
            segmentsCompacted + ", compactionRecordsCopied=" + compactionRecordsCopied + ", compactionBytesCopied=" +
            compactionBytesCopied + ", compactionBytesFreed=" + compactionBytesFreed +
            ", compactionBytesAwaitingDeletion=" + compactionBytesAwaitingDeletion + ", lastCompactionError=" +
            lastCompactionError + ", indexDirectBytes=" + indexDirectBytes + ", indexDirectLimitBytes=" +
            indexDirectLimitBytes + ", indexMappedBytes=" + indexMappedBytes + ", indexLiveBytes=" +
            indexLiveBytes + ", segmentMappedBytes=" + segmentMappedBytes + ", segmentFiles=" + segmentFiles +
            ", indexFiles=" + indexFiles + '}';
    }

    /** Assembles {@link StoreStats}; for {@link StoreStatsAssembler}. Not thread safe. */
    static final class Builder
    {
        private long entryCount;
        private long stateCount;
        private long lastSequence;
        private List<SegmentFile> segmentFiles = List.of();
        private long segmentMappedBytes;
        private List<IndexFile> indexFiles = List.of();
        private int manifestCount;
        private long manifestBytes;
        private long otherFileBytes;
        private int retainedSnapshotCount;
        private long lastSnapshotGeneration;
        private long lastSnapshotSequence;
        private long lastSnapshotDurationNanos;
        private String lastSnapshotError;
        private long autoSnapshotsTaken;
        private long autoSnapshotFailures;
        private int autoSnapshotFailuresInARow;
        private long autoSnapshotRetryInNanos;
        private boolean compactionRunning;
        private long segmentsCompacted;
        private long compactionRecordsCopied;
        private long compactionBytesCopied;
        private long compactionBytesFreed;
        private long compactionBytesAwaitingDeletion;
        private String lastCompactionError;
        private long indexDirectBytes;
        private long indexDirectLimitBytes;
        private long indexMappedBytes;
        private long indexLiveBytes = UNKNOWN;

        Builder log(final long entryCount, final long stateCount, final long lastSequence)
        {
            this.entryCount = entryCount;
            this.stateCount = stateCount;
            this.lastSequence = lastSequence;
            return this;
        }

        /** @param files by id, each with its live bytes or {@link #UNKNOWN}. */
        Builder segments(final List<SegmentFile> files, final long mappedBytes, final long awaitingDeletion)
        {
            this.segmentFiles = files;
            this.segmentMappedBytes = mappedBytes;
            this.compactionBytesAwaitingDeletion = awaitingDeletion;
            return this;
        }

        /** @param otherBytes the files of the directory that are no segment, index file or manifest. */
        Builder files(final List<IndexFile> indexFiles, final int manifestCount, final long manifestBytes,
            final long otherBytes)
        {
            this.indexFiles = indexFiles;
            this.manifestCount = manifestCount;
            this.manifestBytes = manifestBytes;
            this.otherFileBytes = otherBytes;
            return this;
        }

        Builder lastSnapshot(final long generation, final long sequence, final long durationNanos, final String error,
            final int retained)
        {
            this.lastSnapshotGeneration = generation;
            this.lastSnapshotSequence = sequence;
            this.lastSnapshotDurationNanos = durationNanos;
            this.lastSnapshotError = error;
            this.retainedSnapshotCount = retained;
            return this;
        }

        Builder autoSnapshots(final long taken, final long failures, final int failuresInARow,
            final long retryInNanos)
        {
            this.autoSnapshotsTaken = taken;
            this.autoSnapshotFailures = failures;
            this.autoSnapshotFailuresInARow = failuresInARow;
            this.autoSnapshotRetryInNanos = retryInNanos;
            return this;
        }

        Builder compaction(final boolean running, final long segments, final long records, final long bytes,
            final long freed, final String error)
        {
            this.compactionRunning = running;
            this.segmentsCompacted = segments;
            this.compactionRecordsCopied = records;
            this.compactionBytesCopied = bytes;
            this.compactionBytesFreed = freed;
            this.lastCompactionError = error;
            return this;
        }

        Builder indexMemory(final long directBytes, final long limitBytes, final long mappedBytes)
        {
            this.indexDirectBytes = directBytes;
            this.indexDirectLimitBytes = limitBytes;
            this.indexMappedBytes = mappedBytes;
            return this;
        }

        Builder indexLiveBytes(final long bytes)
        {
            this.indexLiveBytes = bytes;
            return this;
        }

        StoreStats build()
        {
            return new StoreStats(this);
        }
    }
}
