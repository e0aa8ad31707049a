package io.memsnap;

import java.time.Duration;
import java.util.Objects;

/**
 * Typed, validated configuration of a {@link MemoryStore}. Build with {@link #builder()}. Thread safe: immutable.
 *
 * <p>The dimension is fixed when a store is created and recorded in it; reopening with another non-zero dimension
 * is refused. All other options may change between opens.
 *
 * <p>Memory: besides its mapped files, a writable store holds the index pages created since the last checkpoint in
 * direct memory, at most {@link #maxResidentIndexBytes()} (by default the smaller of twice
 * {@link #checkpointIndexBytes()} plus 12 MiB and half of {@code -XX:MaxDirectMemorySize}); a writer at that limit
 * waits for a checkpoint.
 *
 * <p>Retention: after each snapshot and at a writer's open, the snapshots that no rule keeps are deleted. A snapshot
 * is kept if any rule keeps it: it is one of the newest {@link #retainedSnapshots()} (default 3, at least 2, so the
 * newest and one to fall back to always stay), it is younger than {@link #retainedSnapshotAge()} (by default no
 * age rule), or it is pinned ({@link MemoryStore#pin}). The defaults keep the newest three, as before there were
 * other rules.
 * <p>Snapshots on their own (all off by default): {@link Builder#autoSnapshotEveryChanges(long)} and
 * {@link Builder#autoSnapshotInterval(Duration)} start a background thread that takes them,
 * {@link Builder#snapshotOnClose(Duration)} takes one at {@link MemoryStore#close()}, and
 * {@link Builder#shutdownHook(boolean)} closes the store, with a snapshot, when the JVM shuts down (SIGTERM, say).
 * A read-only store ignores these four options: it never writes.
 */
public final class StoreOptions
{
    /** Default {@link #segmentSize()}: the largest size of a segment file. */
    public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024 * 1024;
    /** Smallest segment size accepted; also the size of a store's first segment. */
    public static final int MIN_SEGMENT_SIZE = 64 * 1024;
    /** Largest segment size accepted: record addresses hold a 31-bit offset. */
    public static final int MAX_SEGMENT_SIZE = 1 << 30;
    /** Default {@link #writeBufferBytes()}: 256 KiB. */
    public static final int DEFAULT_WRITE_BUFFER_BYTES = 256 * 1024;
    /** Smallest {@link #writeBufferBytes()}: 64 KiB (a PAD of a page and more must fit). */
    public static final int MIN_WRITE_BUFFER_BYTES = 64 * 1024;
    /** Largest {@link #writeBufferBytes()}: 64 MiB. */
    public static final int MAX_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;
    /** Default {@link #writebackBytes()}: 1 MiB. */
    public static final int DEFAULT_WRITEBACK_BYTES = 1024 * 1024;
    /** Default longest id, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_ID_BYTES = 1024;
    /** Hard limit of the id length: the record stores it in an unsigned 16-bit field. */
    public static final int ID_BYTES_LIMIT = 0xFFFF;
    /** Default largest metadata of one entry. */
    public static final int DEFAULT_MAX_METADATA_BYTES = 64 * 1024;
    /** Default largest value of one named state. */
    public static final int DEFAULT_MAX_STATE_BYTES = 16 * 1024 * 1024;
    /** Default number of snapshots kept on disk. */
    public static final int DEFAULT_RETAINED_SNAPSHOTS = 3;
    /** Fewest snapshots kept: one to fall back to when the newest is damaged. */
    public static final int MIN_RETAINED_SNAPSHOTS = 2;
    /** Default {@link #retainedSnapshotAge()}: zero, no snapshot is kept for its age. */
    public static final Duration DEFAULT_RETAINED_SNAPSHOT_AGE = Duration.ZERO;
    /** Default {@link #rewindSafetyExpiry()}: 14 days. */
    public static final Duration DEFAULT_REWIND_SAFETY_EXPIRY = Duration.ofDays(14);
    /** Default number of records after which the index is checkpointed in the background. */
    public static final long DEFAULT_CHECKPOINT_RECORDS = 100_000;
    /** Default {@link #checkpointIndexBytes()}: 64 MiB of index pages waiting in memory for a checkpoint. */
    public static final long DEFAULT_CHECKPOINT_INDEX_BYTES = 64L << 20;
    /** Smallest {@link #checkpointIndexBytes()}: 1 MiB. */
    public static final long MIN_CHECKPOINT_INDEX_BYTES = 1L << 20;
    /** {@link #maxResidentIndexBytes()} when it is derived at open from the JVM's limit (the default). */
    public static final long DERIVED_MAX_RESIDENT_INDEX_BYTES = 0;
    /** Smallest {@link #maxResidentIndexBytes()}: 16 MiB, four chunks of index pages. */
    public static final long MIN_MAX_RESIDENT_INDEX_BYTES = 16L << 20;
    /** Default {@link #compactionDeadFraction()}. */
    public static final double DEFAULT_COMPACTION_DEAD_FRACTION = 0.10;
    /** Default {@link #compactionLiveFraction()}. */
    public static final double DEFAULT_COMPACTION_LIVE_FRACTION = 0.75;
    /** Default {@link #indexCompactionRatio()}: a new index file once the current one holds 1.5 times what it needs. */
    public static final double DEFAULT_INDEX_COMPACTION_RATIO = 1.5;
    /** Smallest {@link #indexCompactionRatio()}: below it, the copies would cost more than the pages they save. */
    public static final double MIN_INDEX_COMPACTION_RATIO = 1.5;
    /** Default {@link #indexCompactionMinBytes()}: 16 MiB. */
    public static final long DEFAULT_INDEX_COMPACTION_MIN_BYTES = 16L << 20;
    /** Open the newest snapshot. */
    public static final long NEWEST_GENERATION = -1;
    /** {@link #autoSnapshotEveryChanges()} when snapshots are not taken after a number of changes (the default). */
    public static final long NO_AUTO_SNAPSHOT_CHANGES = 0;
    /** How long the snapshot of a close that {@link Builder#shutdownHook} runs may take when
     * {@link #snapshotOnClose()} is not set: 10 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_SNAPSHOT_DEADLINE = Duration.ofSeconds(10);

    private final int dimension;
    private final int segmentSize;
    private final Durability durability;
    private final int writeBufferBytes;
    private final int writebackBytes;
    private final RecoveryMode recoveryMode;
    private final int maxIdBytes;
    private final int maxMetadataBytes;
    private final int maxStateBytes;
    private final int retainedSnapshots;
    private final Duration retainedSnapshotAge;
    private final boolean retentionFromStore;
    private final Duration rewindSafetyExpiry;
    private final boolean verifyChecksumsOnRead;
    private final boolean preallocate;
    private final boolean readOnly;
    private final boolean upgradeFormat;
    private final long generation;
    private final long checkpointRecords;
    private final long checkpointIndexBytes;
    private final long maxResidentIndexBytes;
    private final boolean backgroundCompaction;
    private final double compactionDeadFraction;
    private final double compactionLiveFraction;
    private final double indexCompactionRatio;
    private final long indexCompactionMinBytes;
    private final long autoSnapshotEveryChanges;
    private final Duration autoSnapshotInterval;
    private final Duration snapshotOnClose;
    private final boolean shutdownHook;

    private StoreOptions(final Builder b)
    {
        dimension = b.dimension;
        segmentSize = b.segmentSize;
        durability = b.durability;
        writeBufferBytes = b.writeBufferBytes;
        writebackBytes = b.writebackBytes;
        recoveryMode = b.recoveryMode;
        maxIdBytes = b.maxIdBytes;
        maxMetadataBytes = b.maxMetadataBytes;
        maxStateBytes = b.maxStateBytes;
        retainedSnapshots = b.retainedSnapshots;
        retainedSnapshotAge = b.retainedSnapshotAge;
        retentionFromStore = b.retentionFromStore;
        rewindSafetyExpiry = b.rewindSafetyExpiry;
        verifyChecksumsOnRead = b.verifyChecksumsOnRead;
        preallocate = b.preallocate;
        readOnly = b.readOnly;
        upgradeFormat = b.upgradeFormat;
        generation = b.generation;
        checkpointRecords = b.checkpointRecords;
        checkpointIndexBytes = b.checkpointIndexBytes;
        maxResidentIndexBytes = b.maxResidentIndexBytes;
        backgroundCompaction = b.backgroundCompaction;
        compactionDeadFraction = b.compactionDeadFraction;
        compactionLiveFraction = b.compactionLiveFraction;
        indexCompactionRatio = b.indexCompactionRatio;
        indexCompactionMinBytes = b.indexCompactionMinBytes;
        autoSnapshotEveryChanges = b.autoSnapshotEveryChanges;
        autoSnapshotInterval = b.autoSnapshotInterval;
        snapshotOnClose = b.snapshotOnClose;
        shutdownHook = b.shutdownHook;
    }

    /** {@return a builder holding the default options.} */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Makes the options of a new store, or of one to open, of the given dimension.
     *
     * @param dimension the dimension of the store's vectors.
     * @return the options of a store of this dimension, everything else default.
     */
    public static StoreOptions ofDimension(final int dimension)
    {
        return builder().dimension(dimension).build();
    }

    /** {@return a builder holding these options.} */
    public Builder toBuilder()
    {
        final Builder b = new Builder();
        b.dimension = dimension;
        b.segmentSize = segmentSize;
        b.durability = durability;
        b.writeBufferBytes = writeBufferBytes;
        b.writebackBytes = writebackBytes;
        b.recoveryMode = recoveryMode;
        b.maxIdBytes = maxIdBytes;
        b.maxMetadataBytes = maxMetadataBytes;
        b.maxStateBytes = maxStateBytes;
        b.retainedSnapshots = retainedSnapshots;
        b.retainedSnapshotAge = retainedSnapshotAge;
        b.retentionFromStore = retentionFromStore;
        b.rewindSafetyExpiry = rewindSafetyExpiry;
        b.verifyChecksumsOnRead = verifyChecksumsOnRead;
        b.preallocate = preallocate;
        b.readOnly = readOnly;
        b.upgradeFormat = upgradeFormat;
        b.generation = generation;
        b.checkpointRecords = checkpointRecords;
        b.checkpointIndexBytes = checkpointIndexBytes;
        b.maxResidentIndexBytes = maxResidentIndexBytes;
        b.backgroundCompaction = backgroundCompaction;
        b.compactionDeadFraction = compactionDeadFraction;
        b.compactionLiveFraction = compactionLiveFraction;
        b.indexCompactionRatio = indexCompactionRatio;
        b.indexCompactionMinBytes = indexCompactionMinBytes;
        b.autoSnapshotEveryChanges = autoSnapshotEveryChanges;
        b.autoSnapshotInterval = autoSnapshotInterval;
        b.snapshotOnClose = snapshotOnClose;
        b.shutdownHook = shutdownHook;
        return b;
    }

    /** {@return the exclusive upper bound of vector indices; 0 means "whatever the existing store says".} */
    public int dimension()
    {
        return dimension;
    }

    /** {@return the largest size of a segment file (segments grow to it); a record must fit one.} */
    public int segmentSize()
    {
        return segmentSize;
    }

    /** {@return what a write's return promises about a crash (see {@link Durability}).} */
    public Durability durability()
    {
        return durability;
    }

    /**
     * {@return the size of the write buffer, where records wait before they are handed to the file: at most this many
     * bytes of the newest writes with {@link Durability#BUFFERED}, and one write of at most this many bytes for the
     * records of a {@link MemoryStore#write(WriteBatch) batch}.}
     */
    public int writeBufferBytes()
    {
        return writeBufferBytes;
    }

    /**
     * {@return the bytes appended to the log after which a thread of the store makes them durable ahead of the next
     * snapshot or sync (fdatasync of the segment), so that the snapshot flushes only what came after; 0 when off.}
     */
    public int writebackBytes()
    {
        return writebackBytes;
    }

    /** {@return how an open treats damage (see {@link RecoveryMode}).} */
    public RecoveryMode recoveryMode()
    {
        return recoveryMode;
    }

    /** {@return the longest entry id, and named state name, in UTF-8 bytes.} */
    public int maxIdBytes()
    {
        return maxIdBytes;
    }

    /** {@return the longest metadata of an entry, in bytes.} */
    public int maxMetadataBytes()
    {
        return maxMetadataBytes;
    }

    /** {@return the longest named state value, in bytes.} */
    public int maxStateBytes()
    {
        return maxStateBytes;
    }

    /** {@return how many of the newest snapshots retention keeps.} */
    public int retainedSnapshots()
    {
        return retainedSnapshots;
    }

    /** {@return the age below which retention keeps a snapshot (by its created-at); zero: no age rule.} */
    public Duration retainedSnapshotAge()
    {
        return retainedSnapshotAge;
    }

    /**
     * {@return whether a writer applies the retention rules the store's newest snapshot records instead of
     * {@link #retainedSnapshots()} and {@link #retainedSnapshotAge()} (see {@link Builder#retentionFromStore}).}
     */
    public boolean retentionFromStore()
    {
        return retentionFromStore;
    }

    /**
     * {@return how long the pin of a rewind's safety snapshot keeps it (see {@link MemoryStore#rewind}): the state
     * before the rewind can be rewound to again until then.}
     */
    public Duration rewindSafetyExpiry()
    {
        return rewindSafetyExpiry;
    }

    /** {@return whether every read checks its record's checksum.} */
    public boolean verifyChecksumsOnRead()
    {
        return verifyChecksumsOnRead;
    }

    /** {@return whether each new segment is written with zeros when it is made, to reserve its space.} */
    public boolean preallocate()
    {
        return preallocate;
    }

    /** {@return whether the store is opened to read a snapshot only.} */
    public boolean readOnly()
    {
        return readOnly;
    }

    /**
     * {@return whether a writer may upgrade a store whose newest snapshot an older major format version wrote (see
     * {@link Builder#upgradeFormat(boolean)}).}
     */
    public boolean upgradeFormat()
    {
        return upgradeFormat;
    }

    /** {@return the generation a read-only store opens, or {@link #NEWEST_GENERATION}.} */
    public long generation()
    {
        return generation;
    }

    /**
     * {@return after how many records written since the last index checkpoint a background thread checkpoints the
     * index again; bounds what an open replays.}
     */
    public long checkpointRecords()
    {
        return checkpointRecords;
    }

    /** {@return index bytes created since the last checkpoint that make the background thread checkpoint early.} */
    public long checkpointIndexBytes()
    {
        return checkpointIndexBytes;
    }

    /**
     * {@return the hard limit of the direct memory that holds index pages waiting for a checkpoint, or
     * {@link #DERIVED_MAX_RESIDENT_INDEX_BYTES} if it is derived at open (see
     * {@link Builder#maxResidentIndexBytes(long)}).}
     */
    public long maxResidentIndexBytes()
    {
        return maxResidentIndexBytes;
    }

    /** {@return whether a writable store compacts its segments on a background thread (see the builder).} */
    public boolean backgroundCompaction()
    {
        return backgroundCompaction;
    }

    /** {@return the share of dead bytes in the segments that starts background compaction.} */
    public double compactionDeadFraction()
    {
        return compactionDeadFraction;
    }

    /** {@return the live fraction below which a segment is compacted.} */
    public double compactionLiveFraction()
    {
        return compactionLiveFraction;
    }

    /**
     * {@return how many times the pages a new index file would need the current one may hold before a new one is
     * written (see {@link Builder#indexCompactionRatio(double)}).}
     */
    public double indexCompactionRatio()
    {
        return indexCompactionRatio;
    }

    /** {@return the size below which the index file is never replaced by a new one.} */
    public long indexCompactionMinBytes()
    {
        return indexCompactionMinBytes;
    }

    /**
     * {@return after how many changes since the last snapshot a background thread takes one, or
     * {@link #NO_AUTO_SNAPSHOT_CHANGES} (see {@link Builder#autoSnapshotEveryChanges(long)}).}
     */
    public long autoSnapshotEveryChanges()
    {
        return autoSnapshotEveryChanges;
    }

    /**
     * {@return how long after the last snapshot a background thread takes one if anything changed, or
     * {@link Duration#ZERO} for never (see {@link Builder#autoSnapshotInterval(Duration)}).}
     */
    public Duration autoSnapshotInterval()
    {
        return autoSnapshotInterval;
    }

    /** {@return whether either automatic snapshot option is set (a writable store then runs their thread).} */
    public boolean autoSnapshots()
    {
        return autoSnapshotEveryChanges != NO_AUTO_SNAPSHOT_CHANGES || !autoSnapshotInterval.isZero();
    }

    /**
     * {@return how long the snapshot taken by {@link MemoryStore#close()} may take, or {@link Duration#ZERO} if close
     * takes none (see {@link Builder#snapshotOnClose(Duration)}).}
     */
    public Duration snapshotOnClose()
    {
        return snapshotOnClose;
    }

    /** {@return whether a writable store closes itself, with a snapshot, when the JVM shuts down.} */
    public boolean shutdownHook()
    {
        return shutdownHook;
    }

    @Override
    public String toString()
    {
        return "StoreOptions{checkpointRecords=" + checkpointRecords + ", checkpointIndexBytes=" +
            checkpointIndexBytes + ", maxResidentIndexBytes=" + maxResidentIndexBytes + ", indexCompactionRatio=" +
            indexCompactionRatio + ", indexCompactionMinBytes=" + indexCompactionMinBytes + ", dimension=" + dimension +
            ", segmentSize=" + segmentSize + ", durability=" + durability + ", writeBufferBytes=" + writeBufferBytes +
            ", writebackBytes=" + writebackBytes + ", recoveryMode=" + recoveryMode + ", maxIdBytes=" + maxIdBytes +
            ", maxMetadataBytes=" + maxMetadataBytes +
            ", maxStateBytes=" + maxStateBytes + ", retainedSnapshots=" + retainedSnapshots +
            ", retainedSnapshotAge=" + retainedSnapshotAge + ", retentionFromStore=" + retentionFromStore +
            ", rewindSafetyExpiry=" + rewindSafetyExpiry +
            ", verifyChecksumsOnRead=" + verifyChecksumsOnRead + ", preallocate=" + preallocate + ", readOnly=" +
            readOnly + ", upgradeFormat=" + upgradeFormat + ", generation=" + generation + ", backgroundCompaction=" +
            backgroundCompaction + ", compactionDeadFraction=" + compactionDeadFraction + ", compactionLiveFraction=" +
            compactionLiveFraction + ", autoSnapshotEveryChanges=" + autoSnapshotEveryChanges +
            ", autoSnapshotInterval=" + autoSnapshotInterval + ", snapshotOnClose=" + snapshotOnClose +
            ", shutdownHook=" + shutdownHook + '}';
    }

    /** Builder of {@link StoreOptions}. Not thread safe. Each setter validates its argument at once. */
    public static final class Builder
    {
        private int dimension;
        private int segmentSize = DEFAULT_SEGMENT_SIZE;
        private Durability durability = Durability.ON_SYNC;
        private int writeBufferBytes = DEFAULT_WRITE_BUFFER_BYTES;
        private int writebackBytes = DEFAULT_WRITEBACK_BYTES;
        private RecoveryMode recoveryMode = RecoveryMode.FALLBACK;
        private int maxIdBytes = DEFAULT_MAX_ID_BYTES;
        private int maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES;
        private int maxStateBytes = DEFAULT_MAX_STATE_BYTES;
        private int retainedSnapshots = DEFAULT_RETAINED_SNAPSHOTS;
        private Duration retainedSnapshotAge = DEFAULT_RETAINED_SNAPSHOT_AGE;
        private boolean retentionFromStore;
        private Duration rewindSafetyExpiry = DEFAULT_REWIND_SAFETY_EXPIRY;
        private boolean verifyChecksumsOnRead = true;
        private boolean preallocate;
        private boolean readOnly;
        private boolean upgradeFormat;
        private long generation = NEWEST_GENERATION;
        private long checkpointRecords = DEFAULT_CHECKPOINT_RECORDS;
        private long checkpointIndexBytes = DEFAULT_CHECKPOINT_INDEX_BYTES;
        private long maxResidentIndexBytes = DERIVED_MAX_RESIDENT_INDEX_BYTES;
        private boolean backgroundCompaction = true;
        private double compactionDeadFraction = DEFAULT_COMPACTION_DEAD_FRACTION;
        private double compactionLiveFraction = DEFAULT_COMPACTION_LIVE_FRACTION;
        private double indexCompactionRatio = DEFAULT_INDEX_COMPACTION_RATIO;
        private long indexCompactionMinBytes = DEFAULT_INDEX_COMPACTION_MIN_BYTES;
        private long autoSnapshotEveryChanges = NO_AUTO_SNAPSHOT_CHANGES;
        private Duration autoSnapshotInterval = Duration.ZERO;
        private Duration snapshotOnClose = Duration.ZERO;
        private boolean shutdownHook;

        private Builder()
        {
        }

        /**
         * Sets the dimension of the store's sparse vectors.
         *
         * @param dimension exclusive upper bound of indices, at least 1; required to create a store.
         * @return this builder.
         */
        public Builder dimension(final int dimension)
        {
            if (dimension < 1)
            {
                throw new IllegalArgumentException("dimension must be at least 1, was " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /**
         * Sets the largest size of a segment file.
         *
         * @param bytes the largest size of a segment file, a multiple of 4096 in [64 KiB, 1 GiB] (default 64 MiB); it
         *              bounds the largest record. A store's first segment is 64 KiB and each new one twice the one
         *              before it, up to this size (and always large enough for the record that starts it).
         * @return this builder.
         */
        public Builder segmentSize(final int bytes)
        {
            if (bytes < MIN_SEGMENT_SIZE || bytes > MAX_SEGMENT_SIZE || (bytes & 4095) != 0)
            {
                throw new IllegalArgumentException("segmentSize must be a multiple of 4096 between " +
                    MIN_SEGMENT_SIZE + " and " + MAX_SEGMENT_SIZE + ", was " + bytes);
            }
            this.segmentSize = bytes;
            return this;
        }

        /**
         * Sets what a write's return promises about a crash.
         *
         * @param durability when a write becomes durable and what a crash may lose (default {@code ON_SYNC}).
         * @return this builder.
         */
        public Builder durability(final Durability durability)
        {
            this.durability = java.util.Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Sets the size of the write buffer.
         *
         * @param bytes the size of the write buffer, a multiple of 4096 in [64 KiB, 64 MiB] (default 256 KiB), off
         *              the heap. With {@link Durability#BUFFERED} it bounds what a crash of the process may lose;
         *              a {@link MemoryStore#write(WriteBatch) batch} hands its records to the file in writes of
         *              this size.
         * @return this builder.
         */
        public Builder writeBufferBytes(final int bytes)
        {
            if (bytes < MIN_WRITE_BUFFER_BYTES || bytes > MAX_WRITE_BUFFER_BYTES || (bytes & 4095) != 0)
            {
                throw new IllegalArgumentException("writeBufferBytes must be a multiple of 4096 between " +
                    MIN_WRITE_BUFFER_BYTES + " and " + MAX_WRITE_BUFFER_BYTES + ", was " + bytes);
            }
            this.writeBufferBytes = bytes;
            return this;
        }

        /**
         * Sets how often a thread of the store writes the log back to the disk ahead of the next snapshot: each time
         * this many bytes were appended, it flushes the segment they went to (fdatasync), as RocksDB's
         * {@code bytes_per_sync} does. A snapshot or {@link MemoryStore#sync()} then flushes only the bytes that came
         * after, so its time follows those rather than everything written since the last one; the disk writes each
         * byte once either way. The same thread flushes each segment once the log has rolled past it, so that a sync
         * or snapshot after a run of rolls flushes the tail alone rather than each segment in turn. It changes no
         * guarantee: a write is durable after the next sync or snapshot, and a power cut may keep more of the log
         * than that (a prefix, which recovery replays). Ignored with
         * {@link Durability#EVERY_WRITE}, which flushes every write.
         *
         * @param bytes at least 4096, or 0 for no write-back (default 1 MiB).
         * @return this builder.
         */
        public Builder writebackBytes(final int bytes)
        {
            if (bytes != 0 && bytes < 4096)
            {
                throw new IllegalArgumentException("writebackBytes must be 0 (off) or at least 4096, was " + bytes);
            }
            this.writebackBytes = bytes;
            return this;
        }

        /**
         * How an open treats damage (see {@link RecoveryMode}).
         *
         * @param recoveryMode the mode.
         * @return this builder.
         */
        public Builder recoveryMode(final RecoveryMode recoveryMode)
        {
            this.recoveryMode = java.util.Objects.requireNonNull(recoveryMode, "recoveryMode");
            return this;
        }

        /**
         * Sets the longest id of an entry or name of a state.
         *
         * @param bytes longest id in UTF-8 bytes, 1 to 65535.
         * @return this builder.
         */
        public Builder maxIdBytes(final int bytes)
        {
            if (bytes < 1 || bytes > ID_BYTES_LIMIT)
            {
                throw new IllegalArgumentException("maxIdBytes must be in [1, " + ID_BYTES_LIMIT + "], was " + bytes);
            }
            this.maxIdBytes = bytes;
            return this;
        }

        /**
         * Sets the largest metadata of an entry.
         *
         * @param bytes largest metadata of one entry, 0 to 16 MiB.
         * @return this builder.
         */
        public Builder maxMetadataBytes(final int bytes)
        {
            if (bytes < 0 || bytes > 16 * 1024 * 1024)
            {
                throw new IllegalArgumentException("maxMetadataBytes must be in [0, 16 MiB], was " + bytes);
            }
            this.maxMetadataBytes = bytes;
            return this;
        }

        /**
         * Sets the largest value of a named state.
         *
         * @param bytes largest value of one named state, 0 to 512 MiB (and it must fit in a segment).
         * @return this builder.
         */
        public Builder maxStateBytes(final int bytes)
        {
            if (bytes < 0 || bytes > 512 * 1024 * 1024)
            {
                throw new IllegalArgumentException("maxStateBytes must be in [0, 512 MiB], was " + bytes);
            }
            this.maxStateBytes = bytes;
            return this;
        }

        /**
         * Sets how many of the newest snapshots retention keeps.
         *
         * @param count retention keeps the newest {@code count} snapshots (default 3), at least 2 so that a damaged
         *              newest one has a fallback. Pin commits ({@link MemoryStore#pin}) are snapshots and count too.
         * @return this builder.
         */
        public Builder retainedSnapshots(final int count)
        {
            if (count < MIN_RETAINED_SNAPSHOTS)
            {
                throw new IllegalArgumentException("retainedSnapshots must be at least " + MIN_RETAINED_SNAPSHOTS +
                    ", was " + count);
            }
            this.retainedSnapshots = count;
            return this;
        }

        /**
         * Sets the age under which retention keeps every snapshot.
         *
         * @param age retention also keeps every snapshot created less than {@code age} ago (by the created-at its
         *            manifest records and the writer's clock; a snapshot whose manifest does not validate has no
         *            age). {@link Duration#ZERO} (the default) for no age rule; otherwise at least 1 ms.
         * @return this builder.
         */
        public Builder retainedSnapshotAge(final Duration age)
        {
            java.util.Objects.requireNonNull(age, "retainedSnapshotAge");
            if (age.isNegative() || (!age.isZero() && age.compareTo(Duration.ofMillis(1)) < 0) ||
                age.compareTo(Duration.ofMillis(Long.MAX_VALUE)) > 0)
            {
                throw new IllegalArgumentException("retainedSnapshotAge must be zero (no age rule) or between 1 ms " +
                    "and " + Long.MAX_VALUE + " ms, was " + age);
            }
            this.retainedSnapshotAge = age;
            return this;
        }

        /**
         * Sets whether a writer takes its retention rules from the store instead of these options.
         *
         * @param fromStore a writer applies the retention rules that the store's newest snapshot records (those of
         *                  the writer that committed it) instead of {@link #retainedSnapshots} and
         *                  {@link #retainedSnapshotAge}, which then apply only to a store that records none (a new
         *                  store, or one written before the rules were recorded). Default false. For tools that open
         *                  a store that a service configured, so that they keep what the service keeps.
         * @return this builder.
         */
        public Builder retentionFromStore(final boolean fromStore)
        {
            this.retentionFromStore = fromStore;
            return this;
        }

        /**
         * Sets how long the pin of a rewind's safety snapshot keeps it.
         *
         * @param expiry how long the pin of a rewind's safety snapshot (the state before the rewind, see
         *               {@link MemoryStore#rewind}) keeps it, from the rewind: default 14 days, at least 1 ms.
         * @return this builder.
         */
        public Builder rewindSafetyExpiry(final Duration expiry)
        {
            java.util.Objects.requireNonNull(expiry, "rewindSafetyExpiry");
            if (expiry.compareTo(Duration.ofMillis(1)) < 0 || expiry.compareTo(Duration.ofMillis(Long.MAX_VALUE)) > 0)
            {
                throw new IllegalArgumentException("rewindSafetyExpiry must be between 1 ms and " + Long.MAX_VALUE +
                    " ms, was " + expiry);
            }
            this.rewindSafetyExpiry = expiry;
            return this;
        }

        /**
         * Sets whether reads verify each record's checksum.
         *
         * @param verify check each record's CRC32C on every read (default true; costs ~0.1 ns a byte).
         * @return this builder.
         */
        public Builder verifyChecksumsOnRead(final boolean verify)
        {
            this.verifyChecksumsOnRead = verify;
            return this;
        }

        /**
         * Sets whether a new segment's blocks are allocated when it is created.
         *
         * @param preallocate write zeros through a new segment before using it (default false), so that its blocks are
         *                    allocated when it is created: a full disk is then an exception at a segment's creation
         *                    (a roll, under the write lock, costs a write of the whole segment), and writes into it
         *                    need no space (on file systems that overwrite in place). By default a segment is
         *                    created sparse: its length is set without writing it, it takes the space of what is
         *                    written into it, and a write that finds the disk full fails with
         *                    {@link StoreIoException}, storing nothing (the writes are positional writes, never stores
         *                    into a mapping, so a full disk is never a fault). (The index needs no preallocation: it
         *                    grows only when a checkpoint writes it, and a checkpoint that fails is retried.)
         * @return this builder.
         */
        public Builder preallocate(final boolean preallocate)
        {
            this.preallocate = preallocate;
            return this;
        }

        /**
         * Opens a retained snapshot read-only: no lock is taken, nothing is written, the tail is not replayed, so
         * another process may write to the store at the same time.
         *
         * @param readOnly whether to open the store to read a snapshot only.
         * @return this builder.
         */
        public Builder readOnly(final boolean readOnly)
        {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Sets whether a writer's open upgrades a store of an older major format version.
         *
         * @param upgrade let a writer's open upgrade a store whose newest snapshot an older major format version
         *                wrote (default false: such an open throws {@link FormatUpgradeRequiredException} and changes
         *                nothing). The upgrade is what {@link Migration#migrate} does, made under the open's lock
         *                before recovery: the release that wrote the store cannot open it afterwards. A store of the
         *                current version opens the same either way. Not for read-only opens, which read every
         *                version as it is.
         * @return this builder.
         */
        public Builder upgradeFormat(final boolean upgrade)
        {
            this.upgradeFormat = upgrade;
            return this;
        }

        /**
         * Sets the snapshot a read-only store opens.
         *
         * @param generation the snapshot a read-only store opens, or {@link #NEWEST_GENERATION}.
         * @return this builder.
         */
        public Builder generation(final long generation)
        {
            if (generation < 0 && generation != NEWEST_GENERATION)
            {
                throw new IllegalArgumentException("generation must be >= 0 or NEWEST_GENERATION, was " + generation);
            }
            this.generation = generation;
            return this;
        }

        /**
         * Sets how many records written since the last checkpoint start a background checkpoint of the index.
         *
         * @param records checkpoint the index in the background once this many records were written since the last
         *                checkpoint (default 100,000). Smaller: faster opens, more background index writes, and less
         *                off-heap memory: the index pages created since the last checkpoint stay in direct memory
         *                of the process until it writes them, at most about one 4 KiB page per record written
         *                since (far less when records touch the same pages: about 20 MB at 1M entries with the
         *                default), plus up to 12 MiB the writer keeps in reserve; {@link #checkpointIndexBytes}
         *                checkpoints earlier and {@link #maxResidentIndexBytes} bounds it. Direct memory counts
         *                against {@code -XX:MaxDirectMemorySize} (by default the heap's maximum).
         * @return this builder.
         */
        public Builder checkpointRecords(final long records)
        {
            if (records < 1)
            {
                throw new IllegalArgumentException("checkpointRecords must be at least 1, was " + records);
            }
            this.checkpointRecords = records;
            return this;
        }

        /**
         * Sets how many bytes of index pages waiting for a checkpoint start a background checkpoint.
         *
         * @param bytes also checkpoint the index in the background, before {@link #checkpointRecords} records, once
         *              the index pages created since the last checkpoint (held in direct memory until it writes them)
         *              reach this many bytes (default 64 MiB, at least 1 MiB), checked every 100 ms, for stores whose
         *              index is too large for {@code checkpointRecords} random changes to fit in it. The hard bound
         *              on that memory is {@link #maxResidentIndexBytes}.
         * @return this builder.
         */
        public Builder checkpointIndexBytes(final long bytes)
        {
            if (bytes < MIN_CHECKPOINT_INDEX_BYTES)
            {
                throw new IllegalArgumentException("checkpointIndexBytes must be at least " +
                    MIN_CHECKPOINT_INDEX_BYTES + ", was " + bytes);
            }
            this.checkpointIndexBytes = bytes;
            return this;
        }

        /**
         * Sets the most direct memory the index pages waiting for a checkpoint may hold.
         *
         * @param bytes the most direct memory the index pages waiting for a checkpoint may hold: at least 16 MiB, or
         *              {@link #DERIVED_MAX_RESIDENT_INDEX_BYTES} (the default) for twice
         *              {@link #checkpointIndexBytes} plus 12 MiB, but at most half the JVM's direct-memory limit
         *              ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum). A writer that would go past
         *              it waits for a checkpoint to write them, and gets {@link IndexMemoryFullException} (nothing
         *              written) if that checkpoint fails. The background thread checkpoints once the pages reach the
         *              smaller of {@code checkpointIndexBytes} and two thirds of this limit less 12 MiB. An open refuses a
         *              limit that is not below the JVM's; stores in one JVM share that, so set their limits to fit
         *              in it together.
         * @return this builder.
         */
        public Builder maxResidentIndexBytes(final long bytes)
        {
            if (bytes != DERIVED_MAX_RESIDENT_INDEX_BYTES && bytes < MIN_MAX_RESIDENT_INDEX_BYTES)
            {
                throw new IllegalArgumentException("maxResidentIndexBytes must be at least " +
                    MIN_MAX_RESIDENT_INDEX_BYTES + " (or DERIVED_MAX_RESIDENT_INDEX_BYTES), was " + bytes);
            }
            this.maxResidentIndexBytes = bytes;
            return this;
        }

        /**
         * Sets whether the store compacts segments on a background thread.
         *
         * @param background compact segments on a background thread of the store (default true; a read-only store
         *                   never does). Compaction copies the live records of sealed segments to the tail of the
         *                   log (each copy takes a sequence number) and repoints the index, in batches under the
         *                   write lock; the files are deleted once no retained snapshot or reader needs them.
         *                   {@link MemoryStore#compact()} compacts on demand either way.
         * @return this builder.
         */
        public Builder backgroundCompaction(final boolean background)
        {
            this.backgroundCompaction = background;
            return this;
        }

        /**
         * Sets the share of dead bytes at which background compaction starts.
         *
         * @param fraction background compaction starts once the dead bytes it could free (sealed segments' bytes not
         *                 taken by records still needed) exceed this share of the bytes of the segments that hold
         *                 something to keep, and goes on until they no longer do. Writers wait for it while the waste
         *                 (those dead bytes, and the segment files compaction emptied that wait for their deletion)
         *                 exceeds 1.5 times this share of every segment file's bytes (docs/format.md, "Space"). In
         *                 (0, 1), default 0.10. Lower: less disk, more copying.
         * @return this builder.
         */
        public Builder compactionDeadFraction(final double fraction)
        {
            if (!(fraction > 0 && fraction < 1))
            {
                throw new IllegalArgumentException("compactionDeadFraction must be in (0, 1), was " + fraction);
            }
            this.compactionDeadFraction = fraction;
            return this;
        }

        /**
         * Sets which segments compaction copies, by the share of the file their records still need.
         *
         * @param fraction only segments whose records still needed take less than this share of the file are
         *                 compacted, the emptiest first: in (0, 1], default 0.75 (copying at most three bytes for
         *                 each byte freed).
         * @return this builder.
         */
        public Builder compactionLiveFraction(final double fraction)
        {
            if (!(fraction > 0 && fraction <= 1))
            {
                throw new IllegalArgumentException("compactionLiveFraction must be in (0, 1], was " + fraction);
            }
            this.compactionLiveFraction = fraction;
            return this;
        }

        /**
         * Sets how far the index file may outgrow the pages it needs before a new one is written.
         *
         * @param ratio the background thread writes a new index file (a new generation holding only the pages the
         *              newest checkpoint reaches, at the same page numbers; see docs/format.md) once the current one
         *              holds more than this many times the pages that new file would hold, and at least
         *              {@link #indexCompactionMinBytes} (default 1.5, at least 1.5; {@code Double.POSITIVE_INFINITY}
         *              never). Copy-on-write leaves a superseded copy of each page a checkpoint saw changed, so
         *              without it the index file only grows. Smaller: less disk, more copying (each new file writes
         *              the live index once more).
         * @return this builder.
         */
        public Builder indexCompactionRatio(final double ratio)
        {
            if (!(ratio >= MIN_INDEX_COMPACTION_RATIO))
            {
                throw new IllegalArgumentException("indexCompactionRatio must be at least " +
                    MIN_INDEX_COMPACTION_RATIO + " (or Double.POSITIVE_INFINITY for never), was " + ratio);
            }
            this.indexCompactionRatio = ratio;
            return this;
        }

        /**
         * Sets the size below which the index file is never replaced.
         *
         * @param bytes the index file is never replaced by a new one while it is smaller (default 16 MiB, >= 0).
         * @return this builder.
         */
        public Builder indexCompactionMinBytes(final long bytes)
        {
            if (bytes < 0)
            {
                throw new IllegalArgumentException("indexCompactionMinBytes must be at least 0, was " + bytes);
            }
            this.indexCompactionMinBytes = bytes;
            return this;
        }

        /**
         * Takes a snapshot from a background thread once this many changes (puts, deletes that found something,
         * state puts and state deletes) were made since the last snapshot, whoever took it. With
         * {@link #autoSnapshotInterval} too, a snapshot is due when either condition holds. A writable store with
         * either option runs one daemon thread for them, named {@code memsnap-snapshot <directory name>}, and stops
         * it at close. Changes replayed at open count: a store reopened after a crash with this many unsnapshotted
         * changes takes a snapshot at once.
         *
         * <p>A writer only compares its sequence number with the last snapshot's and, once in this many changes,
         * wakes the thread; it never waits for a snapshot. The thread takes one snapshot at a time, never beside
         * another ({@link MemoryStore#snapshot} and the automatic ones are serialised, and the thread looks again
         * after a snapshot it waited for). Each automatic snapshot carries the label {@value SnapshotTrigger#LABEL}
         * (see {@link SnapshotTrigger}). A failed one is logged (a WARNING of the {@code System.Logger} named
         * {@code io.memsnap}), counted in {@link MemoryStore#stats()}, and retried after 1 s, then 2 s, doubling up
         * to 5 minutes between attempts, until a snapshot succeeds.
         *
         * @param changes at least 1, or {@link #NO_AUTO_SNAPSHOT_CHANGES} for none (the default).
         * @return this builder.
         */
        public Builder autoSnapshotEveryChanges(final long changes)
        {
            if (changes < 0)
            {
                throw new IllegalArgumentException("autoSnapshotEveryChanges must be at least 1, or " +
                    "NO_AUTO_SNAPSHOT_CHANGES (0) for none, was " + changes);
            }
            this.autoSnapshotEveryChanges = changes;
            return this;
        }

        /**
         * Takes a snapshot from a background thread once this long has passed since the last snapshot (or since the
         * open, if none was taken since) and something changed since it: an unchanged store is never snapshotted
         * again, and a change made after a quiet period longer than this is snapshotted at once. No change waits
         * longer than about this for a snapshot, unless snapshots fail. Measured with {@link System#nanoTime()}, so
         * a change of the wall clock does not move it. See {@link #autoSnapshotEveryChanges} for the thread,
         * failures and retries.
         *
         * @param interval positive, or {@link Duration#ZERO} for none (the default).
         * @return this builder.
         */
        public Builder autoSnapshotInterval(final Duration interval)
        {
            this.autoSnapshotInterval = positiveOrZero(interval, "autoSnapshotInterval");
            return this;
        }

        /**
         * Makes {@link MemoryStore#close()} take a snapshot, labelled {@value SnapshotTrigger#LABEL}{@code =close},
         * if anything changed since the last one. It is taken after close has refused new calls and waited for
         * those running, so it holds every write that returned before close. If it has not committed within
         * {@code deadline}, it is abandoned at its next step (a flush of one segment, or the commit of the
         * manifest, which is never cut short): the previous snapshot stays the newest, close still makes every
         * write durable as it always does (the next open replays them), and a WARNING says so. A snapshot that fails
         * is logged the same way and does not make close throw.
         *
         * @param deadline positive, or {@link Duration#ZERO} for no snapshot at close (the default).
         * @return this builder.
         */
        public Builder snapshotOnClose(final Duration deadline)
        {
            this.snapshotOnClose = positiveOrZero(deadline, "snapshotOnClose");
            return this;
        }

        private static Duration positiveOrZero(final Duration duration, final String name)
        {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative())
            {
                throw new IllegalArgumentException(name + " must be positive, or Duration.ZERO for none, was " +
                    duration);
            }
            return duration;
        }

        /**
         * Registers a JVM shutdown hook at open that closes the store when the JVM shuts down (SIGTERM, SIGINT,
         * {@code System.exit}; not SIGKILL), with a snapshot as {@link #snapshotOnClose} takes one, labelled
         * {@value SnapshotTrigger#LABEL}{@code =shutdown}, within {@link #snapshotOnClose}'s deadline or, when that is
         * not set, {@link #DEFAULT_SHUTDOWN_SNAPSHOT_DEADLINE}. {@link MemoryStore#close()} removes the hook (it
         * cannot once the JVM is shutting down; the hook then finds the store closed). Off by default. Threads still
         * writing while the hook runs may get {@link StoreClosedException}.
         *
         * @param shutdownHook whether SIGTERM closes the store.
         * @return this builder.
         */
        public Builder shutdownHook(final boolean shutdownHook)
        {
            this.shutdownHook = shutdownHook;
            return this;
        }

        /** {@return the options, checked.} */
        public StoreOptions build()
        {
            if (generation != NEWEST_GENERATION && !readOnly)
            {
                throw new IllegalArgumentException("a generation other than the newest can only be opened readOnly");
            }
            if (upgradeFormat && readOnly)
            {
                throw new IllegalArgumentException("upgradeFormat is for a writer: a read-only open reads every " +
                    "format version as it is and changes nothing");
            }
            return new StoreOptions(this);
        }
    }
}
