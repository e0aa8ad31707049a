package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The snapshots a writer keeps on disk: each manifest's generation and created-at, the pins the last committed
 * manifest records, and the rules that decide what stays. The one place that says which generations are retained
 * ({@link #generations()}). Thread safe: immutable; each commit and delete gives a new value.
 *
 * <p><b>Recycling.</b> A commit may reuse the file of a manifest that retention drops once it is committed (see
 * {@link ManifestStore#commit}), never that of a kept one: the candidate is the oldest manifest on disk that the last
 * committed manifest does not pin (expired pins included), and only when retention drops it and at least two newer
 * manifests that validate stay while it is overwritten. That is the file {@link ManifestStore#isAbandonedRecycle}
 * looks for after a power loss tore the overwrite.
 */
public final class RetainedSnapshots
{
    /** What one commit records and what retention does after it. Immutable. */
    public static final class Commit
    {
        /** The pins the new manifest records. */
        public final PinSet pins;
        /** What retention keeps and drops once the new manifest is committed (it included). */
        public final RetentionDecision decision;

        Commit(final PinSet pins, final RetentionDecision decision)
        {
            this.pins = pins;
            this.decision = decision;
        }
    }

    private final RetentionPolicy policy;
    private final SortedMap<Long, Long> createdAt;
    private final PinSet pins;

    /**
     * @param createdAt every manifest on disk: generation and created-at ({@link RetentionPolicy#UNKNOWN_CREATED_AT}
     *                  if it does not validate).
     * @param pins      the pins the newest manifest records.
     */
    public RetainedSnapshots(final RetentionPolicy policy, final Map<Long, Long> createdAt, final PinSet pins)
    {
        this.policy = policy;
        this.createdAt = Collections.unmodifiableSortedMap(new TreeMap<>(createdAt));
        this.pins = pins;
    }

    /**
     * Reads the created-at of each manifest listed: {@link RetentionPolicy#UNKNOWN_CREATED_AT} for one that does not
     * validate; one that is gone, or holds a newer generation than its name (an interrupted recycle of a store written
     * before 4.0), is left out.
     */
    public static SortedMap<Long, Long> readCreatedAt(final ManifestStore manifests, final List<Long> generations)
        throws IOException
    {
        final SortedMap<Long, Long> createdAt = new TreeMap<>();
        for (final long generation : generations)
        {
            try
            {
                createdAt.put(generation, manifests.read(generation).createdAtMillis);
            }
            catch (final CorruptStoreException | IncompatibleFormatException ex)
            {
                createdAt.put(generation, RetentionPolicy.UNKNOWN_CREATED_AT);
            }
            catch (final NoSuchFileException ex)
            {
                // Not a snapshot of this name.
            }
        }
        return createdAt;
    }

    public RetentionPolicy policy()
    {
        return policy;
    }

    /** @return the pins the last committed manifest records (some may have expired since). */
    public PinSet pins()
    {
        return pins;
    }

    /** @return the generations of the manifests on disk, newest first. */
    public List<Long> generations()
    {
        final List<Long> newestFirst = new ArrayList<>(createdAt.keySet());
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    public boolean contains(final long generation)
    {
        return createdAt.containsKey(generation);
    }

    /** @return what retention keeps, and why, at {@code nowMillis}. */
    public RetentionDecision decide(final long nowMillis)
    {
        return policy.decide(createdAt, pins, nowMillis);
    }

    /**
     * @return the pins the manifest of {@code generation} records: those of the last committed manifest that are
     * still live at {@code nowMillis} and on disk, changed by {@code edit}.
     * @throws IllegalStateException from the edit, if it would add one pin too many.
     */
    public PinSet carry(final PinEdit edit, final long generation, final long nowMillis)
    {
        final Set<Long> onDisk = new HashSet<>(createdAt.keySet());
        onDisk.add(generation);
        return edit.apply(pins.liveAt(nowMillis).within(onDisk), generation);
    }

    /**
     * Plans the commit of a new manifest recording {@code next} (see {@link #carry}): what retention keeps once it is
     * committed.
     */
    public Commit plan(final long generation, final long createdAtMillis, final PinSet next, final long nowMillis)
    {
        final TreeMap<Long, Long> after = new TreeMap<>(createdAt);
        after.put(generation, createdAtMillis);
        return new Commit(next, policy.decide(after, next, nowMillis));
    }

    /** @return the snapshots on disk once the planned manifest is committed. */
    public RetainedSnapshots committed(final Commit commit, final long generation, final long createdAtMillis)
    {
        final TreeMap<Long, Long> after = new TreeMap<>(createdAt);
        after.put(generation, createdAtMillis);
        return new RetainedSnapshots(policy, after, commit.pins);
    }

    /** @return the snapshots on disk once the manifest of {@code generation} is deleted. */
    public RetainedSnapshots deleted(final long generation)
    {
        final TreeMap<Long, Long> after = new TreeMap<>(createdAt);
        after.remove(generation);
        return new RetainedSnapshots(policy, after, pins);
    }

    @Override
    public String toString()
    {
        return "RetainedSnapshots{" + policy + ", createdAt=" + createdAt + ", " + pins + '}';
    }
}
