package io.memsnap.cloud;

import io.memsnap.cloud.internal.Part;
import io.memsnap.cloud.internal.RemoteManifest;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Retention of the snapshots pushed to a prefix, like a store's: a remote snapshot is kept when it is one of the
 * newest {@link Rules#keepLast} (the newest always), younger than {@link Rules#keepYoungerThan} (by when the store
 * took it), or pinned ({@link #pin}) with its pin not expired. {@link #prune} works in two steps so that a restore
 * or a follower that already read a manifest finishes: a snapshot no rule keeps is first <em>retired</em> (a marker
 * {@code retired/G}: listings, restores and followers no longer offer it, its objects stay); once it has been retired
 * for {@link Rules#grace}, its manifest is deleted with every data object no other manifest needs. A data object
 * no manifest names (left by a push killed before its commit) is deleted once it is older than the grace period too,
 * so a push still running keeps what it uploaded.
 *
 * <p>Thread safe: stateless between calls; run one prune at a time on a prefix (two at once delete nothing the other
 * keeps, but may both try the same deletions).
 */
public final class RemoteRetention
{
    private static final long NO_EXPIRY = -1;

    private final RemoteStore remote;

    public RemoteRetention(final RemoteStore remote)
    {
        this.remote = remote;
    }

    /**
     * Pins a remote snapshot: no prune retires it while the pin holds.
     *
     * @param keepFor how long, or null for until {@link #unpin}.
     * @throws RemoteNotFoundException if there is no such remote generation.
     */
    public void pin(final long generation, final String label, final Duration keepFor)
    {
        if (!remote.generations().contains(generation))
        {
            throw new RemoteNotFoundException("no remote generation " + generation + " under " + remote.location() +
                " to pin");
        }
        final long expires = keepFor == null ? NO_EXPIRY : System.currentTimeMillis() + keepFor.toMillis();
        remote.put(RemoteManifestDescriptor.generationKey(RemoteManifestDescriptor.PINS, generation),
            (expires + " " + label).getBytes(StandardCharsets.UTF_8));
    }

    /** @return whether the snapshot was pinned. */
    public boolean unpin(final long generation)
    {
        final String key = RemoteManifestDescriptor.generationKey(RemoteManifestDescriptor.PINS, generation);
        final boolean pinned = remote.exists(key);
        remote.delete(key);
        return pinned;
    }

    /** Retires what no rule keeps, and deletes what was retired at least the grace period ago. */
    public PruneResult prune(final Rules rules)
    {
        final long now = System.currentTimeMillis();
        final Map<Long, Long> retiredAt = retiredAt();
        final List<RemoteManifest> live = new ArrayList<>();
        final List<RemoteManifest> expired = new ArrayList<>();
        final List<Long> generations = new ArrayList<>();
        for (final String key : remote.list(RemoteManifestDescriptor.SNAPSHOTS))
        {
            final long g = RemoteManifestDescriptor.parseSnapshotKey(key);
            if (g > 0)
            {
                generations.add(g);
            }
        }
        final Set<Long> pinned = pinned(now);
        int kept = 0;
        final List<Long> retiredNow = new ArrayList<>();
        for (int i = generations.size() - 1; i >= 0; i--)
        {
            final long g = generations.get(i);
            final RemoteManifest m = remote.manifest(g);
            if (m == null)
            {
                continue;
            }
            final Long at = retiredAt.get(g);
            if (at == null)
            {
                final boolean keep = kept < rules.keepLast || pinned.contains(g) ||
                    rules.keepYoungerThan != null && m.createdAtMillis > now - rules.keepYoungerThan.toMillis();
                kept++;
                if (!keep)
                {
                    remote.put(RemoteManifestDescriptor.generationKey(RemoteManifestDescriptor.RETIRED, g),
                        Long.toString(now).getBytes(StandardCharsets.UTF_8));
                    retiredNow.add(g);
                }
                live.add(m); // retired or not, its objects stay for the grace period
            }
            else if (at <= now - rules.grace.toMillis())
            {
                expired.add(m);
            }
            else
            {
                live.add(m);
            }
        }
        final Set<String> needed = new HashSet<>();
        for (final RemoteManifest m : live)
        {
            for (final Part p : m.parts)
            {
                needed.add(p.key());
            }
        }
        final List<Long> deletedSnapshots = new ArrayList<>();
        for (final RemoteManifest m : expired)
        {
            remote.delete(RemoteManifestDescriptor.snapshotKey(m.generation));
            remote.delete(RemoteManifestDescriptor.generationKey(RemoteManifestDescriptor.RETIRED, m.generation));
            remote.delete(RemoteManifestDescriptor.generationKey(RemoteManifestDescriptor.PINS, m.generation));
            deletedSnapshots.add(m.generation);
        }
        long deletedBytes = 0;
        int deletedObjects = 0;
        final Instant old = Instant.ofEpochMilli(now - rules.grace.toMillis());
        for (final RemoteObject o : remote.listObjects(RemoteManifestDescriptor.DATA))
        {
            if (!needed.contains(o.key()) && !o.lastModified().isAfter(old))
            {
                remote.delete(o.key());
                deletedBytes += o.size();
                deletedObjects++;
            }
        }
        return new PruneResult(retiredNow, deletedSnapshots, deletedObjects, deletedBytes);
    }

    private Map<Long, Long> retiredAt()
    {
        final Map<Long, Long> at = new HashMap<>();
        for (final String key : remote.list(RemoteManifestDescriptor.RETIRED))
        {
            final byte[] bytes = remote.get(key);
            if (bytes != null)
            {
                at.put(RemoteManifestDescriptor.parseGenerationKey(key, RemoteManifestDescriptor.RETIRED),
                    Long.parseLong(new String(bytes, StandardCharsets.UTF_8).trim()));
            }
        }
        return at;
    }

    private Set<Long> pinned(final long now)
    {
        final Set<Long> pinned = new HashSet<>();
        for (final String key : remote.list(RemoteManifestDescriptor.PINS))
        {
            final byte[] bytes = remote.get(key);
            if (bytes == null)
            {
                continue;
            }
            final String text = new String(bytes, StandardCharsets.UTF_8);
            final long expires = Long.parseLong(text.substring(0, text.indexOf(' ')));
            if (expires == NO_EXPIRY || expires > now)
            {
                pinned.add(RemoteManifestDescriptor.parseGenerationKey(key, RemoteManifestDescriptor.PINS));
            }
        }
        return pinned;
    }

    /** What a prune keeps, and how long it waits before it deletes. Thread safe: immutable. */
    public static final class Rules
    {
        /** The default grace period: longer than a restore or a push of a large store takes. */
        public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

        private final int keepLast;
        private final Duration keepYoungerThan;
        private final Duration grace;

        /**
         * @param keepLast        the newest to keep, at least 1.
         * @param keepYoungerThan keep those younger than this too, or null for no age rule.
         * @param grace           how long a retired snapshot's objects stay.
         */
        public Rules(final int keepLast, final Duration keepYoungerThan, final Duration grace)
        {
            if (keepLast < 1)
            {
                throw new IllegalArgumentException("keep at least the newest remote snapshot, not " + keepLast);
            }
            this.keepLast = keepLast;
            this.keepYoungerThan = keepYoungerThan;
            this.grace = Objects.requireNonNull(grace, "grace");
        }

        @Override
        public String toString()
        {
            return "keep the newest " + keepLast + (keepYoungerThan == null ? "" : ", those younger than " +
                keepYoungerThan) + " and the pinned; delete " + grace + " after retiring";
        }
    }
}
