package io.memsnap.crash;

/** How a crash state chooses what survives of the writes not flushed and the name changes not synced. */
public enum CrashMode
{
    /** Everything the process did survives: what a SIGKILL leaves. */
    EVERYTHING,
    /** Only what was flushed or synced survives. */
    NOTHING,
    /**
     * Everything not durable is put in journal order, writes cut at 4 KiB blocks, and a random prefix of it
     * survives: the disk wrote in order and stopped.
     */
    PREFIX,
    /** Each 4 KiB block written and each name change survives or not, independently. */
    BLOCKS,
    /** As {@link #BLOCKS} with 512-byte sectors, so a page can be torn. */
    SECTORS,
    /** A file's length grown by writes not flushed survives, but none of their data: zeros. Names as BLOCKS. */
    ZEROED_TAIL;

    /** @return the size of the units in which this mode keeps or loses written data. */
    int blockSize()
    {
        return this == SECTORS ? 512 : 4096;
    }

    /** @return whether the mode draws at random (two states of it at one point may differ). */
    public boolean isRandom()
    {
        return this != EVERYTHING && this != NOTHING;
    }
}
