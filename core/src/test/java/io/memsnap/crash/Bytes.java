package io.memsnap.crash;

import java.util.Arrays;

/** The contents of a file in the model: a growable byte array and a length. Not thread safe. */
final class Bytes
{
    private byte[] data;
    private int length;

    Bytes(final byte[] initial)
    {
        this.data = initial.clone();
        this.length = initial.length;
    }

    private Bytes(final byte[] data, final int length)
    {
        this.data = data;
        this.length = length;
    }

    Bytes copy()
    {
        return new Bytes(Arrays.copyOf(data, Math.max(length, 16)), length);
    }

    int length()
    {
        return length;
    }

    byte get(final int position)
    {
        return position < length ? data[position] : 0;
    }

    /** Writes {@code src[from, to)} at {@code position}; a gap past the end reads as zeros (a hole). */
    void write(final long position, final byte[] src, final int from, final int to)
    {
        final int at = checkedPosition(position);
        final int end = at + (to - from);
        ensureCapacity(end);
        System.arraycopy(src, from, data, at, to - from);
        length = Math.max(length, end);
    }

    /** Cuts to {@code size} bytes if longer. */
    void truncate(final long size)
    {
        final int at = checkedPosition(size);
        if (at < length)
        {
            Arrays.fill(data, at, length, (byte)0);
            length = at;
        }
    }

    /** Grows to {@code size} bytes if shorter; the new bytes are zeros (a hole). */
    void extend(final long size)
    {
        final int at = checkedPosition(size);
        if (at > length)
        {
            setLength(at);
        }
    }

    /** Sets the length, zero-filling any growth. */
    void setLength(final int newLength)
    {
        if (newLength < length)
        {
            truncate(newLength);
            return;
        }
        ensureCapacity(newLength);
        length = newLength;
    }

    byte[] toArray()
    {
        return Arrays.copyOf(data, length);
    }

    private void ensureCapacity(final int capacity)
    {
        if (capacity > data.length)
        {
            data = Arrays.copyOf(data, (int)Math.min(Integer.MAX_VALUE - 8, Math.max(capacity, data.length * 2L)));
        }
    }

    private static int checkedPosition(final long position)
    {
        if (position < 0 || position > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("position " + position + " is beyond what the model holds in memory");
        }
        return (int)position;
    }
}
