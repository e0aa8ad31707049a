package io.memsnap.cloud.internal;

/**
 * One range of one file of a snapshot, as an object: {@code [offset, offset + length)} of {@code fileName}, with its
 * CRC32C. Thread safe: immutable.
 */
public final class Part
{
    public final String fileName;
    public final long offset;
    public final long length;
    public final int crc;

    public Part(final String fileName, final long offset, final long length, final int crc)
    {
        this.fileName = fileName;
        this.offset = offset;
        this.length = length;
        this.crc = crc;
    }

    /** @return where the part ends in its file. */
    public long end()
    {
        return offset + length;
    }

    /** @return the key of its object under the prefix. */
    public String key()
    {
        return RemoteManifestDescriptor.partKey(fileName, offset, length, crc);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Part))
        {
            return false;
        }
        final Part p = (Part)o;
        return fileName.equals(p.fileName) && offset == p.offset && length == p.length && crc == p.crc;
    }

    @Override
    public int hashCode()
    {
        return key().hashCode();
    }

    @Override
    public String toString()
    {
        return key();
    }
}
