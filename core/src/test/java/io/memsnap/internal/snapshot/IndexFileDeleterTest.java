package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An index file nothing needs is deleted under the commit lock, but its disk space is freed only by
 * {@link IndexFileDeleter#releaseDeleted()}, which the checkpointing thread runs without that lock: the last close of
 * a deleted file frees its blocks, seconds of work for an old generation of a large index, which a snapshot must not
 * wait for. Checked through the process's open descriptors ({@code /proc/self/fd}): the deleted file stays open, and
 * only there, until the release.
 */
class IndexFileDeleterTest
{
    @TempDir
    Path dir;

    @Test
    void aDeletedFileKeepsItsSpaceUntilReleased() throws IOException
    {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        final Path old = dir.resolve(IndexPageDescriptor.fileName(1));
        final Path current = dir.resolve(IndexPageDescriptor.fileName(2));
        Files.write(old, new byte[IndexPageDescriptor.PAGE_SIZE]);
        Files.write(current, new byte[IndexPageDescriptor.PAGE_SIZE]);
        final IndexFileDeleter deleter = new IndexFileDeleter(StoreFileSystem.real(), dir,
            new ManifestStore(StoreFileSystem.real(), dir), List.of(1L, 2L), () -> 2, () -> 2);
        assertEquals(0, openDescriptorsOf(old));

        deleter.deleteUnneeded(List.of());

        assertFalse(Files.exists(old), "deleted from the directory");
        assertTrue(Files.exists(current), "the file written to stays");
        assertTrue(deleter.hasUnreleased());
        assertEquals(1, openDescriptorsOf(old), "still open: its blocks are not freed yet");

        deleter.releaseDeleted();

        assertFalse(deleter.hasUnreleased());
        assertEquals(0, openDescriptorsOf(old), "closed: its blocks are freed");
        deleter.releaseDeleted(); // nothing left: a no-op
        assertEquals(List.of(2L), List.copyOf(deleter.onDisk()));
    }

    /** @return how many descriptors of this process name {@code file} (deleted or not). */
    private static long openDescriptorsOf(final Path file) throws IOException
    {
        final String name = file.toAbsolutePath().toString();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.filter(fd ->
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    return target.equals(name) || target.equals(name + " (deleted)");
                }
                catch (final IOException ex)
                {
                    return false; // closed meanwhile (the listing's own descriptor, say)
                }
            }).count();
        }
    }
}
