package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.IncompatibleFormatException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.MappedFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads, lists and commits manifests in a store directory.
 *
 * <p>Commit protocol (Lucene's {@code segments_N}): write {@code manifest-G.msm.pending}, fsync it, rename it
 * atomically to {@code manifest-G.msm}, fsync the directory. A crash leaves either no new manifest or a whole one;
 * a stale {@code .pending} file is deleted at the next open. The files a manifest names are flushed before it is
 * written. The pending file is, when retention is about to delete the oldest manifest that no pin keeps, that
 * manifest's file renamed (see {@link #commit} and {@link RetainedSnapshots}): it is gone under its own name before its bytes are overwritten, so a reader that opened it
 * just before sees either its old bytes or a checksum mismatch on a path that no longer exists, which
 * {@link #read} reports as a file that is gone.
 *
 * <p>Thread safe for reads; commits are serialised by the store's snapshot lock.
 */
public final class ManifestStore
{
    /**
     * Manifests recycled in place are at most one file-system block, old and new: an overwrite that a power loss
     * interrupts then leaves the old bytes or the new ones, never a mix that would read as damage (a device that
     * tears a 4 KiB write is the remaining case: the oldest manifest then fails its checksum, no committed snapshot
     * is lost, {@link #isAbandonedRecycle} tells it from damage, and the next snapshot recycles it again). Larger
     * manifests (a store of hundreds of segments, or large labels) are committed into a new file.
     */
    static final int RECYCLE_MAX_LENGTH = 4096;

    private final StoreFileSystem fs;
    private final Path dir;

    /** @param fs the seam for commits and deletes; reads go to the files directly. */
    public ManifestStore(final StoreFileSystem fs, final Path dir)
    {
        this.fs = fs;
        this.dir = dir;
    }

    /** @return the generations of the manifest files present, newest first (damaged ones included). */
    public List<Long> generations() throws IOException
    {
        final List<Long> generations = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.forEach(p ->
            {
                final long g = ManifestDescriptor.parseFileName(p.getFileName().toString());
                if (g >= 0)
                {
                    generations.add(g);
                }
            });
        }
        generations.sort((a, b) -> Long.compare(b, a));
        return generations;
    }

    public Path path(final long generation)
    {
        return dir.resolve(ManifestDescriptor.fileName(generation));
    }

    /**
     * @throws CorruptStoreException if it is damaged.
     * @throws NoSuchFileException   if it is gone, or is a recycled file whose commit did not finish (see
     *                               {@link #commit}): either way no snapshot of this generation is there.
     */
    public Manifest read(final long generation) throws IOException
    {
        final Path path = path(generation);
        final long size = Files.size(path);
        if (size > ManifestDescriptor.MAX_LENGTH)
        {
            throw new CorruptStoreException("manifest is " + size + " bytes, more than a manifest can be", path, 0);
        }
        final Manifest m;
        try
        {
            m = ManifestCodec.decode(Files.readAllBytes(path), path);
            if (m.generation > generation)
            {
                // A whole, valid manifest of a newer generation under an older name: a snapshot recycled this file
                // (see commit) and its rename has not reached the directory, or never will after a power loss
                // (the overwrite was synced, the renames not yet). Not a snapshot of this name, and not damage.
                throw new NoSuchFileException(path.toString(), null, "holds generation " + m.generation +
                    ": a snapshot that recycled this file did not finish renaming it");
            }
            if (m.generation != generation)
            {
                throw new CorruptStoreException("manifest holds generation " + m.generation + " but is named " +
                    generation, path, ManifestDescriptor.generationOffset(m.majorVersion));
            }
        }
        catch (final CorruptStoreException ex)
        {
            if (!Files.exists(path))
            {
                // Recycled by the writer while we read it (renamed first, then overwritten, possibly whole by the
                // time we read: then it checksums but names the newer generation): gone, not damaged.
                throw new NoSuchFileException(path.toString(), null, "recycled by a snapshot while it was read");
            }
            throw ex;
        }
        return m;
    }

    /**
     * Whether the manifest file of {@code generation}, which does not validate, can be what a recycling
     * {@link #commit} leaves when the power fails in its overwrite before its first rename reached the disk: the file
     * under its old name, holding old bytes and new ones. Not damage: the snapshot of that name was being retired,
     * and the new one was never committed. What such a file always is, and damage mostly is not:
     * <ul>
     *     <li>the oldest manifest on disk that the newest manifest that validates does not pin (a commit recycles only
     *     that one, and the pins it records are those of the newest manifest on disk then);</li>
     *     <li>with at least two newer manifests that validate (a commit recycles only when two others stay);</li>
     *     <li>a manifest header whose generation field holds its own generation (old bytes there) or one newer than
     *     every manifest on disk (the new bytes of the commit that did not finish).</li>
     * </ul>
     * Damage that keeps all three (a flipped byte in the body of the oldest unpinned of three or more manifests) passes
     * for an abandoned recycle too; it can only cost that snapshot, which the next snapshot retires. So the file is
     * not deleted at open (that would destroy the evidence of such damage): retention retires it as the oldest, by
     * recycling or deleting its file at the next snapshot.
     *
     * @param generations the manifest generations on disk, newest first (see {@link #generations()}).
     */
    public boolean isAbandonedRecycle(final long generation, final List<Long> generations) throws IOException
    {
        Manifest newestValid = null;
        int validNewer = 0;
        for (int i = 0; i < generations.size() && generations.get(i) > generation && validNewer < 2; i++)
        {
            try
            {
                final Manifest m = read(generations.get(i));
                newestValid = newestValid == null ? m : newestValid;
                validNewer++;
            }
            catch (final CorruptStoreException | IncompatibleFormatException | NoSuchFileException ex)
            {
                // Not one of the two that a recycling commit leaves in place.
            }
        }
        if (validNewer < 2 || !isOldestUnpinned(generation, generations, newestValid))
        {
            return false;
        }
        final int headerLength = ManifestDescriptor.GENERATION_OFFSET + ManifestDescriptor.V3_SHIFT + Long.BYTES;
        final byte[] head;
        try (InputStream in = Files.newInputStream(path(generation)))
        {
            head = in.readNBytes(headerLength);
        }
        if (head.length < headerLength)
        {
            return false;
        }
        final ByteBuffer header = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        final long named = header.getLong(
            ManifestDescriptor.generationOffset(header.getShort(ManifestDescriptor.MAJOR_OFFSET) & 0xFFFF));
        return header.getLong(ManifestDescriptor.MAGIC_OFFSET) == ManifestDescriptor.MAGIC &&
            (named == generation || named > generations.get(0));
    }

    /** @return whether {@code generation} is the oldest of {@code generations} that {@code newest} does not pin. */
    private boolean isOldestUnpinned(final long generation, final List<Long> generations, final Manifest newest)
    {
        final Set<Long> pinned;
        try
        {
            pinned = RetentionExtension.pins(newest, path(newest.generation)).generations();
        }
        catch (final CorruptStoreException ex)
        {
            return false; // damage beside it: no reason to pass this one over
        }
        if (pinned.contains(generation))
        {
            return false; // a pinned manifest is never recycled
        }
        for (final long g : generations)
        {
            if (g < generation && !pinned.contains(g))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Commits a manifest durably and atomically.
     *
     * @param recycle the generation of a manifest that retention deletes once this one is committed (never a kept
     *                one, see {@link RetainedSnapshots}), whose file becomes the pending file (renamed, then overwritten); or -1 to create the pending file. Reusing
     *                the file saves the creation and the deletion of an inode per snapshot, and, when the length is
     *                unchanged (the usual case), lets the sync write the data block alone.
     * @return whether {@code recycle}'s file was reused (it no longer exists under its own name then).
     */
    public boolean commit(final Manifest manifest, final long recycle) throws IOException
    {
        final byte[] bytes = ManifestCodec.encode(manifest);
        final Path pending = dir.resolve(ManifestDescriptor.pendingFileName(manifest.generation));
        final Path target = path(manifest.generation);
        boolean recycled = false;
        try
        {
            if (recycle >= 0 && bytes.length <= RECYCLE_MAX_LENGTH)
            {
                try
                {
                    if (Files.size(path(recycle)) <= RECYCLE_MAX_LENGTH)
                    {
                        fs.rename(path(recycle), pending);
                        recycled = true;
                    }
                }
                catch (final NoSuchFileException ex)
                {
                    // Gone already: create the pending file instead.
                }
            }
            try (StoreFile channel = fs.openOrCreate(pending))
            {
                final boolean sameLength = channel.size() == bytes.length;
                channel.writeFully(ByteBuffer.wrap(bytes), 0);
                if (channel.size() > bytes.length)
                {
                    channel.truncate(bytes.length);
                }
                // Same length: the data block is all that changed (fdatasync). Otherwise the inode too.
                channel.force(!sameLength);
            }
            fs.rename(pending, target);
        }
        catch (final IOException | RuntimeException ex)
        {
            MappedFiles.deleteAfter(fs, pending, ex);
            throw ex;
        }
        fs.syncDirectory(dir);
        return recycled;
    }

    /** Deletes stale {@code .pending} files left by a crash during a commit. */
    public void deletePending() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                if (name.startsWith(ManifestDescriptor.FILE_PREFIX) && name.endsWith(ManifestDescriptor.PENDING_SUFFIX))
                {
                    fs.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Deletes a manifest. Not durable until {@link #syncDirectory()}: a caller that deletes several syncs once.
     */
    public void delete(final long generation) throws IOException
    {
        fs.deleteIfExists(path(generation));
    }

    /** Makes the creates, renames and deletes of manifests so far durable. */
    public void syncDirectory() throws IOException
    {
        fs.syncDirectory(dir);
    }
}
