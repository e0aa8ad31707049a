package io.memsnap.cli;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Temporary directories in memory ({@code /dev/shm}) where the machine has it, else in the default temporary
 * directory: the fuzz tests create hundreds of stores, and each creation's fsyncs cost milliseconds on a disk and
 * nothing in memory. Use as {@code @TempDir(factory = MemoryTempDirFactory.class)}.
 */
public final class MemoryTempDirFactory implements TempDirFactory
{
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(final AnnotatedElementContext element, final ExtensionContext extension)
        throws IOException
    {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM))
        {
            return Files.createTempDirectory(SHM, "memsnap-test-");
        }
        return Files.createTempDirectory("memsnap-test-");
    }
}
