package io.memsnap;

/** The store was used after {@link MemoryStore#close()}. */
public class StoreClosedException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    public StoreClosedException()
    {
        super("store is closed: open it again with MemoryStore.open");
    }
}
