package io.memsnap;

import io.memsnap.internal.StoreCounts;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentLog;
import io.memsnap.internal.snapshot.CommitCoordinator;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.SnapshotLedger;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads the parts of a store into a {@link StoreStats}, in the order its javadoc promises: the snapshots' figures,
 * then the log's under the write lock, then the index memory. Thread safe: any thread, any number at once.
 */
final class StoreStatsAssembler
{
    private final Path dir;
    private final boolean readOnly;
    private final NanoClock clock;
    private final ReentrantLock writeLock;
    private final StoreCounts counts;
    private final SegmentLog log;
    private final IndexFile indexFile;
    private final long indexLimitBytes;
    private final CommitCoordinator commits;
    private final ManifestStore manifests;
    private final SnapshotLedger ledger;

    /** @param indexLimitBytes the limit of the index's direct memory; 0 for a read-only store. */
    StoreStatsAssembler(final Path dir, final boolean readOnly, final NanoClock clock, final ReentrantLock writeLock,
        final StoreCounts counts, final SegmentLog log, final IndexFile indexFile, final long indexLimitBytes,
        final CommitCoordinator commits, final ManifestStore manifests, final SnapshotLedger ledger)
    {
        this.dir = dir;
        this.readOnly = readOnly;
        this.clock = clock;
        this.writeLock = writeLock;
        this.counts = counts;
        this.log = log;
        this.indexFile = indexFile;
        this.indexLimitBytes = indexLimitBytes;
        this.commits = commits;
        this.manifests = manifests;
        this.ledger = ledger;
    }

    StoreStats assemble()
    {
        final StoreStats.Builder stats = new StoreStats.Builder();
        final SnapshotLedger.View snapshots = ledger.view();
        final long now = clock.nanoTime();
        final Manifest last = snapshots.committed;
        stats.lastSnapshot(last.generation, last.lastSequence, last.durationNanos, snapshots.lastError, retained());
        stats.autoSnapshots(snapshots.autoTaken, snapshots.autoFailed, snapshots.failuresInARow,
            snapshots.failuresInARow == 0 ? 0 : Math.max(0, snapshots.retryAtNanos - now));
        writeLock.lock();
        try
        {
            stats.log(counts.entries(), counts.states(), log.nextSequence() - 1, segmentCount());
        }
        finally
        {
            writeLock.unlock();
        }
        stats.indexMemory(indexFile.directBytes(), indexLimitBytes);
        return stats.build();
    }

    private int segmentCount()
    {
        int count = 0;
        for (final Segment segment : log.segments())
        {
            count += segment == null ? 0 : 1;
        }
        return count;
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
