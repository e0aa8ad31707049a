package io.memsnap.cli.importer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts the bytes read through it, for progress. Not thread safe. */
final class CountingInputStream extends FilterInputStream
{
    private long count;

    CountingInputStream(final InputStream in)
    {
        super(in);
    }

    @Override
    public int read() throws IOException
    {
        final int b = super.read();
        if (b >= 0)
        {
            count++;
        }
        return b;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException
    {
        final int n = super.read(b, off, len);
        if (n > 0)
        {
            count += n;
        }
        return n;
    }

    @Override
    public long skip(final long n) throws IOException
    {
        final long skipped = super.skip(n);
        count += skipped;
        return skipped;
    }

    @Override
    public boolean markSupported()
    {
        return false;
    }

    long count()
    {
        return count;
    }
}
