package io.memsnap.cloud;

import io.memsnap.MemoryStore;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A child JVM that writes and pushes until it is killed: each round rewrites entries {@code [0, ENTRIES)} in the
 * next version, records the version as named state {@code version} and 3 MiB of it as {@code ballast}, snapshots
 * and pushes, and prints
 * {@code pushing V} before each push and {@code pushed V G} after it.
 *
 * <p>Arguments: endpoint, store directory, prefix.
 */
public final class PushChild
{
    static final int ENTRIES = 1_000;
    static final int BALLAST_BYTES = 3 << 20;

    private PushChild()
    {
    }

    static byte[] ballast(final long version)
    {
        final byte[] bytes = new byte[BALLAST_BYTES];
        java.util.Arrays.fill(bytes, (byte)version);
        return bytes;
    }

    public static void main(final String[] args) throws Exception
    {
        final URI endpoint = URI.create(args[0]);
        final Path dir = Path.of(args[1]);
        try (RemoteStore remote = S3Fixture.remote(endpoint, args[2]))
        {
            final Pusher pusher = new Pusher(remote);
            while (true)
            {
                final long version;
                try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
                {
                    version = store.getState("version").map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L) + 1;
                    Stores.write(store, 0, ENTRIES, version);
                    store.putState("version", ByteBuffer.allocate(Long.BYTES).putLong(version).array());
                    store.putState("ballast", ballast(version)); // so that a push uploads for a while
                    store.snapshot();
                }
                System.out.println("pushing " + version);
                System.out.flush();
                final PushResult result = pusher.push(dir);
                System.out.println("pushed " + version + " " + result.remoteGeneration());
                System.out.flush();
            }
        }
    }
}
