package io.memsnap.cloud.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * A temporary directory beside a target that does not exist yet, renamed into place when complete and deleted,
 * with all it holds, when it is not. Not thread safe: one owner.
 */
public final class StagedDirectory implements AutoCloseable
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private boolean moved;

    private StagedDirectory(final Path path)
    {
        this.path = path;
    }

    /**
     * @throws FileAlreadyExistsException if {@code target} exists and is not an empty directory.
     */
    public static StagedDirectory beside(final Path target) throws IOException
    {
        final Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(absolute))
        {
            throw new FileAlreadyExistsException(absolute.toString(), null, "exists and is not an empty " +
                "directory: restore into a new one");
        }
        Files.createDirectories(absolute.getParent());
        final Path staged = absolute.resolveSibling("." + absolute.getFileName() + ".restore-" +
            Long.toHexString(RANDOM.nextLong()));
        Files.createDirectory(staged);
        return new StagedDirectory(staged);
    }

    public Path path()
    {
        return path;
    }

    /** Makes the directory's entries durable, renames it to {@code target} atomically and syncs the parent. */
    public void moveTo(final Path target) throws IOException
    {
        final Path absolute = target.toAbsolutePath();
        force(path);
        Files.move(path, absolute, StandardCopyOption.ATOMIC_MOVE);
        moved = true;
        force(absolute.getParent());
    }

    @Override
    public void close() throws IOException
    {
        if (!moved)
        {
            deleteRecursively(path);
        }
    }

    private static boolean isEmptyDirectory(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir))
        {
            return !s.iterator().hasNext();
        }
    }

    private static void force(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void deleteRecursively(final Path p) throws IOException
    {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
        {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p))
            {
                for (final Path child : s)
                {
                    deleteRecursively(child);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
