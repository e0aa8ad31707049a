package io.memsnap.internal.lifecycle;

/**
 * What a store knows of its compactions since it opened: whether a pass is copying now, the segments it compacted,
 * the records and bytes it copied, and how the last pass ended. Told by the {@link Compactor} as it goes (after each
 * batch and each segment, so a running pass shows its progress), read by store statistics.
 *
 * <p>Concurrency: thread safe. The compacting thread (one at a time: compactions are serialised) reports under this
 * object's monitor, holding nothing else and doing no I/O inside it, so a reader of {@link #view()} waits at most for
 * a few additions, never for a batch or a pass.
 */
public final class CompactionLedger
{
    /** The figures at one moment. Immutable. */
    public static final class View
    {
        /** Whether a pass that chose segments to compact is running. */
        public final boolean running;
        public final long segmentsCompacted;
        public final long recordsCopied;
        public final long bytesCopied;
        /** The message of the last pass that failed if none completed since; null otherwise. */
        public final String lastError;

        View(final boolean running, final long segmentsCompacted, final long recordsCopied, final long bytesCopied,
            final String lastError)
        {
            this.running = running;
            this.segmentsCompacted = segmentsCompacted;
            this.recordsCopied = recordsCopied;
            this.bytesCopied = bytesCopied;
            this.lastError = lastError;
        }
    }

    private boolean running;
    private long segmentsCompacted;
    private long recordsCopied;
    private long bytesCopied;
    private String lastError;

    /** A pass chose segments and begins to copy. */
    synchronized void started()
    {
        running = true;
    }

    /** A batch appended {@code records} copies taking {@code bytes}. */
    synchronized void copied(final long records, final long bytes)
    {
        recordsCopied += records;
        bytesCopied += bytes;
    }

    /** Every record of a segment was dealt with. */
    synchronized void segmentCompacted()
    {
        segmentsCompacted++;
    }

    /** A pass ended: {@code failure} is null if it completed (or was cancelled), else why it stopped. */
    synchronized void ended(final RuntimeException failure)
    {
        running = false;
        lastError = failure == null ? null : failure.getMessage() == null ? failure.toString() :
            failure.getMessage();
    }

    /** @return the figures at one moment. Any thread. */
    public synchronized View view()
    {
        return new View(running, segmentsCompacted, recordsCopied, bytesCopied, lastError);
    }
}
