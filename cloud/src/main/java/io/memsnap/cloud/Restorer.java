package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotFiles;
import io.memsnap.StoreOptions;
import io.memsnap.VerifyReport;
import io.memsnap.cloud.internal.CheckedFetch;
import io.memsnap.cloud.internal.Parallel;
import io.memsnap.cloud.internal.Part;
import io.memsnap.cloud.internal.RemoteManifest;
import io.memsnap.cloud.internal.StagedDirectory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores a pushed snapshot into a new store directory, all or nothing: fetches its objects in parallel into a
 * temporary sibling directory, checks each against the length and CRC32C its manifest records, installs the
 * snapshot there ({@link SnapshotFiles#install}), opens it read-only and verifies its manifest and index pages, and
 * only then renames the directory into place. A damaged, truncated or missing object is refused with
 * {@link RemoteCorruptException} naming it, and nothing is left behind.
 *
 * <p>The restored store holds the one snapshot; its writer goes on from it. Pushed to the same prefix, a store
 * restored from an older snapshot than the newest remote one begins a new remote timeline (its first push uploads
 * its files afresh), so histories never mix.
 *
 * <p>Thread safe: restores run independently.
 */
public final class Restorer
{
    private final RemoteStore remote;

    public Restorer(final RemoteStore remote)
    {
        this.remote = remote;
    }

    /**
     * Restores the newest remote snapshot, or remote generation {@code generation} when it is above 0.
     *
     * @param target a directory that does not exist, or is empty.
     * @throws RemoteNotFoundException if the prefix holds no snapshot, or not that generation.
     * @throws RemoteCorruptException  if an object is damaged, truncated or missing; nothing was installed.
     * @throws RemoteFormatException   if the remote manifest is of a newer format version.
     */
    public RestoreResult restore(final Path target, final long generation) throws IOException
    {
        final List<Long> generations = remote.generations();
        if (generations.isEmpty())
        {
            throw new RemoteNotFoundException("no snapshot under " + remote.location() + ": push one first");
        }
        final long chosen = generation > 0 ? generation : generations.get(generations.size() - 1);
        if (!generations.contains(chosen))
        {
            throw new RemoteNotFoundException("no remote generation " + chosen + " under " + remote.location() +
                " (it holds " + generations.get(0) + " to " + generations.get(generations.size() - 1) + ")");
        }
        return restore(target, remote.manifest(chosen));
    }

    /**
     * Restores the newest remote snapshot the store took at or before {@code at}.
     *
     * @throws RemoteNotFoundException if none is that old.
     */
    public RestoreResult restoreAt(final Path target, final Instant at) throws IOException
    {
        final List<Long> generations = remote.generations();
        for (int i = generations.size() - 1; i >= 0; i--)
        {
            final RemoteManifest m = remote.manifest(generations.get(i));
            if (m != null && m.createdAtMillis <= at.toEpochMilli())
            {
                return restore(target, m);
            }
        }
        throw new RemoteNotFoundException("no snapshot under " + remote.location() + " was taken at or before " +
            at);
    }

    private RestoreResult restore(final Path target, final RemoteManifest manifest) throws IOException
    {
        final long start = System.nanoTime();
        final Map<String, Long> lengths = checkCoverage(manifest);
        try (StagedDirectory staged = StagedDirectory.beside(target))
        {
            fetch(manifest, staged.path(), lengths);
            SnapshotFiles.install(staged.path(), manifest.storeManifest());
            try (MemoryStore store = MemoryStore.open(staged.path(), StoreOptions.builder().readOnly(true).build()))
            {
                final VerifyReport report = store.verify(false);
                if (!report.ok())
                {
                    throw new RemoteCorruptException(remote.location() + "snapshots/" + manifest.generation,
                        "the restored store does not verify: " + report);
                }
            }
            staged.moveTo(target);
        }
        return new RestoreResult(target, new RemoteSnapshot(manifest), manifest.bytes(), System.nanoTime() - start);
    }

    /** @return each file's length, after checking that its parts cover it from 0 without gaps or overlaps. */
    private Map<String, Long> checkCoverage(final RemoteManifest manifest)
    {
        final Map<String, Long> lengths = new HashMap<>();
        for (final Part p : manifest.parts)
        {
            final long end = lengths.getOrDefault(p.fileName, 0L);
            if (p.offset != end || p.length <= 0 || p.length > Pusher.PART_BYTES || p.fileName.contains("/"))
            {
                throw new RemoteCorruptException(remote.location() + "snapshots/" + manifest.generation,
                    "part " + p + " does not follow the part before it in " + p.fileName + " (which ends at " + end +
                    ")");
            }
            lengths.put(p.fileName, p.end());
        }
        return lengths;
    }

    private void fetch(final RemoteManifest manifest, final Path dir, final Map<String, Long> lengths)
        throws IOException
    {
        final Map<String, FileChannel> channels = new HashMap<>();
        try
        {
            for (final String name : lengths.keySet())
            {
                channels.put(name, FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE));
            }
            final List<Parallel.Task> tasks = new ArrayList<>();
            for (final Part p : manifest.parts)
            {
                tasks.add(() -> CheckedFetch.into(remote, p, channels.get(p.fileName)));
            }
            Parallel.run("memsnap-restore", remote.config().parallelism(), tasks);
        }
        finally
        {
            for (final FileChannel c : channels.values())
            {
                c.close();
            }
        }
    }
}
