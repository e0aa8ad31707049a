package io.memsnap.cloud;

import io.memsnap.cloud.internal.RemoteManifest;

import java.time.Instant;

/** One pushed snapshot under a prefix, as its remote manifest records it. Thread safe: immutable. */
public final class RemoteSnapshot
{
    private final long generation;
    private final long epoch;
    private final long timeline;
    private final long localGeneration;
    private final long lastSequence;
    private final Instant createdAt;
    private final Instant pushedAt;
    private final long entryCount;
    private final long bytes;
    private final int objects;

    RemoteSnapshot(final RemoteManifest m)
    {
        this.generation = m.generation;
        this.epoch = m.epoch;
        this.timeline = m.timeline;
        this.localGeneration = m.localGeneration;
        this.lastSequence = m.lastSequence;
        this.createdAt = Instant.ofEpochMilli(m.createdAtMillis);
        this.pushedAt = Instant.ofEpochMilli(m.pushedAtMillis);
        this.entryCount = m.entryCount;
        this.bytes = m.bytes();
        this.objects = m.parts.size();
    }

    /** @return the remote generation: 1, 2, 3 ... on the prefix. */
    public long generation()
    {
        return generation;
    }

    /** @return the writer epoch of the pusher that committed it. */
    public long epoch()
    {
        return epoch;
    }

    /** @return the remote timeline: a new one begins where a push did not continue the newest snapshot. */
    public long timeline()
    {
        return timeline;
    }

    /** @return its generation in the store it was pushed from. */
    public long localGeneration()
    {
        return localGeneration;
    }

    public long lastSequence()
    {
        return lastSequence;
    }

    /** @return when the store took the snapshot. */
    public Instant createdAt()
    {
        return createdAt;
    }

    public Instant pushedAt()
    {
        return pushedAt;
    }

    public long entryCount()
    {
        return entryCount;
    }

    /** @return the bytes of its data objects: what a restore downloads. */
    public long bytes()
    {
        return bytes;
    }

    /** @return the number of its data objects. */
    public int objects()
    {
        return objects;
    }

    @Override
    public String toString()
    {
        return "remote generation " + generation + " (local " + localGeneration + ", timeline " + timeline +
            ", epoch " + epoch + "): " + entryCount + " entries, " + bytes + " bytes in " + objects + " objects, " +
            "created " + createdAt + ", pushed " + pushedAt;
    }
}
