package io.memsnap.internal.format;

import io.memsnap.internal.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The hash of an id's UTF-8 bytes in a buffer is the hash of the id's string, whatever its characters. */
class KeyHashTest
{
    private static final long SEED = 0x1234_5678_9ABC_DEF0L;

    @Test
    void hashOfTheEncodedBytesIsTheHashOfTheString()
    {
        try (MemoryRegion buffer = MemoryRegion.allocate(256))
        {
            hashOfTheEncodedBytesIsTheHashOfTheString(buffer);
        }
        hashOfTheEncodedBytesIsTheHashOfTheString(MemoryRegion.wrap(new byte[256]));
    }

    private static void hashOfTheEncodedBytesIsTheHashOfTheString(final MemoryRegion buffer)
    {
        for (final String id : new String[] {"", "a", "mem-0000000042", "naïve", "日本語のid", "emoji \uD83D\uDE00 id",
            "\u007F\u0080\u07FF\u0800\uFFFF"})
        {
            for (final long namespace : new long[] {KeyHash.NAMESPACE_ENTRY, KeyHash.NAMESPACE_STATE})
            {
                final int length = Utf8.encodedLength(id, "id");
                Utf8.encode(id, buffer, 7);
                assertEquals(KeyHash.hash(SEED, namespace, id), KeyHash.hashUtf8(SEED, namespace, buffer, 7, length),
                    id);
            }
        }
    }
}
