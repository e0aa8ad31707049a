package io.memsnap.cli.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/** File-system steps of the all-or-nothing writes: names, renames, forcing, deleting. Thread safe: stateless. */
public final class Directories
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private Directories()
    {
    }

    /** @return 8 random hex digits for a temporary name. */
    public static String randomSuffix()
    {
        final byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** @return whether {@code dir} is a directory with nothing in it. */
    public static boolean isEmptyDirectory(final Path dir) throws IOException
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

    /**
     * Renames the file {@code from} to {@code to}, failing if {@code to} exists: hard-links it (which never
     * replaces) and removes the old name; where links are not supported, checks and renames.
     */
    public static void renameNoReplace(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.createLink(to, from);
        }
        catch (final UnsupportedOperationException ex)
        {
            if (Files.exists(to, LinkOption.NOFOLLOW_LINKS))
            {
                throw new FileAlreadyExistsException(to.toString());
            }
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(from);
    }

    /**
     * Renames the directory {@code from} to {@code to} atomically; {@code to} must not exist or be an empty
     * directory (which the rename replaces), else it fails and nothing changes.
     */
    public static void renameDirectory(final Path from, final Path to) throws IOException
    {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Forces a directory's entries (a rename or a new file in it) to disk; best effort where unsupported. */
    public static void force(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            if (!Files.isDirectory(dir))
            {
                throw ex instanceof IOException ? (IOException)ex : new IOException(ex);
            }
        }
    }

    /** Deletes {@code path} and everything under it; a missing path is fine. Does not follow links. */
    public static void deleteRecursively(final Path path) throws IOException
    {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
        {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(path))
            {
                for (final Path p : s)
                {
                    deleteRecursively(p);
                }
            }
        }
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final NoSuchFileException ex)
        {
            // gone already
        }
    }
}
