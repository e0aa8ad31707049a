package io.memsnap;

import java.nio.file.Path;

/**
 * Another process (or another open store in this JVM) already writes to this directory: close that store first, or
 * open this one read-only ({@link StoreOptions.Builder#readOnly(boolean)}) to read a retained snapshot beside it.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class StoreLockedException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * A store directory whose lock another writer holds.
     *
     * @param lockFile the lock file another writer holds.
     */
    public StoreLockedException(final Path lockFile)
    {
        super("store is locked by another writer: " + lockFile + " is held. Close the other process's store first, " +
            "or open this one read-only (StoreOptions.readOnly) to read a retained snapshot while it runs.");
    }
}
