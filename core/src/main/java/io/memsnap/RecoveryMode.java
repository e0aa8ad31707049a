package io.memsnap;

/**
 * What {@link MemoryStore#open} does when it finds damage.
 *
 * <p>Its constants are immutable and may be shared between threads.
 */
public enum RecoveryMode
{
    /**
     * Use the newest snapshot that validates, logging a warning for each newer one that does not; replay the tail
     * of valid records after it and cut the tail at the first torn record. The default.
     */
    FALLBACK,

    /** Refuse to open, with {@link CorruptStoreException}, if the newest snapshot or any record of the tail is damaged. */
    STRICT
}
