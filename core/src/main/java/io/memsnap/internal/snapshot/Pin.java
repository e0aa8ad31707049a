package io.memsnap.internal.snapshot;

import io.memsnap.InvalidEntryException;
import io.memsnap.internal.format.PinsDescriptor;
import io.memsnap.internal.format.Utf8;

/**
 * One pinned snapshot: retention keeps its generation, whatever the other rules say, until it is unpinned or its
 * expiry passes. Thread safe: immutable.
 */
public final class Pin
{
    public final long generation;
    public final String label;
    /** Epoch milliseconds after which the pin no longer keeps the snapshot; {@link PinsDescriptor#NEVER} if never. */
    public final long expiresAtMillis;

    public Pin(final long generation, final String label, final long expiresAtMillis)
    {
        this.generation = generation;
        this.label = label;
        this.expiresAtMillis = expiresAtMillis;
    }

    /** @return whether the pin still keeps its snapshot at {@code nowMillis} (it does until its expiry, excluded). */
    public boolean liveAt(final long nowMillis)
    {
        return nowMillis < expiresAtMillis;
    }

    public boolean expires()
    {
        return expiresAtMillis != PinsDescriptor.NEVER;
    }

    /**
     * @return the UTF-8 length of a label a user gives.
     * @throws InvalidEntryException if it is null, empty, longer than {@link PinsDescriptor#MAX_LABEL_BYTES} UTF-8
     *                               bytes, not valid Unicode, or holds a control character (it is printed one line a
     *                               snapshot by {@code memsnap list}).
     */
    public static int checkLabel(final String label)
    {
        if (label == null || label.isEmpty())
        {
            throw new InvalidEntryException("a pin label must not be empty: name why the snapshot is kept");
        }
        final int length = Utf8.encodedLength(label, "pin label");
        if (length > PinsDescriptor.MAX_LABEL_BYTES)
        {
            throw new InvalidEntryException("pin label is " + length + " bytes of UTF-8; at most " +
                PinsDescriptor.MAX_LABEL_BYTES + " are allowed: keep details in the snapshot's labels");
        }
        for (int i = 0; i < label.length(); i++)
        {
            if (Character.isISOControl(label.charAt(i)))
            {
                throw new InvalidEntryException("pin label holds a control character at char " + i +
                    ": use printable text");
            }
        }
        return length;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Pin))
        {
            return false;
        }
        final Pin p = (Pin)o;
        return generation == p.generation && expiresAtMillis == p.expiresAtMillis && label.equals(p.label);
    }

    @Override
    public int hashCode()
    {
        return (Long.hashCode(generation) * 31 + label.hashCode()) * 31 + Long.hashCode(expiresAtMillis);
    }

    @Override
    public String toString()
    {
        return "Pin{generation=" + generation + ", label=" + label + (expires() ? ", expiresAt=" + expiresAtMillis :
            "") + '}';
    }
}
