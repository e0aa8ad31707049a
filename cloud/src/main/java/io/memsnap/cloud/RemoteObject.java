package io.memsnap.cloud;

import java.time.Instant;

/** One object of a listing: its key under the prefix, size and last modification. Thread safe: immutable. */
public final class RemoteObject
{
    private final String key;
    private final long size;
    private final Instant lastModified;

    RemoteObject(final String key, final long size, final Instant lastModified)
    {
        this.key = key;
        this.size = size;
        this.lastModified = lastModified;
    }

    /** @return the key, relative to the prefix. */
    public String key()
    {
        return key;
    }

    public long size()
    {
        return size;
    }

    public Instant lastModified()
    {
        return lastModified;
    }

    @Override
    public String toString()
    {
        return key + " (" + size + " bytes, " + lastModified + ")";
    }
}
