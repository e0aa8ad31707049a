package io.memsnap.internal.recovery;

import io.memsnap.CorruptStoreException;
import io.memsnap.RecoveryMode;
import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.index.HashIndex;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.snapshot.Manifest;
import io.memsnap.internal.snapshot.ManifestStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        /** Generations whose file holds no snapshot of that name (an interrupted recycling commit). */
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
                    // A manifest file that a recycling snapshot overwrote for a newer generation when the process or
                    // the machine stopped: never committed under any name, nothing to restore, not damage.
                    abandoned.add(generation);
                    continue;
                }
                final long indexGeneration = manifest.checkpoint.indexFile;
                final int committed = committedByNewer.merge(indexGeneration, manifest.checkpoint.indexPages,
                    Math::max);
                StoreOpener.checkDimension(manifest, options, manifests.path(generation));
                indexFile = IndexFile.open(fs, dir, indexGeneration, manifest.checkpoint.indexPages, committed,
                    false);
                final HashIndex index = HashIndex.open(indexFile, manifest.checkpoint.rootPage,
                    manifest.checkpoint.indexPages);
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
     * Writer's open (it holds the lock, so no snapshot is recycling now): reads a manifest.
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
