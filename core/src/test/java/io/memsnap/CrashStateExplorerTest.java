package io.memsnap;

import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.crash.RecordingFileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The crash-state explorer (the idea of ALICE and CrashMonkey): proves that a store recovers from what a power cut
 * can leave, not only from what a SIGKILL leaves ({@link CrashTest}).
 *
 * <p>Each test runs one workload on a small store (64 KiB segments, so they roll often, or segments growing from 64
 * to 256 KiB; background checkpoints and compaction off, so the run is deterministic but for the thread that makes
 * each next segment file ahead of its roll and the write-back thread that flushes each segment the log rolled past,
 * which a workload may wait for) through a {@link RecordingFileSystem}, which
 * records every write, flush, create, rename, delete, truncate, extension and directory sync, and the test's
 * markers: each write issued, each promise the store kept (a {@code sync()}, a {@code snapshot()}, an
 * {@code EVERY_WRITE} put or batch returning). Workloads write one by one and in batches
 * ({@link MemoryStore#write(WriteBatch)}), with each {@link Durability} mode. A {@link CrashExplorer} then
 * replays the journal through a {@link io.memsnap.crash.CrashModel} and, at every persistence point, writes several
 * states a power cut there could leave (what a SIGKILL leaves; only what was flushed; a prefix in order; random 4 KiB
 * blocks; random 512 B sectors; a grown length with zeros; unsynced creates, renames and deletes kept or lost) and
 * opens each: it must open with exactly the oracle's content ({@link StoreHistory}) after its last sequence, that
 * sequence no less than what was acknowledged and no more than what was issued, its newest snapshot, opened
 * read-only, no older than the last snapshot acknowledged, and each snapshot pinned (and not being unpinned) still
 * pinned after the writer's recovery, opening read-only with exactly its writes; or refuse with a typed
 * {@link MemsnapException} that
 * says what to do (never the state a SIGKILL leaves). Anything else thrown fails. For a few sampled states, the
 * recovery itself and writes after it (first the writes the crash lost, made again with the same sizes) are
 * recorded and their crash states explored in turn; after a SIGKILL state, what the killed process never flushed
 * stays at risk there ({@link io.memsnap.crash.CrashModel#fork}).
 *
 * <p>{@link FaultSweepTest} fails the operations themselves, one at a time, instead of cutting the power.
 *
 * <p>Each test prints "explored N states at M persistence points (workload X)"; failures are grouped by kind,
 * with a repro for each: {@code -Dtest=CrashStateExplorerTest#reproduce -Dmemsnap.crash.repro=workload:seed:point}
 * explores that single state again, prints it and keeps its directory. (The journal of a re-run can differ
 * slightly: a new store draws a random hash seed, which moves index pages.)
 *
 * <p>System properties, for a larger run started by hand (the defaults fit {@code mvn verify} on two slow cores):
 * <ul>
 * <li>{@code memsnap.crash.seed}: the seed of the workloads and of every crash state (default fixed, so that a build
 * explores the same states each time; {@code random} draws one; printed either way);</li>
 * <li>{@code memsnap.crash.states}: states per persistence point (default 8: SIGKILL, flushed only, then the random
 * modes in turn, each with its own draw);</li>
 * <li>{@code memsnap.crash.recoveries}: recoveries per workload whose own crash states are explored (default 8,
 * spread over the kinds of {@link RecoverySampler});</li>
 * <li>{@code memsnap.crash.writePoints}: every write is a persistence point too in journals of at most this many
 * writes (default 2000);</li>
 * <li>{@code memsnap.crash.scale}: multiplies the three above (a nightly run, some minutes: {@code
 * -Dtest=CrashStateExplorerTest -Dmemsnap.crash.scale=10 -Dmemsnap.crash.seed=random});</li>
 * <li>{@code memsnap.crash.keep}: keep every crash state's directory (under /dev/shm or java.io.tmpdir);</li>
 * <li>{@code memsnap.crash.journal}: print the journal of each run.</li>
 * </ul>
 */
class CrashStateExplorerTest
{
    private static final String STORE = "store";
    /** Fixed, so that a build explores the same states each time; the nightly run draws its own. */
    private static final long DEFAULT_SEED = 20261206L;
    private static final List<String> SUMMARIES = new ArrayList<>();

    private static CrashSettings settings;
    private static long seed;
    /** Whether a repro ran: its crash states stay on disk for a look. */
    private static boolean reproduced;

    /** Segments of 64 KiB from the first: they roll often. */
    private static final int FIXED = StoreOptions.MIN_SEGMENT_SIZE;
    /** Segments of 64, then 128, then 256 KiB: rolls into segments of each length. */
    private static final int GROWING = 4 * StoreOptions.MIN_SEGMENT_SIZE;

    /** A workload: its options, what it writes, and what it writes after a sampled recovery. */
    enum Workload
    {
        SYNCED_PUTS(true, Durability.ON_SYNC, true, FIXED, 3, 200, w ->
        {
            for (int i = 1; i <= 40; i++)
            {
                w.mixed();
                if (i % 5 == 0)
                {
                    w.sync();
                }
            }
        }),
        EVERY_WRITE(false, Durability.EVERY_WRITE, false, FIXED, 3, 200, w -> w.mixed(25)),
        /**
         * Batches ({@link MemoryStore#write(WriteBatch)}) of up to 45 KB in segments growing from 64 KiB: a batch
         * rolls the log and hands the write buffer off part way; a crash keeps a prefix of each batch.
         */
        BATCHES(false, Durability.ON_SYNC, false, GROWING, 3, 3000, w ->
        {
            for (int i = 1; i <= 8; i++)
            {
                w.batch(5 + 3 * i);
                if (i % 3 == 0)
                {
                    w.snapshot();
                }
                else if (i % 2 == 0)
                {
                    w.sync();
                }
            }
        }),
        /** As BATCHES with EVERY_WRITE: each batch, across the segments it rolled through, durable when it returns. */
        BATCHES_EVERY_WRITE(false, Durability.EVERY_WRITE, false, GROWING, 3, 3000, w ->
        {
            for (int i = 1; i <= 6; i++)
            {
                w.batch(5 + 4 * i);
            }
        }),
        /** Writes with BUFFERED: held in the write buffer until a sync, a snapshot or a roll hands them off. */
        BUFFERED(false, Durability.BUFFERED, false, FIXED, 3, 200, w ->
        {
            for (int i = 1; i <= 40; i++)
            {
                w.mixed();
                if (i % 8 == 0)
                {
                    w.sync();
                }
                if (i == 20)
                {
                    w.batch(10);
                    w.snapshot();
                }
            }
        }),
        SNAPSHOTS(false, Durability.ON_SYNC, true, FIXED, 3, 200, w ->
        {
            for (int i = 0; i < 7; i++)
            {
                w.mixed(6);
                w.snapshot();
            }
        }),
        CHECKPOINTS(false, Durability.ON_SYNC, false, FIXED, 2, 200, w ->
        {
            w.mixed(10);
            w.snapshot();
            w.checkpoint();
            w.mixed(8);
            w.snapshot();
            w.checkpoint();
            w.mixed(6);
            w.sync();
            w.checkpoint();
            w.mixed(4);
            w.snapshot();
        }),
        /**
         * New entries that roll into segments of growing lengths, with syncs and snapshots, waiting now and then for
         * the file of the next segment to be made ahead (by the store's preparer thread) before writing on in the
         * tail: power cuts while a file is prepared, and while the tail fills beside a prepared file.
         */
        ROLLING_SEGMENTS(false, Durability.ON_SYNC, false, GROWING, 3, 3000, w ->
        {
            for (int i = 1; i <= 200; i++)
            {
                w.putNew();
                if (i % 10 == 0)
                {
                    if (i % 20 == 0)
                    {
                        w.awaitWritebackIdle(); // the sync then leaves the segments rolled past to the write-back
                    }
                    w.sync();
                }
                if (i % 100 == 50)
                {
                    w.snapshot();
                }
                if (i % 25 == 0)
                {
                    w.awaitNextSegmentPrepared();
                }
            }
        }),
        DELETES(false, Durability.ON_SYNC, true, FIXED, 2, 200, w ->
        {
            for (int i = 0; i < 20; i++)
            {
                w.putNew();
            }
            w.putState();
            w.putState();
            w.snapshot();
            for (int i = 1; i <= 15; i++)
            {
                if (i % 4 == 0)
                {
                    w.deleteState();
                }
                else
                {
                    w.delete();
                }
                if (i % 5 == 0)
                {
                    w.sync();
                }
            }
            w.snapshot();
        }),
        /**
         * Snapshots among pins and unpins, retention keeping three besides the pinned: commits write the slots of the
         * snapshots retention drops, never a pinned one's; the unpin commit frees the slot of the snapshot it unpinned.
         * Every pinned snapshot must survive each crash state, its recovery and the commits after it.
         */
        PINS(false, Durability.ON_SYNC, true, FIXED, 3, 200, w ->
        {
            for (int i = 0; i < 3; i++)
            {
                w.mixed(4);
                w.snapshot();
            }
            w.pinOldestUnpinned();
            for (int i = 0; i < 2; i++)
            {
                w.mixed(4);
                w.snapshot();
            }
            w.pinOldestUnpinned();
            w.mixed(4);
            w.snapshot();
            w.unpinOldestPinned();
            w.mixed(4);
            w.snapshot();
        }),
        /**
         * Commits into the slots of manifests.mss with two retained and pins: the file grows when every slot holds a
         * snapshot retention keeps, an unpin frees one, and the commits after it write the slots retention dropped.
         * Each commit writes its slot before it flushes its records (the order of a file system that does not flush in
         * parallel), so the explorer cuts the power between the two, leaving the slot durable and the records not, and
         * tears slots at 512-byte sectors. Every pinned snapshot must survive.
         */
        SLOTS(false, Durability.ON_SYNC, true, FIXED, 2, 200, w ->
        {
            for (int i = 0; i < 3; i++)
            {
                w.mixed(4);
                w.snapshot();
            }
            w.pinOldestUnpinned();
            w.mixed(4);
            w.snapshot();
            w.pinOldestUnpinned();
            for (int i = 0; i < 2; i++)
            {
                w.mixed(4);
                w.snapshot();
            }
            w.unpinOldestPinned();
            w.mixed(4);
            w.snapshot();
            w.mixed(3);
        }),
        /**
         * Two rewinds: back to an older snapshot, writes, snapshots, then forward again to the first rewind's safety
         * snapshot, which holds more writes than the timeline rewound from (so that the watermark the rewind records
         * must hold on both timelines). Until a rewind returns, a state may come back on the timeline it left, with
         * every promise of that timeline kept, or on the new one holding exactly the snapshot rewound to; after, on
         * the new one, its safety snapshot pinned and whole.
         */
        REWIND(false, Durability.ON_SYNC, true, FIXED, 3, 200, w ->
        {
            w.mixed(10);
            w.snapshot();
            final SnapshotInfo target = w.store().lastSnapshot();
            w.mixed(8);
            w.sync();
            w.mixed(4);
            w.snapshot();
            w.mixed(6);
            final RewindResult first = w.rewind(target);
            w.mixed(6);
            w.sync();
            w.snapshot();
            w.mixed(4);
            w.rewind(first.safety());
            w.mixed(5);
            w.snapshot();
            w.mixed(3);
        }),
        /**
         * Checkpoints that write a new index file generation almost every time (no least size, a ratio of 1.5), with
         * snapshots that retire the manifests naming the old ones, so that old index files are deleted, and a close.
         */
        INDEX_FILES(false, Durability.ON_SYNC, false, FIXED, 2, 200, w ->
        {
            w.mixed(10);
            w.snapshot();
            for (int i = 0; i < 4; i++)
            {
                w.mixed(6);
                w.checkpoint();
                w.snapshot();
            }
            w.mixed(4);
            w.sync();
            w.checkpoint();
            w.mixed(3);
        })
        {
            @Override
            StoreOptions options()
            {
                return super.options().toBuilder().indexCompactionMinBytes(0)
                    .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).build();
            }
        },
        /**
         * Unsynced writes that roll into a new segment, a close (which makes them durable), then a reopen with
         * EVERY_WRITE. (A reopen after a SIGKILL, over writes never flushed, is what the explorer's recoveries of
         * SIGKILL states cover.)
         */
        REOPEN(false, Durability.ON_SYNC, true, GROWING, 3, 3000, w ->
        {
            w.mixed(12);
            w.sync();
            for (int i = 0; i < 50; i++)
            {
                w.putNew();
            }
            w.reopen(Durability.EVERY_WRITE);
            w.mixed(6);
        }),
        /**
         * Overwrites and deletes over several segments, then a compaction (copies of live entries, states and delete
         * records to the tail, the index repointed), writes after it, and snapshots.
         */
        COMPACTION(false, Durability.ON_SYNC, true, FIXED, 2, 4000, w ->
        {
            for (int i = 0; i < 30; i++)
            {
                w.putNew();
            }
            w.putState();
            for (int i = 0; i < 60; i++)
            {
                w.mixedOverwrites();
            }
            w.snapshot();
            w.compact();
            w.mixed(4);
            w.sync();
            w.snapshot();
        }),
        /**
         * A compaction, then a checkpoint and snapshots that retire every manifest needing the compacted segments:
         * reclamation deletes their files (with directory syncs) while writes go on.
         */
        RECLAIM(false, Durability.ON_SYNC, false, FIXED, 2, 4000, w ->
        {
            for (int i = 0; i < 30; i++)
            {
                w.putNew();
            }
            for (int i = 0; i < 60; i++)
            {
                w.mixedOverwrites();
            }
            w.snapshot();
            w.compact();
            w.snapshot();
            w.mixed(3);
            w.snapshot();
            w.mixed(3);
            w.sync();
        }),
        /**
         * A rewind on a store of overwritten records, then compaction on the new timeline (copies of the target's
         * records out of the old timeline's segments) and snapshots that retire the old timeline's, its safety
         * snapshot unpinned: reclamation deletes the old timeline's segment files while writes go on.
         */
        REWIND_RECLAIM(false, Durability.ON_SYNC, false, FIXED, 2, 4000, w ->
        {
            for (int i = 0; i < 30; i++)
            {
                w.putNew();
            }
            for (int i = 0; i < 30; i++)
            {
                w.mixedOverwrites();
            }
            w.snapshot();
            final SnapshotInfo target = w.store().lastSnapshot();
            for (int i = 0; i < 30; i++)
            {
                w.mixedOverwrites();
            }
            w.rewind(target);
            for (int i = 0; i < 30; i++)
            {
                w.mixedOverwrites();
            }
            w.compact();
            w.unpinOldestPinned();
            w.snapshot();
            w.mixed(3);
            w.snapshot();
            w.mixed(3);
            w.sync();
        });

        /** Whether the store's directory does not exist before the open (which creates it). */
        final boolean createsDirectory;
        final Durability durability;
        final boolean preallocate;
        final int segmentSize;
        final int retained;
        final int metadataBytes;
        final Consumer<CrashWorkload> script;

        Workload(final boolean createsDirectory, final Durability durability, final boolean preallocate,
            final int segmentSize, final int retained, final int metadataBytes, final Consumer<CrashWorkload> script)
        {
            this.createsDirectory = createsDirectory;
            this.durability = durability;
            this.preallocate = preallocate;
            this.segmentSize = segmentSize;
            this.retained = retained;
            this.metadataBytes = metadataBytes;
            this.script = script;
        }

        StoreOptions options()
        {
            return StoreOptions.builder().dimension(CrashWorkload.DIMENSION).segmentSize(segmentSize)
                .durability(durability).writeBufferBytes(StoreOptions.MIN_WRITE_BUFFER_BYTES)
                .preallocate(preallocate).retainedSnapshots(retained)
                .checkpointRecords(Long.MAX_VALUE).checkpointIndexBytes(Long.MAX_VALUE).backgroundCompaction(false)
                .build();
        }

        /** The writes after a sampled recovery: some synced, a snapshot, some left unsynced. */
        static void continuation(final CrashWorkload w)
        {
            w.mixed(4);
            w.sync();
            w.mixed(3);
            w.snapshot();
            w.mixed(2);
        }
    }

    @BeforeAll
    static void setUp()
    {
        settings = CrashSettings.fromSystemProperties();
        final String seedProperty = System.getProperty("memsnap.crash.seed", Long.toString(DEFAULT_SEED));
        seed = seedProperty.equals("random") ? new Random().nextLong() : Long.parseLong(seedProperty);
        System.out.println("CrashStateExplorerTest: seed " + seed + " (-Dmemsnap.crash.seed=" + seed + "), " +
            settings.statesPerPoint + " states per point, " + settings.recoveries + " recoveries per workload, " +
            "crash states under " + settings.scratch);
        // Recovery logs a warning for every torn tail it cuts: thousands of states would flood the output.
        QuietEngineLog.silence();
    }

    @AfterAll
    static void tearDown()
    {
        QuietEngineLog.restore();
        System.out.println("CrashStateExplorerTest summary (seed " + seed + "):");
        SUMMARIES.forEach(s -> System.out.println("  " + s));
        if (!settings.keepStates && !reproduced)
        {
            StoreFiles.deleteTree(settings.scratch);
        }
    }

    @Test
    void syncedPuts() throws IOException
    {
        explore(Workload.SYNCED_PUTS);
    }

    @Test
    void everyWrite() throws IOException
    {
        explore(Workload.EVERY_WRITE);
    }

    @Test
    void batches() throws IOException
    {
        explore(Workload.BATCHES);
    }

    @Test
    void batchesEveryWrite() throws IOException
    {
        explore(Workload.BATCHES_EVERY_WRITE);
    }

    @Test
    void bufferedWrites() throws IOException
    {
        explore(Workload.BUFFERED);
    }

    @Test
    void snapshotsCommitIntoSlots() throws IOException
    {
        explore(Workload.SNAPSHOTS);
    }

    @Test
    void slotsGrowWithPinsAndAreWrittenAgainOnceRetentionDropsTheirSnapshots() throws IOException
    {
        explore(Workload.SLOTS);
    }

    @Test
    void checkpointsBetweenSnapshots() throws IOException
    {
        explore(Workload.CHECKPOINTS);
    }

    @Test
    void rollingSegments() throws IOException
    {
        explore(Workload.ROLLING_SEGMENTS);
    }

    @Test
    void deletes() throws IOException
    {
        explore(Workload.DELETES);
    }

    @Test
    void pinsSurviveWhileRetentionDropsSnapshotsAndCommitsReuseTheirSlots() throws IOException
    {
        explore(Workload.PINS);
    }

    @Test
    void rewinds() throws IOException
    {
        explore(Workload.REWIND);
    }

    @Test
    void everyWriteAfterAReopen() throws IOException
    {
        explore(Workload.REOPEN);
    }

    @Test
    void compaction() throws IOException
    {
        explore(Workload.COMPACTION);
    }

    @Test
    void compactionThenReclamation() throws IOException
    {
        explore(Workload.RECLAIM);
    }

    @Test
    void rewindThenReclamation() throws IOException
    {
        explore(Workload.REWIND_RECLAIM);
    }

    /** @return whether a flush of manifests.mss came before a flush of a segment within one snapshot. */
    private static boolean slotDurableBeforeRecords(final List<io.memsnap.crash.JournalEntry> entries)
    {
        boolean slotForced = false;
        for (final io.memsnap.crash.JournalEntry e : entries)
        {
            if (e.kind == io.memsnap.crash.JournalEntry.Kind.ACKNOWLEDGE_SNAPSHOT)
            {
                slotForced = false;
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.FORCE)
            {
                final String name = e.path.getFileName().toString();
                if (name.equals(io.memsnap.internal.format.ManifestSlotsDescriptor.FILE_NAME))
                {
                    slotForced = true;
                }
                else if (slotForced && name.startsWith("segment-"))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return whether a segment file created before the first rewind began was deleted. */
    private static boolean deletedBeforeRewind(final List<io.memsnap.crash.JournalEntry> entries)
    {
        final java.util.Set<Path> before = new java.util.HashSet<>();
        boolean rewinding = false;
        for (final io.memsnap.crash.JournalEntry e : entries)
        {
            rewinding |= e.kind == io.memsnap.crash.JournalEntry.Kind.REWINDING;
            if (!rewinding && e.kind == io.memsnap.crash.JournalEntry.Kind.CREATE)
            {
                before.add(e.path);
            }
            if (e.kind == io.memsnap.crash.JournalEntry.Kind.DELETE && before.contains(e.path) &&
                e.path.getFileName().toString().startsWith("segment-"))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return whether a segment file was created and synced into its directory before a record (not the header) was
     * written into the segment before it.
     */
    /**
     * @return whether some {@code sync()} acknowledged a segment written since the previous acknowledgement, other than
     * the newest, without flushing it: its one flush after its last write came before the sync began (the
     * write-back's, of a segment the log had rolled past).
     */
    private static boolean syncLeftASealedSegmentToTheWriteback(final List<io.memsnap.crash.JournalEntry> entries)
    {
        final java.util.Map<Integer, Integer> lastWrite = new java.util.HashMap<>();
        final java.util.Map<Integer, Integer> lastForce = new java.util.HashMap<>();
        int previousAck = -1;
        int syncLabel = -1;
        for (int i = 0; i < entries.size(); i++)
        {
            final io.memsnap.crash.JournalEntry e = entries.get(i);
            final int id = e.path == null ? -1 :
                io.memsnap.internal.format.SegmentDescriptor.parseFileName(e.path.getFileName().toString());
            if (e.kind == io.memsnap.crash.JournalEntry.Kind.WRITE && id > 0)
            {
                lastWrite.put(id, i);
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.FORCE && id > 0)
            {
                lastForce.put(id, i);
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.LABEL && "sync".equals(e.text))
            {
                syncLabel = i;
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.ACKNOWLEDGE)
            {
                final int newest = lastWrite.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
                for (final java.util.Map.Entry<Integer, Integer> w : lastWrite.entrySet())
                {
                    final int forced = lastForce.getOrDefault(w.getKey(), -1);
                    if (syncLabel > previousAck && w.getKey() < newest && w.getValue() > previousAck &&
                        forced > w.getValue() && forced < syncLabel)
                    {
                        return true;
                    }
                }
                previousAck = i;
            }
        }
        return false;
    }

    private static boolean madeAhead(final List<io.memsnap.crash.JournalEntry> entries)
    {
        final java.util.Set<Integer> synced = new java.util.HashSet<>();
        final java.util.Set<Integer> created = new java.util.HashSet<>();
        for (final io.memsnap.crash.JournalEntry e : entries)
        {
            final int id = e.path == null ? -1 :
                io.memsnap.internal.format.SegmentDescriptor.parseFileName(e.path.getFileName().toString());
            if (e.kind == io.memsnap.crash.JournalEntry.Kind.CREATE && id > 0)
            {
                created.add(id);
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.SYNC_DIRECTORY)
            {
                synced.addAll(created);
            }
            else if (e.kind == io.memsnap.crash.JournalEntry.Kind.WRITE && id > 0 && synced.contains(id + 1) &&
                e.position >= io.memsnap.internal.format.SegmentDescriptor.HEADER_LENGTH)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void newIndexFilesAndTheDeletionOfOldOnes() throws IOException
    {
        explore(Workload.INDEX_FILES);
    }

    /** Explores one state again: {@code -Dmemsnap.crash.repro=WORKLOAD:SEED:ENTRY:STATE[/ENTRY:STATE]}. */
    @Test
    @EnabledIfSystemProperty(named = "memsnap.crash.repro", matches = ".+")
    void reproduce() throws IOException
    {
        reproduced = true;
        final String[] parts = System.getProperty("memsnap.crash.repro").split(":", 3);
        final CrashTally tally = run(Workload.valueOf(parts[0]), Long.parseLong(parts[1]), settings.keepingStates(),
            CrashTarget.parse(parts[2]));
        System.out.println(tally.summary(0) + "\n" + tally.details());
        assertTrue(tally.states > 0, "no state matched " + parts[2] + ": did the journal change?");
        if (tally.hasFailures())
        {
            fail(tally.details());
        }
    }

    private static void explore(final Workload workload) throws IOException
    {
        final long start = System.nanoTime();
        final CrashTally tally = run(workload, seed, settings, null);
        final String summary = tally.summary(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        System.out.println(summary);
        SUMMARIES.add(summary);
        if (tally.hasFailures())
        {
            System.out.println(tally.details());
            fail(summary + "\n" + tally.details());
        }
        assertTrue(tally.states > tally.points, "fewer states than points: " + summary);
    }

    /** Runs the workload through a recording file system, then explores the journal. */
    private static CrashTally run(final Workload workload, final long seed, final CrashSettings settings,
        final CrashTarget target) throws IOException
    {
        final Path root = Files.createDirectories(settings.scratch.resolve("run-" + workload.name().toLowerCase() +
            "-" + System.nanoTime()));
        if (!workload.createsDirectory)
        {
            Files.createDirectories(root.resolve(STORE));
        }
        final RecordingFileSystem fs = new RecordingFileSystem(root);
        final PreparerWatch preparer = new PreparerWatch();
        final HookedFileSystem watched = new HookedFileSystem(fs);
        watched.hook(preparer);
        final StoreHistory history = new StoreHistory();
        final CrashWorkload driver = new CrashWorkload(watched, fs, history, new Random(seed), workload.metadataBytes);
        driver.watchPreparer(preparer);
        driver.open(root.resolve(STORE), workload.options());
        try
        {
            workload.script.accept(driver);
        }
        finally
        {
            driver.close();
        }
        if (workload == Workload.COMPACTION || workload == Workload.RECLAIM || workload == Workload.REWIND_RECLAIM)
        {
            // What the workloads are there for: records copied, and (RECLAIM, REWIND_RECLAIM) segment files deleted.
            assertTrue(history.writes().stream().anyMatch(w -> w.type == StoreHistory.COPY), workload +
                " copied nothing");
            assertTrue(workload == Workload.COMPACTION || fs.journal().entries().stream().anyMatch(e ->
                e.kind == io.memsnap.crash.JournalEntry.Kind.DELETE &&
                e.path.getFileName().toString().startsWith("segment-")), workload + " deleted no segment file");
            assertTrue(workload != Workload.REWIND_RECLAIM || deletedBeforeRewind(fs.journal().entries()),
                "REWIND_RECLAIM deleted no segment file of the timeline the rewind left");
        }
        if (workload == Workload.ROLLING_SEGMENTS)
        {
            // What the workload is there for: a segment's file made while records still went into the one before.
            assertTrue(madeAhead(fs.journal().entries()), "ROLLING_SEGMENTS made no segment file ahead of its roll");
            assertTrue(syncLeftASealedSegmentToTheWriteback(fs.journal().entries()), "no sync of ROLLING_SEGMENTS " +
                "left a segment the log rolled past to the write-back's flush");
        }
        if (workload == Workload.SNAPSHOTS || workload == Workload.SLOTS)
        {
            assertTrue(slotDurableBeforeRecords(fs.journal().entries()), workload + " never forced a slot before the " +
                "records it names: no state has the slot durable and the records not");
            assertTrue(workload == Workload.SNAPSHOTS || fs.journal().entries().stream().anyMatch(e ->
                e.kind == io.memsnap.crash.JournalEntry.Kind.WRITE && e.path.getFileName().toString().equals(
                io.memsnap.internal.format.ManifestSlotsDescriptor.FILE_NAME) && e.position >=
                io.memsnap.internal.format.ManifestSlotsDescriptor.slotOffset(
                io.memsnap.internal.format.ManifestSlotsDescriptor.INITIAL_SLOTS)), "SLOTS never grew manifests.mss");
        }
        if (workload == Workload.INDEX_FILES)
        {
            // What the workload is there for: a new index file generation written, and an older one deleted.
            final List<io.memsnap.crash.JournalEntry> entries = fs.journal().entries();
            assertTrue(entries.stream().anyMatch(e -> e.kind == io.memsnap.crash.JournalEntry.Kind.CREATE &&
                e.path.getFileName().toString().startsWith("index-")), "INDEX_FILES wrote no new index file");
            assertTrue(entries.stream().anyMatch(e -> e.kind == io.memsnap.crash.JournalEntry.Kind.DELETE &&
                e.path.getFileName().toString().startsWith("index")), "INDEX_FILES deleted no index file");
        }
        if (Boolean.getBoolean("memsnap.crash.journal"))
        {
            final List<io.memsnap.crash.JournalEntry> entries = fs.journal().entries();
            for (int i = 0; i < entries.size(); i++)
            {
                System.out.println(workload + " journal " + i + ": " + entries.get(i));
            }
        }
        final CrashTally tally = new CrashTally(workload.name());
        new CrashExplorer(workload.name(), seed, workload.options(), STORE, history, settings, tally,
            Workload::continuation, workload.metadataBytes).explore(fs.journal(), CrashExplorer.Promises.NONE, "",
            target, null);
        if (!settings.keepStates)
        {
            StoreFiles.deleteTree(root);
        }
        return tally;
    }
}
