package io.memsnap.internal.format;

import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Utf8#equals} against the bytes {@link Utf8#encode} wrote, at every offset of a word: ids of every length
 * around the 8 bytes the ASCII compare takes at a time, a difference at each position, and chars of 0x80 and more in
 * an id of as many chars as the record has bytes.
 */
class Utf8Test
{
    @Test
    void anIdEqualsItsOwnBytesAndNoIdThatDiffersInOneChar()
    {
        try (MemoryRegion region = MemoryRegion.allocate(128))
        {
            check(region);
        }
        check(MemoryRegion.wrap(new byte[128]));
    }

    private static void check(final MemoryRegion region)
    {
        for (int length = 0; length <= 27; length++)
        {
            final StringBuilder id = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                id.append((char)('a' + (i * 7) % 26));
            }
            for (int offset = 0; offset < 8; offset++)
            {
                Utf8.encode(id, region, offset);
                assertTrue(Utf8.equals(id, region, offset, length), id + " at " + offset);
                assertEquals(id.toString(), Utf8.decode(region, offset, length));
                for (int at = 0; at < length; at++)
                {
                    final StringBuilder other = new StringBuilder(id);
                    other.setCharAt(at, (char)(id.charAt(at) ^ 0x20));
                    assertFalse(Utf8.equals(other, region, offset, length), other + " at " + offset);
                    other.setCharAt(at, (char)(id.charAt(at) | 0x80)); // the byte's value, as a char over 0x7F
                    assertFalse(Utf8.equals(other, region, offset, length), other + " at " + offset);
                    other.setCharAt(at, (char)(id.charAt(at) | 0x100)); // the byte's low bits, in a wider char
                    assertFalse(Utf8.equals(other, region, offset, length), other + " at " + offset);
                }
                if (length > 0)
                {
                    assertFalse(Utf8.equals(id.substring(1), region, offset, length), "shorter at " + offset);
                }
                assertFalse(Utf8.equals(id + "z", region, offset, length), "longer at " + offset);
            }
        }
    }

    @Test
    void bytesOverTheAsciiRangeNeverEqualCharsOfAsManyChars()
    {
        final byte[] latin = "caf\u00e9 au lait, d\u00e9j\u00e0".getBytes(StandardCharsets.ISO_8859_1);
        final MemoryRegion region = MemoryRegion.wrap(latin);
        final String sameChars = new String(latin, StandardCharsets.ISO_8859_1);

        assertFalse(Utf8.equals(sameChars, region, 0, latin.length)); // its UTF-8 is longer than its chars

        final String utf8 = "caf\u00e9 au lait, d\u00e9j\u00e0!";
        final byte[] encoded = utf8.getBytes(StandardCharsets.UTF_8);
        assertTrue(Utf8.equals(utf8, MemoryRegion.wrap(encoded), 0, encoded.length));
    }

    @Test
    void anIdReachingPastTheRegionIsRefused()
    {
        final MemoryRegion region = MemoryRegion.wrap(new byte[16]);
        assertThrows(IndexOutOfBoundsException.class, () -> Utf8.equals("0123456789", region, 8, 10));
    }
}
