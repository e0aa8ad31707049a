package io.memsnap;

import java.nio.file.Path;

/**
 * Bytes on disk do not match what memsnap wrote: a checksum failed, a length is impossible, a file is
 * shorter than a snapshot says it must be. Carries the file, the offset and, where a checksum was
 * compared, the expected and actual values.
 *
 * <p>What to do: nothing was repaired or changed. {@code memsnap verify DIR} lists the damage;
 * {@link RecoveryMode#FALLBACK} (the default) opens the newest snapshot that validates when only newer ones are
 * damaged; {@link Salvage#salvage(java.nio.file.Path, java.nio.file.Path)} ({@code memsnap salvage}) copies what still
 * validates into a new store and reports what was lost.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class CorruptStoreException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** Where in {@link #file()} the damage was found. */
    private final long offset;
    /** The checksum stored on disk, or -1 when none was compared. */
    private final long expectedChecksum;
    /** The checksum of the bytes read, or -1 when none was compared. */
    private final long actualChecksum;

    /**
     * Damage found where a checksum was compared.
     *
     * @param problem what was found, for the message.
     * @param file the damaged file.
     * @param offset where in it.
     * @param expectedChecksum the checksum stored on disk.
     * @param actualChecksum the checksum of the bytes read.
     */
    public CorruptStoreException(
        final String problem, final Path file, final long offset, final long expectedChecksum, final long actualChecksum)
    {
        super(format(problem, file, offset, expectedChecksum, actualChecksum));
        this.file = file;
        this.offset = offset;
        this.expectedChecksum = expectedChecksum;
        this.actualChecksum = actualChecksum;
    }

    /**
     * Damage found without a checksum to compare (an impossible length, a file too short).
     *
     * @param problem what was found, for the message.
     * @param file the damaged file.
     * @param offset where in it.
     */
    public CorruptStoreException(final String problem, final Path file, final long offset)
    {
        this(problem, file, offset, -1, -1);
    }

    private static String format(
        final String problem, final Path file, final long offset, final long expected, final long actual)
    {
        final StringBuilder sb = new StringBuilder(problem);
        sb.append(" (file=").append(file).append(", offset=").append(offset);
        if (expected >= 0 || actual >= 0)
        {
            sb.append(", expected crc32c=0x").append(Long.toHexString(expected))
                .append(", actual crc32c=0x").append(Long.toHexString(actual));
        }
        sb.append("). The store is damaged (disk or memory fault?): run 'memsnap verify --deep' on it, "
            + "and restore from a backup or an exported archive if it reports the same problem.");
        return sb.toString();
    }

    /** {@return the damaged file.} */
    public Path file()
    {
        return file;
    }

    /** {@return the byte offset of the damaged structure within {@link #file()}.} */
    public long offset()
    {
        return offset;
    }

    /** {@return the checksum stored on disk, or -1 when no checksum was compared.} */
    public long expectedChecksum()
    {
        return expectedChecksum;
    }

    /** {@return the checksum computed over the bytes read, or -1 when no checksum was compared.} */
    public long actualChecksum()
    {
        return actualChecksum;
    }
}
