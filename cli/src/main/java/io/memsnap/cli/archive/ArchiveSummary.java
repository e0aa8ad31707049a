package io.memsnap.cli.archive;

/**
 * What writing or fully reading an archive found: its header, how many records and frames it holds, its length and
 * its SHA-256. Thread safe: immutable.
 */
public final class ArchiveSummary
{
    private final ArchiveHeader header;
    private final long entries;
    private final long states;
    private final long frames;
    private final long streamLength;
    private final long fileLength;
    private final byte[] sha256;

    public ArchiveSummary(
        final ArchiveHeader header,
        final long entries,
        final long states,
        final long frames,
        final long streamLength,
        final long fileLength,
        final byte[] sha256)
    {
        this.header = header;
        this.entries = entries;
        this.states = states;
        this.frames = frames;
        this.streamLength = streamLength;
        this.fileLength = fileLength;
        this.sha256 = sha256.clone();
    }

    public ArchiveHeader header()
    {
        return header;
    }

    /** @return the entry records. */
    public long entries()
    {
        return entries;
    }

    /** @return the named-state records. */
    public long states()
    {
        return states;
    }

    /** @return the data frames (the end frame not counted). */
    public long frames()
    {
        return frames;
    }

    /** @return the decompressed bytes of the record stream. */
    public long streamLength()
    {
        return streamLength;
    }

    /** @return the bytes of the whole archive. */
    public long fileLength()
    {
        return fileLength;
    }

    /** @return the SHA-256 in the trailer (a copy). */
    public byte[] sha256()
    {
        return sha256.clone();
    }

    /** @return the SHA-256 in lowercase hex. */
    public String sha256Hex()
    {
        return java.util.HexFormat.of().formatHex(sha256);
    }

    @Override
    public String toString()
    {
        return "ArchiveSummary{entries=" + entries + ", states=" + states + ", frames=" + frames + ", streamLength=" +
            streamLength + ", fileLength=" + fileLength + ", sha256=" + sha256Hex() + ", header=" + header + '}';
    }
}
