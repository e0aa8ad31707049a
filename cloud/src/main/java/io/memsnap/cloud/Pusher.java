package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotFiles;
import io.memsnap.StoreOptions;
import io.memsnap.cloud.internal.FileRanges;
import io.memsnap.cloud.internal.Parallel;
import io.memsnap.cloud.internal.Part;
import io.memsnap.cloud.internal.RemoteManifest;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes the newest snapshot of a store to a prefix: uploads the ranges of its files that the newest remote snapshot
 * does not hold yet, in objects named by their file, range and checksum, then commits it by writing its remote
 * manifest with a conditional write, last. A push killed at any moment leaves the last committed remote snapshot
 * as it was; the next push finds the objects it uploaded and does not upload them again.
 *
 * <p>Each pusher claims a writer epoch on the prefix at its first push ({@code epochs/E}, a conditional write of
 * the next number); a pusher that finds a newer epoch claimed, or the generation it meant to commit taken, throws
 * {@link WriterFencedException} and commits nothing: the newest pusher wins.
 *
 * <p>The store is read through a read-only open of its newest snapshot, beside its writer (in this process or
 * another), which holds the snapshot's files until the push ends.
 *
 * <p>Thread safe: pushes through one pusher run one at a time.
 */
public final class Pusher
{
    /** Files are uploaded in objects of at most this many bytes, at offsets that are multiples of it. */
    public static final int PART_BYTES = 8 << 20;
    private static final int EPOCH_CLAIMS = 20;

    private final RemoteStore remote;
    /** Written by a push (which pushes serialise), read by any thread. */
    private volatile long epoch;
    /** The remote manifest this pusher committed last: the newest one continues it without a check. */
    private RemoteManifest committed;

    public Pusher(final RemoteStore remote)
    {
        this.remote = remote;
    }

    /** @return the writer epoch this pusher claimed, 0 before its first push. */
    public long epoch()
    {
        return epoch;
    }

    /**
     * Pushes the newest snapshot of the store in {@code dir}.
     *
     * @throws WriterFencedException if another pusher took the prefix over; nothing was committed.
     * @throws RemoteException       if object storage fails past the retries; nothing was committed.
     * @throws IOException           if the store cannot be read.
     */
    public synchronized PushResult push(final Path dir) throws IOException
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            final SnapshotFiles files = store.snapshotFiles();
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return push(files);
                }
                catch (final OlderWriterCommitted ex)
                {
                    // A pusher of an older epoch committed the generation between our look and our commit (it had
                    // checked for newer epochs before ours was claimed): push again on top of it.
                    if (attempt == EPOCH_CLAIMS)
                    {
                        throw new WriterFencedException("remote generation " + ex.generation + " of " +
                            remote.location() + " was taken by other pushers " + attempt + " times in a row: " +
                            "nothing was committed; stop the other pushers");
                    }
                }
            }
        }
    }

    private PushResult push(final SnapshotFiles files) throws IOException
    {
        final List<Long> generations = remote.generations();
        final RemoteManifest newest = generations.isEmpty() ? null :
            remote.manifest(generations.get(generations.size() - 1));
        final byte[] storeManifest = files.manifest();
        if (newest != null && newest.localGeneration == files.generation() &&
            Arrays.equals(newest.storeManifest(), storeManifest))
        {
            return new PushResult(newest.generation, files.generation(), true, 0, 0, newest.bytes(), false);
        }
        if (epoch == 0)
        {
            epoch = claimEpoch();
        }
        final boolean continues = newest != null && (committed != null && newest.generation == committed.generation
            || continues(newest, files));
        final long timeline = newest == null ? 0 : continues ? newest.timeline : newest.timeline + 1;
        final List<Part> parts = new ArrayList<>();
        final List<Parallel.Task> uploads = new ArrayList<>();
        final AtomicLong uploaded = new AtomicLong();
        final AtomicLong objects = new AtomicLong();
        long reused = 0;
        for (final SnapshotFiles.File f : files.files())
        {
            final Path path = files.directory().resolve(f.name());
            long end = 0;
            if (continues)
            {
                for (final Part p : newest.partsOf(f.name()))
                {
                    if (p.offset != end || p.end() > f.length())
                    {
                        break;
                    }
                    parts.add(p);
                    end = p.end();
                    reused += p.length;
                }
            }
            if (end == f.length())
            {
                continue;
            }
            final Set<String> present = new HashSet<>(remote.list(RemoteManifestDescriptor.partFolder(f.name())));
            for (long from = end; from < f.length(); )
            {
                final long to = Math.min(f.length(), (from / PART_BYTES + 1) * PART_BYTES);
                final long offset = from;
                final int length = (int)(to - from);
                final int index = parts.size();
                parts.add(null); // filled by its task: the checksum names the object
                uploads.add(() ->
                {
                    final byte[] bytes = FileRanges.read(path, offset, length);
                    final Part part = new Part(f.name(), offset, length, FileRanges.crc(bytes));
                    synchronized (parts)
                    {
                        parts.set(index, part);
                    }
                    if (!present.contains(part.key()))
                    {
                        remote.put(part.key(), bytes);
                        uploaded.addAndGet(length);
                        objects.incrementAndGet();
                    }
                });
                from = to;
            }
        }
        Parallel.run("memsnap-push", remote.config().parallelism(), uploads);
        final long bytes = files.files().stream().mapToLong(SnapshotFiles.File::length).sum();
        final long generation = newest == null ? 1 : newest.generation + 1;
        final RemoteManifest manifest = new RemoteManifest(generation, epoch, timeline, files.generation(),
            files.lastSequence(), files.createdAtMillis(), System.currentTimeMillis(), files.entryCount(), parts,
            storeManifest);
        commit(manifest, newest);
        committed = manifest;
        return new PushResult(generation, files.generation(), false, uploaded.get(), (int)objects.get(),
            bytes - uploaded.get(), newest != null && !continues);
    }

    /** Writes the manifest last, if this pusher is still the newest and the generation is still free. */
    private void commit(final RemoteManifest manifest, final RemoteManifest newest)
    {
        if (newest != null && newest.epoch > epoch || remote.exists(RemoteManifestDescriptor.epochKey(epoch + 1)))
        {
            throw new WriterFencedException("another pusher took " + remote.location() + " over (a writer epoch " +
                "after this pusher's " + epoch + "): nothing was committed; stop one of them");
        }
        final String key = RemoteManifestDescriptor.snapshotKey(manifest.generation);
        final byte[] encoded = manifest.encode();
        if (!remote.putIfAbsent(key, encoded)) // true too for our own write that the SDK retried
        {
            final RemoteManifest winner = remote.manifest(manifest.generation);
            if (winner != null && winner.epoch < epoch)
            {
                throw new OlderWriterCommitted(manifest.generation);
            }
            throw new WriterFencedException("remote generation " + manifest.generation + " of " + remote.location() +
                " was committed by another pusher meanwhile: nothing was committed; stop one of them");
        }
    }

    /** The generation this push meant to commit was taken by a pusher of an older epoch. */
    private static final class OlderWriterCommitted extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final long generation;

        OlderWriterCommitted(final long generation)
        {
            super(null, null, false, false);
            this.generation = generation;
        }
    }

    /**
     * @return whether the snapshot continues the newest remote one: the last part of the remote's newest segment and
     * of its index file hold the bytes of the same ranges of the snapshot's files.
     */
    private static boolean continues(final RemoteManifest newest, final SnapshotFiles files) throws IOException
    {
        if (files.lastSequence() < newest.lastSequence)
        {
            return false;
        }
        Part lastSegment = null;
        Part lastIndex = null;
        for (final Part p : newest.parts)
        {
            if (p.fileName.endsWith(".seg"))
            {
                lastSegment = lastSegment == null || p.fileName.compareTo(lastSegment.fileName) > 0 ||
                    p.fileName.equals(lastSegment.fileName) && p.offset > lastSegment.offset ? p : lastSegment;
            }
            else if (lastIndex == null || p.offset > lastIndex.offset)
            {
                lastIndex = p;
            }
        }
        int checked = 0;
        for (final Part p : Arrays.asList(lastSegment, lastIndex))
        {
            final SnapshotFiles.File local = p == null ? null : file(files, p.fileName);
            if (local == null)
            {
                continue;
            }
            if (local.length() < p.end() ||
                FileRanges.crc(FileRanges.read(files.directory().resolve(p.fileName), p.offset, (int)p.length)) !=
                p.crc)
            {
                return false;
            }
            checked++;
        }
        return checked > 0;
    }

    private static SnapshotFiles.File file(final SnapshotFiles files, final String name)
    {
        for (final SnapshotFiles.File f : files.files())
        {
            if (f.name().equals(name))
            {
                return f;
            }
        }
        return null;
    }

    /** Claims the epoch after the newest claimed on the prefix, with a conditional write. */
    private long claimEpoch()
    {
        for (int attempt = 0; attempt < EPOCH_CLAIMS; attempt++)
        {
            long newest = 0;
            for (final String key : remote.list(RemoteManifestDescriptor.EPOCHS))
            {
                newest = Math.max(newest, RemoteManifestDescriptor.parseEpochKey(key));
            }
            final long next = newest + 1;
            final String key = RemoteManifestDescriptor.epochKey(next);
            // The claim names this attempt uniquely, so that one whose answer was lost and that the SDK retried is
            // taken for ours (putIfAbsent), never another pusher's for ours.
            if (remote.putIfAbsent(key, claimant()))
            {
                return next;
            }
        }
        throw new WriterFencedException("could not claim a writer epoch on " + remote.location() + " in " +
            EPOCH_CLAIMS + " attempts: other pushers claim them as fast; stop them");
    }

    private static byte[] claimant()
    {
        String host;
        try
        {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            host = "unknown host";
        }
        return ("pid " + ProcessHandle.current().pid() + " on " + host + " at " + System.currentTimeMillis() +
            " claim " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
