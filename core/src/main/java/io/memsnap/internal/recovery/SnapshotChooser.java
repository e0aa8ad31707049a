package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.RecoveryMode;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.snapshot.IndexPlacementExtension;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestSlots;
import io.memsnap.internal.snapshot.ManifestStore;
import io.memsnap.internal.snapshot.NextSlotExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A writer's first step of recovery: the newest snapshot whose manifest and index root validate. Falls back past
 * damage to a snapshot's own files only (its manifest, its index root); damage in the log is not repaired by an
 * older snapshot, which replays the same log. Changes nothing on disk.
 *
 * <p>Not thread safe: runs once, in an open, under the writer lock.
 */
final class SnapshotChooser
{
    private static final System.Logger LOG = EngineLogger.of("io.memsnap.recovery");

    /** The snapshot chosen, and what was passed over. Immutable. */
    static final class Chosen
    {
        final Manifest manifest;
        final IndexFile indexFile;
        final HashIndex index;
        /** Why each newer snapshot was passed over. */
        final List<String> skipped;
        /** Newer generations whose manifest does not validate: damage, which recovery moves aside. */
        final List<Long> damaged;
        /**
         * Generations passed over as never committed: a file that holds no snapshot of its name (an interrupted recycle
         * of a writer before 4.0), or a slot commit whose records did not reach the disk.
         */
        final List<Long> abandoned;

        Chosen(final Manifest manifest, final IndexFile indexFile, final HashIndex index, final List<String> skipped,
            final List<Long> damaged, final List<Long> abandoned)
        {
            this.manifest = manifest;
            this.indexFile = indexFile;
            this.index = index;
            this.skipped = Collections.unmodifiableList(skipped);
            this.damaged = Collections.unmodifiableList(damaged);
            this.abandoned = Collections.unmodifiableList(abandoned);
        }
    }

    private SnapshotChooser()
    {
    }

    /**
     * @param generations the manifests present, newest first (not empty).
     * @throws CorruptStoreException if none validates, or (STRICT) the newest does not.
     */
    static Chosen choose(final StoreFileSystem fs, final Path dir, final ManifestStore manifests,
        final List<Long> generations, final StoreOptions options) throws IOException
    {
        return choose(fs, dir, manifests, generations, options, Set.of());
    }

    /**
     * @param incomplete generations passed over as never committed: a slot commit whose records a power cut kept from
     *                   the disk (see {@link io.memsnap.internal.snapshot.FlushedRanges}); their index pages are left
     *                   untouched all the same.
     */
    static Chosen choose(final StoreFileSystem fs, final Path dir, final ManifestStore manifests,
        final List<Long> generations, final StoreOptions options, final Set<Long> incomplete) throws IOException
    {
        final List<String> skipped = new ArrayList<>();
        final List<Long> damaged = new ArrayList<>();
        final List<Long> abandoned = new ArrayList<>();
        // Index pages that a snapshot tried so far commits, by index file: a fallback replays into pages above those
        // of its own file only, so that a newer snapshot stays whole on disk until the recovery that passes over it
        // succeeds (one in another file is not written to at all).
        final Map<Long, Integer> committedByNewer = new HashMap<>();
        for (final long generation : generations)
        {
            IndexFile indexFile = null;
            try
            {
                final Manifest manifest = readUnlessAbandoned(manifests, generation);
                if (manifest == null)
                {
                    // A manifest file that a recycling snapshot (before 4.0) overwrote for a newer generation when the
                    // process or the machine stopped: never committed under any name, nothing to restore, not damage.
                    abandoned.add(generation);
                    continue;
                }
                final long indexGeneration = manifest.checkpoint.indexFile;
                final int committed = committedByNewer.merge(indexGeneration, manifest.checkpoint.indexPages,
                    Math::max);
                if (incomplete.contains(generation))
                {
                    skipped.add("generation " + generation + ": never committed (its slot reached the disk, the " +
                        "records it names did not)");
                    abandoned.add(generation);
                    continue;
                }
                StoreOpener.checkDimension(manifest, options, manifests.path(generation));
                indexFile = IndexFile.open(fs, dir, indexGeneration, manifest.checkpoint.indexPages, committed,
                    false);
                final HashIndex index = HashIndex.open(indexFile,
                    IndexPlacementExtension.placement(manifest, manifests.path(generation)), manifest.checkpoint.rootPage,
                    manifest.checkpoint.indexPages);
                final String next = nextSlotProblem(manifests, manifest);
                if (next != null)
                {
                    refuseInStrictMode(next, manifests, options);
                    skipped.add(next);
                }
                return new Chosen(manifest, indexFile, index, skipped, damaged, abandoned);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                if (indexFile != null)
                {
                    indexFile.unmapAll();
                }
                if (!(ex instanceof CorruptStoreException))
                {
                    throw ex;
                }
                if (options.recoveryMode() == RecoveryMode.STRICT)
                {
                    throw ex;
                }
                skipped.add("generation " + generation + ": " + ex.getMessage());
                damaged.add(generation);
                LOG.log(System.Logger.Level.WARNING, "snapshot generation {0} of {1} does not validate, " +
                    "falling back to the previous one: {2}", generation, dir, ex.getMessage());
            }
        }
        throw new CorruptStoreException("no snapshot in the store validates (" + String.join("; ", skipped) +
            "); run 'memsnap salvage' to copy the records that still validate into a new store", dir, 0);
    }

    /**
     * @return why the slot {@code chosen} names as the next one does not validate, or null if it does (or is free, or
     * there is none). Only that slot was written after {@code chosen} was committed: a snapshot newer than it, cut
     * short by a power cut (torn) or damaged, was there.
     */
    static String nextSlotProblem(final ManifestStore manifests, final Manifest chosen) throws IOException
    {
        final int next = NextSlotExtension.read(chosen, manifests.path(chosen.generation));
        final ManifestSlots.Slot slot = next == NextSlotExtension.NONE ? null : manifests.slots().read(next);
        if (slot == null || !slot.fails())
        {
            return null;
        }
        return "slot " + next + " of " + manifests.slots().path().getFileName() + ", written after snapshot " +
            chosen.generation + ", does not validate (" + slot.problem + "): " +
            (slot.state == ManifestSlots.Slot.State.TORN ? "a commit cut short" : "damage");
    }

    /**
     * @throws CorruptStoreException in {@code STRICT} mode: the snapshot after the one chosen does not validate, and
     *                               STRICT does not fall back.
     */
    static void refuseInStrictMode(final String nextSlotProblem, final ManifestStore manifests,
        final StoreOptions options)
    {
        if (options.recoveryMode() == RecoveryMode.STRICT)
        {
            throw new CorruptStoreException(nextSlotProblem + " (open with RecoveryMode.FALLBACK to restore the " +
                "snapshot before it)", manifests.slots().path(), 0);
        }
    }

    /**
     * Writer's open (it holds the lock, so no snapshot is being committed now): reads a manifest.
     *
     * @return null if the file is an abandoned recycle (see {@link ManifestStore#read}).
     */
    static Manifest readUnlessAbandoned(final ManifestStore manifests, final long generation) throws IOException
    {
        try
        {
            return manifests.read(generation);
        }
        catch (final NoSuchFileException ex)
        {
            if (Files.exists(manifests.path(generation)))
            {
                LOG.log(System.Logger.Level.DEBUG, "skipping generation {0}: {1}", generation, ex.getMessage());
                return null;
            }
            throw ex;
        }
    }
}
