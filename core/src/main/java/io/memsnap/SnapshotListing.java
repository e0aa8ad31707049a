package io.memsnap;

import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.Pin;
import io.memsnap.internal.snapshot.PinSet;
import io.memsnap.internal.snapshot.RetainedSnapshots;
import io.memsnap.internal.snapshot.RetentionDecision;
import io.memsnap.internal.snapshot.RetentionExtension;
import io.memsnap.internal.snapshot.RetentionPolicy;
import io.memsnap.internal.snapshot.TimelineExtension;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@link SnapshotInfo}s of the snapshots a store retains, each with why retention keeps it: under a writer's
 * rules and pins, or, for a read-only store, those the newest snapshot on disk records (the rules of the reader's
 * options where it records none). Thread safe: stateless.
 */
final class SnapshotListing
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

    private SnapshotListing()
    {
    }

    /**
     * @param writer the writer's retention (its rules and pins), or null for a read-only store.
     * @return the retained snapshots that validate, newest first.
     */
    static List<SnapshotInfo> list(final Path dir, final ManifestStore manifests, final StoreOptions options,
        final RetainedSnapshots writer, final long nowMillis)
    {
        final List<Manifest> valid = new ArrayList<>();
        final SortedMap<Long, Long> createdAt = new TreeMap<>();
        try
        {
            for (final long generation : manifests.generations())
            {
                try
                {
                    final Manifest m = manifests.read(generation);
                    valid.add(m);
                    createdAt.put(generation, m.createdAtMillis);
                }
                catch (final CorruptStoreException ex)
                {
                    createdAt.put(generation, RetentionPolicy.UNKNOWN_CREATED_AT);
                    LOG.log(System.Logger.Level.DEBUG, "skipping snapshot " + generation + ": " + ex.getMessage());
                }
                catch (final NoSuchFileException ex)
                {
                    LOG.log(System.Logger.Level.DEBUG, "skipping snapshot " + generation + ": " + ex.getMessage());
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StoreIoException("could not list snapshots of " + dir, ex);
        }
        final RetainedSnapshots retention;
        if (writer != null)
        {
            retention = new RetainedSnapshots(writer.policy(), createdAt, writer.pins());
        }
        else if (!valid.isEmpty())
        {
            final Manifest newest = valid.get(0);
            final Path file = manifests.path(newest.generation);
            final RetentionPolicy recorded = RetentionExtension.policy(newest, file);
            retention = new RetainedSnapshots(recorded == null ? RetentionPolicy.of(options) : recorded, createdAt,
                RetentionExtension.pins(newest, file));
        }
        else
        {
            return List.of();
        }
        final RetentionDecision decision = retention.decide(nowMillis);
        final List<SnapshotInfo> infos = new ArrayList<>(valid.size());
        for (final Manifest m : valid)
        {
            infos.add(info(m, decision, retention.pins(), nowMillis));
        }
        return infos;
    }

    /** {@return what {@code m} holds, for a snapshot that retention no longer keeps.} */
    static SnapshotInfo unretained(final Manifest m)
    {
        return new SnapshotInfo(m.generation, m.lastSequence, m.createdAtMillis, m.entryCount, m.stateCount,
            m.bytesFlushed, m.durationNanos, m.labels, m.checkpoint.lastSequence, List.of(), null, null,
            timeline(m));
    }

    /** {@return what {@code m} holds, and why {@code decision} keeps it.} */
    static SnapshotInfo info(final Manifest m, final RetentionDecision decision, final PinSet pins,
        final long nowMillis)
    {
        final Pin pin = pins.get(m.generation);
        final boolean pinned = pin != null && pin.liveAt(nowMillis);
        return new SnapshotInfo(m.generation, m.lastSequence, m.createdAtMillis, m.entryCount, m.stateCount,
            m.bytesFlushed, m.durationNanos, m.labels, m.checkpoint.lastSequence, decision.reasons(m.generation),
            pinned ? pin.label : null, pinned && pin.expires() ? Instant.ofEpochMilli(pin.expiresAtMillis) : null,
            timeline(m));
    }

    /** {@return the timeline {@code m} records (checksummed with it: a malformed one is damage).} */
    private static long timeline(final Manifest m)
    {
        return TimelineExtension.read(m, null).id;
    }
}
