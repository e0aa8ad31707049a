package io.memsnap.cloud.internal;

import io.memsnap.cloud.RemoteCorruptException;
import io.memsnap.cloud.RemoteStore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Fetches a part and checks it against its manifest before anything is written. Thread safe: stateless. */
public final class CheckedFetch
{
    private CheckedFetch()
    {
    }

    /**
     * Fetches the part's object and writes it at its offset of {@code channel}.
     *
     * @throws RemoteCorruptException if the object is missing, or its length or CRC32C is not the manifest's.
     */
    public static void into(final RemoteStore remote, final Part p, final FileChannel channel) throws IOException
    {
        final String key = remote.location() + p.key();
        final byte[] bytes = remote.get(p.key());
        if (bytes == null)
        {
            throw new RemoteCorruptException(key, "the object is missing");
        }
        if (bytes.length != p.length)
        {
            throw new RemoteCorruptException(key, "the object holds " + bytes.length + " bytes and its manifest " +
                "says " + p.length + (bytes.length < p.length ? ": truncated" : ""));
        }
        final int crc = FileRanges.crc(bytes);
        if (crc != p.crc)
        {
            throw new RemoteCorruptException(key, String.format("its CRC32C is 0x%08x and its manifest says " +
                "0x%08x", crc, p.crc));
        }
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining())
        {
            channel.write(b, p.offset + b.position());
        }
    }
}
