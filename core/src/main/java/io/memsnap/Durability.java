package io.memsnap;

/** When a write becomes durable, that is, survives a crash of the process or of the machine. */
public enum Durability
{
    /**
     * A write is durable once a later {@link MemoryStore#sync()} or {@link MemoryStore#snapshot} returns. Writes
     * are memory speed; a crash loses at most what was written since the last sync or snapshot. The default.
     */
    ON_SYNC,

    /**
     * Every write is flushed to disk (fdatasync of its segment, then of the durable watermark) before {@code put} or
     * {@code delete} returns. Two flushes a write: slow, nothing acknowledged is lost.
     */
    EVERY_WRITE
}
