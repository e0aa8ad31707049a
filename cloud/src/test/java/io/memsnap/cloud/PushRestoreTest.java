package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Push, list and restore against a real S3 server: the restored store holds exactly the pushed snapshot, a second
 * push of the same snapshot writes nothing, a push after more writes uploads only what they added, and a restore of
 * an older generation gives that snapshot.
 */
class PushRestoreTest
{
    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    @Test
    void pushedSnapshotRestoresWithItsEntries() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 3_000, 1);
            store.snapshot();
        }
        try (RemoteStore remote = S3Fixture.remote(server, "replicas/a"))
        {
            final Pusher pusher = new Pusher(remote);
            final PushResult first = pusher.push(dir);
            assertFalse(first.upToDate());
            assertEquals(1, first.remoteGeneration());
            assertTrue(first.bytesUploaded() > 0, first.toString());
            final PushResult again = pusher.push(dir);
            assertTrue(again.upToDate(), again.toString());

            try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
            {
                Stores.write(store, 0, 100, 2);
                store.snapshot();
            }
            final PushResult second = pusher.push(dir);
            assertEquals(2, second.remoteGeneration());
            assertTrue(second.bytesReused() > first.bytesUploaded() / 2, second.toString());

            final List<RemoteSnapshot> listed = remote.snapshots();
            assertEquals(2, listed.size());
            assertEquals(3_000, listed.get(1).entryCount());

            final RestoreResult newest = new Restorer(remote).restore(tmp.resolve("newest"), 0);
            assertEquals(2, newest.snapshot().generation());
            Stores.assertHolds(tmp.resolve("newest"), 3_000, 100, 2);
            new Restorer(remote).restore(tmp.resolve("older"), 1);
            Stores.assertHolds(tmp.resolve("older"), 3_000, 0, 2);
        }
        try (MemoryStore restored = MemoryStore.open(tmp.resolve("newest"), Stores.options()))
        {
            Stores.write(restored, 5_000, 10, 1);
            restored.snapshot();
            assertEquals(3_010, restored.size());
        }
    }
}
