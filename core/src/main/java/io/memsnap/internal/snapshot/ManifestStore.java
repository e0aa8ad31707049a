package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.segment.MappedFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads, lists and commits manifests in a store directory.
 *
 * <p>Commit protocol (Lucene's {@code segments_N}): write {@code manifest-G.msm.pending}, fsync it, rename it
 * atomically to {@code manifest-G.msm}, fsync the directory. A crash leaves either no new manifest or a whole one;
 * a stale {@code .pending} file is deleted at the next open. The files a manifest names are flushed before it is
 * written.
 *
 * <p>Thread safe for reads; commits are serialised by the store's snapshot lock.
 */
public final class ManifestStore
{
    private final Path dir;

    public ManifestStore(final Path dir)
    {
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
     */
    public Manifest read(final long generation) throws IOException
    {
        final Path path = path(generation);
        final long size = Files.size(path);
        if (size > ManifestDescriptor.MAX_LENGTH)
        {
            throw new CorruptStoreException("manifest is " + size + " bytes, more than a manifest can be", path, 0);
        }
        final Manifest m = ManifestCodec.decode(Files.readAllBytes(path), path);
        if (m.generation != generation)
        {
            throw new CorruptStoreException("manifest holds generation " + m.generation + " but is named " +
                generation, path, ManifestDescriptor.GENERATION_OFFSET);
        }
        return m;
    }

    /**
     * Commits a manifest durably and atomically.
     *
     * @return the bytes written.
     */
    public int commit(final Manifest manifest) throws IOException
    {
        final byte[] bytes = ManifestCodec.encode(manifest);
        final Path pending = dir.resolve(ManifestDescriptor.pendingFileName(manifest.generation));
        final Path target = path(manifest.generation);
        try
        {
            try (FileChannel channel = FileChannel.open(pending, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(pending, target, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                Files.deleteIfExists(pending);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
        MappedFiles.syncDirectory(dir);
        return bytes.length;
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
                    Files.delete(p);
                }
            }
        }
    }

    public void delete(final long generation) throws IOException
    {
        Files.deleteIfExists(path(generation));
    }
}
