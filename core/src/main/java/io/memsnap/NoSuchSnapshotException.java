package io.memsnap;

import java.nio.file.Path;
import java.util.List;

/**
 * A read-only open, or a pin, asked for a snapshot generation the store does not retain (retention deleted it, or it
 * was never taken). Nothing was changed: ask for one of the generations the message lists
 * ({@link MemoryStore#snapshots()}, {@code memsnap list}), and pin a snapshot ({@link MemoryStore#pin}) to keep it.
 *
 * <p>Immutable, as every memsnap exception: it may be handed to another thread.
 */
public class NoSuchSnapshotException extends MemsnapException
{
    private static final long serialVersionUID = 1L;

    /**
     * What to do is in the message: open one of the retained generations.
     *
     * @param generation the generation asked for.
     * @param dir the store's directory.
     * @param retained the generations retained.
     */
    public NoSuchSnapshotException(final long generation, final Path dir, final List<Long> retained)
    {
        super("snapshot generation " + generation + " is not retained in " + dir + ": the retained ones are " +
            retained + " ('memsnap list' shows them)");
    }
}
