package io.memsnap.internal.snapshot;

/**
 * What a checkpoint needs to know of the snapshots and syncs running beside it (see
 * {@link CheckpointScheduler}): whether one is running and how many have ended. Thread safe.
 */
public interface FlushProgress
{
    /** @return whether a snapshot or a sync is running now. */
    boolean flushRunning();

    /** @return how many snapshots and syncs have ended so far. */
    long flushesEnded();
}
