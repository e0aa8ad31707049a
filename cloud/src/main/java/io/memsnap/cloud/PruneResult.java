package io.memsnap.cloud;

import java.util.List;

/** What one prune of a prefix did. Thread safe: immutable. */
public final class PruneResult
{
    private final List<Long> retired;
    private final List<Long> deleted;
    private final int objectsDeleted;
    private final long bytesDeleted;

    PruneResult(final List<Long> retired, final List<Long> deleted, final int objectsDeleted, final long bytesDeleted)
    {
        this.retired = List.copyOf(retired);
        this.deleted = List.copyOf(deleted);
        this.objectsDeleted = objectsDeleted;
        this.bytesDeleted = bytesDeleted;
    }

    /** @return the remote generations this prune retired (no longer offered; deleted after the grace period). */
    public List<Long> retired()
    {
        return retired;
    }

    /** @return the remote generations whose manifests this prune deleted. */
    public List<Long> deleted()
    {
        return deleted;
    }

    /** @return the data objects deleted. */
    public int objectsDeleted()
    {
        return objectsDeleted;
    }

    public long bytesDeleted()
    {
        return bytesDeleted;
    }

    @Override
    public String toString()
    {
        return "retired " + retired + ", deleted " + deleted + " and " + objectsDeleted + " data objects (" +
            bytesDeleted + " bytes)";
    }
}
