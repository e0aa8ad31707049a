package io.memsnap.cli.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bytes of an archive file as read: counts the position, feeds a SHA-256, and turns a short read into a
 * {@link CorruptArchiveException} naming what was being read and where. Not thread safe.
 */
final class ArchiveInput
{
    private final InputStream in;
    private final Path file;
    private final MessageDigest sha256 = DigestOutput.newSha256();
    private long position;

    ArchiveInput(final InputStream in, final Path file)
    {
        this.in = in;
        this.file = file;
    }

    /** Reads exactly {@code length} bytes into the digest too. */
    void readFully(final byte[] b, final int offset, final int length, final String what) throws IOException
    {
        readUndigested(b, offset, length, what);
        sha256.update(b, offset, length);
    }

    /** Reads exactly {@code length} bytes that the digest does not cover. */
    void readUndigested(final byte[] b, final int offset, final int length, final String what) throws IOException
    {
        int done = 0;
        while (done < length)
        {
            final int n = in.read(b, offset + done, length - done);
            if (n < 0)
            {
                throw corrupt("truncated: the file ends at offset " + (position + done) + " inside " + what +
                    " (" + length + " bytes from offset " + position + ")", position);
            }
            done += n;
        }
        position += length;
    }

    /** @return how many bytes follow (reads them; at most {@code limit} are counted). */
    long remaining(final long limit) throws IOException
    {
        final byte[] skip = new byte[8192];
        long n = 0;
        int r;
        while (n < limit && (r = in.read(skip, 0, (int)Math.min(skip.length, limit - n))) > 0)
        {
            n += r;
        }
        return n;
    }

    /** @return the SHA-256 of every byte read through {@link #readFully} so far. */
    byte[] digest()
    {
        return sha256.digest();
    }

    long position()
    {
        return position;
    }

    Path file()
    {
        return file;
    }

    CorruptArchiveException corrupt(final String problem, final long offset)
    {
        return new CorruptArchiveException(problem, file, offset);
    }
}
