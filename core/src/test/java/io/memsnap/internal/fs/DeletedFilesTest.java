package io.memsnap.internal.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A release closes every channel kept; a paced one first gives the file's blocks back a step at a time, truncating
 * it from its end. The files here stay linked, so that what the release did to them can be seen.
 */
class DeletedFilesTest
{
    private static final int LENGTH = 2 * 1024 * 1024 + 4096;

    @TempDir
    Path dir;

    @Test
    void releaseClosesWithoutTruncating() throws IOException
    {
        final DeletedFiles files = new DeletedFiles("test files");
        final FileChannel channel = written("a");
        files.add(channel);
        assertFalse(files.isEmpty());
        files.release();
        assertFalse(channel.isOpen());
        assertTrue(files.isEmpty());
        assertEquals(LENGTH, Files.size(dir.resolve("a")));
    }

    @Test
    void pacedReleaseTruncatesInStepsThenCloses() throws IOException
    {
        final DeletedFiles files = new DeletedFiles("test files");
        final FileChannel a = written("a");
        final FileChannel b = written("b");
        files.add(a);
        files.add(b);
        files.releasePaced();
        assertFalse(a.isOpen());
        assertFalse(b.isOpen());
        for (final String name : new String[] {"a", "b"})
        {
            final long left = Files.size(dir.resolve(name));
            assertTrue(left > 0 && left <= DeletedFiles.PACED_STEP_BYTES, name + " left " + left + " bytes");
        }
        files.releasePaced(); // nothing left: a no-op
    }

    private FileChannel written(final String name) throws IOException
    {
        final FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        final ByteBuffer bytes = ByteBuffer.allocate(LENGTH);
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
        return channel;
    }
}
