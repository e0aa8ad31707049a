package io.memsnap.internal.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two holders of the pin of one file in this JVM (two read-only stores mapping it): each releases its own share,
 * once, however often it closes its pin; the file stays pinned, and readable through the other's channel, until the
 * last holder closes.
 */
class ReaderPinsTest
{
    @TempDir
    Path dir;

    @Test
    void closingOnePinTwiceLeavesTheOtherHoldersPin() throws IOException
    {
        final Path file = Files.write(dir.resolve("segment"), new byte[] {1, 2, 3, 4});
        final ReaderPins.Pin first = ReaderPins.pin(file);
        final ReaderPins.Pin second = ReaderPins.pin(file);

        first.close();
        first.close();
        assertTrue(ReaderPins.isPinnedHere(file), "the second holder's pin went with the first's");
        assertFalse(ReaderPins.deleteUnlessPinned(StoreFileSystem.real(), file));
        assertTrue(Files.exists(file));
        final ByteBuffer read = ByteBuffer.allocate(4);
        assertEquals(4, second.channel().read(read, 0), "the second holder's channel was closed");

        second.close();
        assertFalse(ReaderPins.isPinnedHere(file));
        assertFalse(second.channel().isOpen());
        assertTrue(ReaderPins.deleteUnlessPinned(StoreFileSystem.real(), file));
        assertFalse(Files.exists(file));
    }

    @Test
    void aFileClosedByEveryHolderCanBePinnedAgain() throws IOException
    {
        final Path file = Files.write(dir.resolve("segment"), new byte[] {1});
        final ReaderPins.Pin first = ReaderPins.pin(file);
        first.close();
        try (ReaderPins.Pin again = ReaderPins.pin(file))
        {
            first.close();
            assertTrue(ReaderPins.isPinnedHere(file), "a closed pin released a later one");
            assertTrue(again.channel().isOpen());
        }
        assertFalse(ReaderPins.isPinnedHere(file));
    }
}
