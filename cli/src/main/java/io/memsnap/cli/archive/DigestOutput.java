package io.memsnap.cli.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Writes bytes through to a stream while counting them and feeding a SHA-256. Not thread safe. */
final class DigestOutput
{
    private final OutputStream out;
    private final MessageDigest sha256;
    private long position;

    DigestOutput(final OutputStream out)
    {
        this.out = out;
        this.sha256 = newSha256();
    }

    static MessageDigest newSha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }

    void write(final byte[] bytes, final int offset, final int length) throws IOException
    {
        out.write(bytes, offset, length);
        sha256.update(bytes, offset, length);
        position += length;
    }

    /** Writes bytes that the digest does not cover (the digest itself). */
    void writeUndigested(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        position += bytes.length;
    }

    /** @return the SHA-256 of everything written so far, and resets it. */
    byte[] digest()
    {
        return sha256.digest();
    }

    long position()
    {
        return position;
    }

    void flush() throws IOException
    {
        out.flush();
    }
}
