package io.memsnap.cli.archive;

import java.io.IOException;

/**
 * Receives what {@link ArchiveReader} reads, in file order, each part after it validated. Nothing is known to be
 * sound until {@link ArchiveReader#read} returns: the SHA-256 is checked last. Implementations need not be thread
 * safe: the reader calls from one thread.
 */
public interface ArchiveVisitor
{
    /** The header, before any record. */
    default void header(final ArchiveHeader header) throws IOException
    {
    }

    /**
     * One entry; the arrays are the visitor's to keep.
     *
     * @param indices strictly increasing, below the dimension.
     * @param values  finite.
     */
    default void entry(final String id, final int[] indices, final float[] values, final float importance,
        final long storedAtMillis, final byte[] metadata) throws IOException
    {
    }

    /** One named state, after every entry; the array is the visitor's to keep. */
    default void state(final String name, final byte[] value) throws IOException
    {
    }
}
