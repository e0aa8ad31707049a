package io.memsnap.internal.format;

import io.memsnap.InvalidEntryException;
import io.memsnap.internal.memory.MemoryRegion;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 of ids and names, encoded and compared straight from and to buffers so that lookups allocate nothing.
 * Unpaired surrogates are refused: they have no UTF-8 form, and two ids must never encode to the same bytes.
 *
 * <p>Thread safe: stateless.
 */
public final class Utf8
{

    private Utf8()
    {
    }

    /**
     * @return the UTF-8 length of {@code s}.
     * @throws InvalidEntryException if {@code s} holds an unpaired surrogate.
     */
    public static int encodedLength(final CharSequence s, final String what)
    {
        final int length = encodedLengthOrBadChar(s);
        if (length < 0)
        {
            throw new InvalidEntryException(what + " holds an unpaired surrogate at char " + (-1 - length) +
                ": it must be valid Unicode");
        }
        return length;
    }

    /**
     * @return the UTF-8 length of {@code s}, or {@code -1 - i} if char {@code i} is an unpaired surrogate. Allocates
     * nothing, so the write path builds an error message only when there is an error.
     */
    public static int encodedLengthOrBadChar(final CharSequence s)
    {
        int length = 0;
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                length += 1;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                return -1 - i;
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    /** Writes the UTF-8 of {@code s} (already checked by {@link #encodedLength}) at {@code offset}. */
    public static void encode(final CharSequence s, final MemoryRegion buffer, final int offset)
    {
        int p = offset;
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                buffer.putByte(p++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(p++, (byte)(0xC0 | (c >>> 6)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c))
            {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                buffer.putByte(p++, (byte)(0xF0 | (cp >>> 18)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >>> 12) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >>> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                buffer.putByte(p++, (byte)(0xE0 | (c >>> 12)));
                buffer.putByte(p++, (byte)(0x80 | ((c >>> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
        }
    }

    /**
     * @return whether the UTF-8 bytes at {@code offset} of {@code length} encode exactly {@code s}. Allocates
     * nothing; {@code s} may hold anything (an unpaired surrogate simply never matches).
     */
    public static boolean equals(final CharSequence s, final MemoryRegion buffer, final int offset, final int length)
    {
        if (s.length() == length)
        {
            // As many bytes as chars: equal only if every char is ASCII and equals its byte (any other char takes
            // more than one byte). The region checks the range once and compares in the loop its version runs best.
            return buffer.equalsAscii(offset, s, length);
        }
        int p = offset;
        final int end = offset + length;
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                if (p >= end || buffer.getByte(p++) != (byte)c)
                {
                    return false;
                }
            }
            else if (c < 0x800)
            {
                if (p + 2 > end || buffer.getByte(p++) != (byte)(0xC0 | (c >>> 6)) ||
                    buffer.getByte(p++) != (byte)(0x80 | (c & 0x3F)))
                {
                    return false;
                }
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                if (p + 4 > end || buffer.getByte(p++) != (byte)(0xF0 | (cp >>> 18)) ||
                    buffer.getByte(p++) != (byte)(0x80 | ((cp >>> 12) & 0x3F)) ||
                    buffer.getByte(p++) != (byte)(0x80 | ((cp >>> 6) & 0x3F)) ||
                    buffer.getByte(p++) != (byte)(0x80 | (cp & 0x3F)))
                {
                    return false;
                }
            }
            else if (Character.isSurrogate(c))
            {
                return false;
            }
            else if (p + 3 > end || buffer.getByte(p++) != (byte)(0xE0 | (c >>> 12)) ||
                buffer.getByte(p++) != (byte)(0x80 | ((c >>> 6) & 0x3F)) ||
                buffer.getByte(p++) != (byte)(0x80 | (c & 0x3F)))
            {
                return false;
            }
        }
        return p == end;
    }

    /** @return the string the UTF-8 bytes encode (allocates). */
    public static String decode(final MemoryRegion buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
