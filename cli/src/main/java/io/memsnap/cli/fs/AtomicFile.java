package io.memsnap.cli.fs;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file all or nothing: into a temporary sibling ({@code NAME.writing-RANDOM}), forced to disk, then
 * renamed atomically over the target and the directory forced. On any failure the temporary file is deleted and
 * the target is untouched. Thread safe: stateless.
 */
public final class AtomicFile
{
    /** What writes the content; called once, on the calling thread. */
    @FunctionalInterface
    public interface Body<T>
    {
        T write(OutputStream out) throws IOException;
    }

    private AtomicFile()
    {
    }

    /**
     * @param replace whether an existing target may be replaced; if not and it exists, fails before writing.
     * @return what {@code body} returned.
     */
    public static <T> T write(final Path target, final boolean replace, final Body<T> body) throws IOException
    {
        if (!replace && Files.exists(target))
        {
            throw new FileAlreadyExistsException(target.toString(), null, "it exists (give --force to replace it)");
        }
        final Path dir = target.toAbsolutePath().getParent();
        final Path temp = dir.resolve(target.getFileName() + ".writing-" + Directories.randomSuffix());
        boolean done = false;
        try
        {
            final T result;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
            {
                final OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                result = body.write(out);
                out.flush();
                channel.force(true);
            }
            if (replace)
            {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            else
            {
                Directories.renameNoReplace(temp, target);
            }
            done = true;
            Directories.force(dir);
            return result;
        }
        finally
        {
            if (!done)
            {
                Files.deleteIfExists(temp);
            }
        }
    }
}
