package io.memsnap.cli.archive;

import io.memsnap.MemsnapException;

import java.nio.file.Path;

/**
 * An archive's bytes are not what memsnap writes: truncated, a checksum or the SHA-256 fails, a length or count is
 * impossible, records are out of order. Names the file and the byte offset of the damaged structure. The tool
 * exits with 3. Thread safe: immutable.
 */
public final class CorruptArchiveException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CorruptArchiveException(final String problem, final Path file, final long offset)
    {
        super("corrupt archive " + file + " at offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** @return the archive file. */
    public Path file()
    {
        return file;
    }

    /** @return the byte offset in the file of the structure found damaged. */
    public long offset()
    {
        return offset;
    }
}
