package io.memsnap.cloud;

import java.nio.file.Path;

/** What one restore did. Thread safe: immutable. */
public final class RestoreResult
{
    private final Path directory;
    private final RemoteSnapshot snapshot;
    private final long bytes;
    private final long nanos;

    RestoreResult(final Path directory, final RemoteSnapshot snapshot, final long bytes, final long nanos)
    {
        this.directory = directory;
        this.snapshot = snapshot;
        this.bytes = bytes;
        this.nanos = nanos;
    }

    /** @return the store directory it made. */
    public Path directory()
    {
        return directory;
    }

    /** @return the remote snapshot it holds. */
    public RemoteSnapshot snapshot()
    {
        return snapshot;
    }

    /** @return the data bytes downloaded. */
    public long bytes()
    {
        return bytes;
    }

    /** @return how long it took, fetch, checks, install and rename. */
    public long nanos()
    {
        return nanos;
    }

    @Override
    public String toString()
    {
        return "restored remote generation " + snapshot.generation() + " (local " + snapshot.localGeneration() +
            ", " + snapshot.entryCount() + " entries) into " + directory + ": " + bytes + " bytes in " +
            snapshot.objects() + " objects, " + nanos / 1_000_000 + " ms";
    }
}
