package io.memsnap;

/**
 * The store was used after {@link MemoryStore#close()}, or while it ran (by a visitor it was waiting for): open it
 * again with {@link MemoryStore#open}, and do not call the store from a visitor that close may wait for.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class StoreClosedException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /** The message says to open the store again. */
    public StoreClosedException()
    {
        super("store is closed: open it again with MemoryStore.open");
    }
}
