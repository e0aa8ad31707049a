package io.memsnap.internal.snapshot;

import io.memsnap.internal.format.ManifestDescriptor;

import java.util.Arrays;

/**
 * One tagged extension of a 3.0 manifest (layout in {@link ManifestDescriptor}): a tag, flags saying who must know
 * it, and its bytes, which the feature owning the tag encodes and decodes. Thread safe: immutable (the bytes are
 * copied in and out).
 */
public final class ManifestExtension
{
    /** Largest body of one extension: a manifest stays small. */
    public static final int MAX_LENGTH = 4 * 1024 * 1024;

    public final int tag;
    public final int flags;
    private final byte[] body;

    public ManifestExtension(final int tag, final int flags, final byte[] body)
    {
        if (tag <= 0 || tag > 0xFFFF || flags < 0 || flags > 0xFFFF || body.length > MAX_LENGTH)
        {
            throw new IllegalArgumentException("bad manifest extension: tag " + tag + ", flags " + flags + ", " +
                body.length + " bytes");
        }
        this.tag = tag;
        this.flags = flags;
        this.body = body.clone();
    }

    /** @return a copy of the bytes. */
    public byte[] body()
    {
        return body.clone();
    }

    public int length()
    {
        return body.length;
    }

    public boolean readersMustKnow()
    {
        return (flags & ManifestDescriptor.EXTENSION_READERS_MUST_KNOW) != 0;
    }

    public boolean writersMustKnow()
    {
        return (flags & ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW) != 0;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof ManifestExtension))
        {
            return false;
        }
        final ManifestExtension e = (ManifestExtension)o;
        return tag == e.tag && flags == e.flags && Arrays.equals(body, e.body);
    }

    @Override
    public int hashCode()
    {
        return (tag * 31 + flags) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString()
    {
        return "ManifestExtension{tag=" + tag + ", flags=" + flags + ", " + body.length + " bytes}";
    }
}
