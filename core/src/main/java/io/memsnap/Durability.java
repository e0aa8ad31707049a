package io.memsnap;

/**
 * When a write becomes durable, and what a crash may lose: a crash of the process (SIGKILL, an out-of-memory kill, a
 * JVM crash: the operating system keeps what was handed to it) or of the machine (a power cut: only what was flushed
 * to the disk survives). In every mode, what survives is a prefix of the writes in order, never shorter than what
 * was acknowledged durable: the last {@link MemoryStore#sync()}, {@link MemoryStore#snapshot} or {@code close()}
 * that returned (and, with {@link #EVERY_WRITE}, every write that returned).
 *
 * <p>Its constants are immutable and may be shared between threads.
 */
public enum Durability
{
    /**
     * A write is handed to the operating system (one positional write of its record) before {@code put} or
     * {@code delete} returns, and is durable once a later {@link MemoryStore#sync()} or {@link MemoryStore#snapshot}
     * returns. A crash of the process loses nothing that returned; a power cut may lose what was written since the
     * last sync or snapshot. The default.
     */
    ON_SYNC,

    /**
     * Every write is flushed to disk (fdatasync of its segment, then of the durable watermark) before {@code put} or
     * {@code delete} returns. Two flushes a write: slow, nothing acknowledged is lost, by a crash of the process or
     * of the machine. A {@link MemoryStore#write(WriteBatch) batch} is flushed once, before it returns.
     */
    EVERY_WRITE,

    /**
     * Writes gather in the store's write buffer ({@link StoreOptions#writeBufferBytes()}, off the heap, visible to
     * readers at once) and are handed to the operating system with one write when it is full, and by every
     * {@link MemoryStore#sync()}, {@link MemoryStore#snapshot}, {@link MemoryStore#verify} and {@code close()}: no
     * system call for most writes. A write is durable once a later sync or snapshot returns, as with
     * {@link #ON_SYNC}. A crash of the process loses what the buffer held: at most the newest
     * {@code writeBufferBytes} of records written since the last sync or snapshot (an idle writer's last writes stay
     * there until one of those calls); a power cut may lose what was written since the last sync or snapshot.
     */
    BUFFERED
}
