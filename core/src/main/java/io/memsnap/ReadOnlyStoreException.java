package io.memsnap;

/**
 * A write was attempted on a store opened read-only: open it without {@link StoreOptions#readOnly()} to write.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class ReadOnlyStoreException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /** A write to a store opened read-only; the message says to open a writer instead. */
    public ReadOnlyStoreException()
    {
        super("store is open read-only (a retained snapshot): open it without StoreOptions.readOnly to write");
    }
}
