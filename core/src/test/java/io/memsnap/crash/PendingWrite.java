package io.memsnap.crash;

/**
 * A write, a truncate or an extension of a file since its last flush: what a power cut may keep, in part or not at
 * all. Immutable.
 */
final class PendingWrite
{
    /** Index of the journal entry that recorded it: its place in the order of everything pending. */
    final int journalIndex;
    final long position;
    /** The bytes written; null for a truncate or an extension. */
    final byte[] bytes;
    /** For a truncate or an extension, the length set. */
    final long size;
    /** Whether it is an extension (the length grown, nothing written: a hole of zeros). */
    private final boolean extension;

    private PendingWrite(final int journalIndex, final long position, final byte[] bytes, final long size,
        final boolean extension)
    {
        this.journalIndex = journalIndex;
        this.position = position;
        this.bytes = bytes;
        this.size = size;
        this.extension = extension;
    }

    static PendingWrite write(final int journalIndex, final long position, final byte[] bytes)
    {
        return new PendingWrite(journalIndex, position, bytes, 0, false);
    }

    static PendingWrite truncate(final int journalIndex, final long size)
    {
        return new PendingWrite(journalIndex, 0, null, size, false);
    }

    static PendingWrite extend(final int journalIndex, final long size)
    {
        return new PendingWrite(journalIndex, 0, null, size, true);
    }

    /** @return the same change, recorded {@code shift} entries earlier. */
    PendingWrite shifted(final int shift)
    {
        return new PendingWrite(journalIndex - shift, position, bytes, size, extension);
    }

    boolean isTruncate()
    {
        return bytes == null && !extension;
    }

    boolean isExtension()
    {
        return extension;
    }

    long end()
    {
        return position + bytes.length;
    }

    /** @return how many blocks of {@code blockSize} the write touches (1 for a truncate or an extension). */
    int blocks(final int blockSize)
    {
        if (bytes == null || bytes.length == 0)
        {
            return 1;
        }
        return (int)((end() - 1) / blockSize - position / blockSize + 1);
    }

    /**
     * Applies the first {@code blocks} blocks of this write (all of a truncate or an extension when blocks > 0) to
     * {@code file}.
     */
    void applyTo(final Bytes file, final int blocks, final int blockSize)
    {
        if (blocks <= 0)
        {
            return;
        }
        if (isTruncate())
        {
            file.truncate(size);
            return;
        }
        if (extension)
        {
            file.extend(size);
            return;
        }
        final long cut = Math.min(end(), (position / blockSize + blocks) * (long)blockSize);
        file.write(position, bytes, 0, (int)(cut - position));
    }
}
