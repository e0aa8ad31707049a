package io.memsnap.crash;

/**
 * Where a test driving a store says what it asked for and what the store promised: a {@link RecordingFileSystem}
 * puts them in its journal; a fault test keeps only the last promise. Implementations must be thread safe.
 */
public interface WorkloadMarkers
{
    /** The store is about to be asked for the write with this sequence number. */
    void issue(long sequence);

    /** Every write up to {@code sequence} was acknowledged durable (a sync, a snapshot, EVERY_WRITE). */
    void acknowledge(long sequence);

    /** A snapshot of the writes up to {@code sequence} was committed: the newest one must hold them. */
    void acknowledgeSnapshot(long sequence);

    /** A text for reports. */
    void label(String text);

    /**
     * Snapshot {@code generation}, holding the writes up to {@code sequence}, was pinned: it must stay until a
     * {@link #releasePin} of it.
     */
    default void acknowledgePin(final long generation, final long sequence)
    {
    }

    /** Snapshot {@code generation} is about to be unpinned: from now on it may go. */
    default void releasePin(final long generation)
    {
    }

    /**
     * A rewind of {@code timeline} to a snapshot holding its writes up to {@code sequence} is about to begin: until
     * {@link #rewound}, the store may come back on that timeline or on the new one holding exactly those writes.
     */
    default void rewinding(final long timeline, final long sequence)
    {
    }

    /**
     * The rewind returned: the store is on {@code timeline}, which holds the writes up to {@code sequence} (promised
     * durable, in its newest snapshot); the next write is {@code sequence + 1}.
     */
    default void rewound(final long timeline, final long sequence)
    {
    }
}
