package io.memsnap.internal.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C over ranges of a direct (mapped) buffer or a byte array, without allocating. The JDK's CRC32C is an
 * intrinsic on x86 and ARM.
 *
 * <p>Not thread safe: each thread owns its instance, and each instance its own view of a buffer (a view's
 * position and limit are changed by every call).
 */
public final class Checksum
{
    private final CRC32C crc = new CRC32C();

    /**
     * @param view   a buffer whose position and limit this call may change; use a duplicate owned by the caller.
     * @param offset first byte, absolute.
     * @param length number of bytes.
     * @return the CRC32C of the range as an int.
     */
    public int compute(final ByteBuffer view, final int offset, final int length)
    {
        crc.reset();
        view.clear();
        view.position(offset).limit(offset + length);
        crc.update(view);
        return (int)crc.getValue();
    }

    /** @return the CRC32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    public int compute(final byte[] bytes, final int offset, final int length)
    {
        crc.reset();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }

    /** @return the unsigned form of a stored checksum, for messages. */
    public static long unsigned(final int crc)
    {
        return crc & 0xFFFF_FFFFL;
    }
}
