package io.memsnap.cloud;

/** What one push did. Thread safe: immutable. */
public final class PushResult
{
    private final long remoteGeneration;
    private final long localGeneration;
    private final boolean upToDate;
    private final long bytesUploaded;
    private final int objectsUploaded;
    private final long bytesReused;
    private final boolean newTimeline;

    PushResult(final long remoteGeneration, final long localGeneration, final boolean upToDate,
        final long bytesUploaded, final int objectsUploaded, final long bytesReused, final boolean newTimeline)
    {
        this.remoteGeneration = remoteGeneration;
        this.localGeneration = localGeneration;
        this.upToDate = upToDate;
        this.bytesUploaded = bytesUploaded;
        this.objectsUploaded = objectsUploaded;
        this.bytesReused = bytesReused;
        this.newTimeline = newTimeline;
    }

    /** @return the remote generation that holds the snapshot (committed by this push, or found there). */
    public long remoteGeneration()
    {
        return remoteGeneration;
    }

    /** @return the generation of the snapshot in the local store. */
    public long localGeneration()
    {
        return localGeneration;
    }

    /** @return whether the newest remote snapshot was this snapshot already: nothing was written. */
    public boolean upToDate()
    {
        return upToDate;
    }

    /** @return the data bytes this push uploaded (objects a killed push uploaded before are not counted). */
    public long bytesUploaded()
    {
        return bytesUploaded;
    }

    public int objectsUploaded()
    {
        return objectsUploaded;
    }

    /** @return the data bytes the snapshot shares with the previous remote snapshot, or found uploaded. */
    public long bytesReused()
    {
        return bytesReused;
    }

    /** @return whether the push began a new remote timeline (it did not continue the newest remote snapshot). */
    public boolean newTimeline()
    {
        return newTimeline;
    }

    @Override
    public String toString()
    {
        return upToDate ? "local generation " + localGeneration + " is remote generation " + remoteGeneration +
            " already" : "pushed local generation " + localGeneration + " as remote generation " + remoteGeneration +
            ": " + bytesUploaded + " bytes in " + objectsUploaded + " objects uploaded, " + bytesReused +
            " bytes already there" + (newTimeline ? ", a new timeline" : "");
    }
}
