package io.memsnap;

/**
 * What a compaction did ({@link MemoryStore#compact()}), or has done so far (its progress). Thread safe: immutable.
 */
public final class CompactionResult
{
    private final int segmentsCompacted;
    private final int segmentsToCompact;
    private final long recordsCopied;
    private final long bytesCopied;
    private final long bytesFreed;
    private final long bytesAwaitingDeletion;

    /**
     * Made by the engine at the end of a compaction; each parameter is what the accessor of the same name returns.
     *
     * @param segmentsCompacted see {@link #segmentsCompacted()}.
     * @param segmentsToCompact see {@link #segmentsToCompact()}.
     * @param recordsCopied see {@link #recordsCopied()}.
     * @param bytesCopied see {@link #bytesCopied()}.
     * @param bytesFreed see {@link #bytesFreed()}.
     * @param bytesAwaitingDeletion see {@link #bytesAwaitingDeletion()}.
     */
    public CompactionResult(final int segmentsCompacted, final int segmentsToCompact, final long recordsCopied,
        final long bytesCopied, final long bytesFreed, final long bytesAwaitingDeletion)
    {
        this.segmentsCompacted = segmentsCompacted;
        this.segmentsToCompact = segmentsToCompact;
        this.recordsCopied = recordsCopied;
        this.bytesCopied = bytesCopied;
        this.bytesFreed = bytesFreed;
        this.bytesAwaitingDeletion = bytesAwaitingDeletion;
    }

    /** {@return segments whose live records were copied to the tail of the log.} */
    public int segmentsCompacted()
    {
        return segmentsCompacted;
    }

    /** {@return segments the compaction chose to compact (at its end, the same as {@link #segmentsCompacted()}).} */
    public int segmentsToCompact()
    {
        return segmentsToCompact;
    }

    /** {@return records copied: live entries and named states, and delete records that must stay.} */
    public long recordsCopied()
    {
        return recordsCopied;
    }

    /** {@return bytes appended to the log by the copies.} */
    public long bytesCopied()
    {
        return bytesCopied;
    }

    /** {@return bytes of segment files deleted by this call.} */
    public long bytesFreed()
    {
        return bytesFreed;
    }

    /**
     * {@return bytes of segment files that hold no live record any more but are still on disk: a retained snapshot
     * still needs them (they go once the snapshots after the compaction retire it), a read-only reader has them
     * mapped, or the store's own readers are still inside.}
     */
    public long bytesAwaitingDeletion()
    {
        return bytesAwaitingDeletion;
    }

    @Override
    public String toString()
    {
        return "CompactionResult{segmentsCompacted=" + segmentsCompacted + ", recordsCopied=" + recordsCopied +
            ", bytesCopied=" + bytesCopied + ", bytesFreed=" + bytesFreed + ", bytesAwaitingDeletion=" +
            bytesAwaitingDeletion + '}';
    }
}
