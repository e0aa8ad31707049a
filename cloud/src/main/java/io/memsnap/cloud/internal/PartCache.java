package io.memsnap.cloud.internal;

import io.memsnap.cloud.RemoteStore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts a follower's directories hold: fetches those a snapshot needs and a directory lacks (a part found in a
 * file already, from an earlier run, is checked against its CRC32C instead), and deletes what only a retired
 * snapshot needed. Not thread safe: the follower's polling thread only.
 */
public final class PartCache
{
    private final RemoteStore remote;
    private final Map<Path, Set<Part>> held = new HashMap<>();

    public PartCache(final RemoteStore remote)
    {
        this.remote = remote;
    }

    /** @return the bytes fetched to give {@code dir} every part of {@code manifest}. */
    public long fetch(final RemoteManifest manifest, final Path dir, final int parallelism) throws IOException
    {
        final Set<Part> present = held.computeIfAbsent(dir, d -> new HashSet<>());
        final List<Part> missing = new ArrayList<>();
        for (final Part p : manifest.parts)
        {
            if (!present.contains(p))
            {
                if (holds(dir.resolve(p.fileName), p))
                {
                    present.add(p);
                }
                else
                {
                    missing.add(p);
                }
            }
        }
        final Map<String, FileChannel> channels = new HashMap<>();
        long bytes = 0;
        try
        {
            final List<Parallel.Task> tasks = new ArrayList<>();
            for (final Part p : missing)
            {
                if (!channels.containsKey(p.fileName))
                {
                    channels.put(p.fileName, FileChannel.open(dir.resolve(p.fileName), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE));
                }
                final FileChannel channel = channels.get(p.fileName);
                tasks.add(() -> CheckedFetch.into(remote, p, channel));
                bytes += p.length;
            }
            Parallel.run("memsnap-follow-fetch", parallelism, tasks);
        }
        finally
        {
            for (final FileChannel c : channels.values())
            {
                c.close();
            }
        }
        present.addAll(missing);
        return bytes;
    }

    /** Whether the file holds the part already (an earlier run fetched it). */
    private static boolean holds(final Path file, final Part p) throws IOException
    {
        if (!Files.exists(file) || Files.size(file) < p.end())
        {
            return false;
        }
        return FileRanges.crc(FileRanges.read(file, p.offset, (int)p.length)) == p.crc;
    }

    /**
     * Deletes what no snapshot still open needs: each directory none of them is in, and in the others the files and
     * manifest files none of them names.
     *
     * @param live the snapshots still open (the current one, and retired ones still leased), by directory.
     */
    public void forget(final Map<Path, List<RemoteManifest>> live) throws IOException
    {
        for (final Path dir : new ArrayList<>(held.keySet()))
        {
            final List<RemoteManifest> manifests = live.get(dir);
            if (manifests == null)
            {
                deleteDirectory(dir);
                held.remove(dir);
                continue;
            }
            final Set<String> needed = new HashSet<>();
            for (final RemoteManifest m : manifests)
            {
                m.parts.forEach(p -> needed.add(p.fileName));
                needed.add(String.format("manifest-%020d.msm", m.localGeneration));
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir))
            {
                for (final Path f : s)
                {
                    if (!needed.contains(f.getFileName().toString()))
                    {
                        Files.deleteIfExists(f);
                    }
                }
            }
            held.get(dir).removeIf(p -> !needed.contains(p.fileName));
        }
    }

    private static void deleteDirectory(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir))
        {
            for (final Path f : s)
            {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
