package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Remote retention: the newest N and the pinned snapshots are kept; the others are first retired (no longer
 * offered, their objects kept through the grace period), then deleted with the data objects no kept snapshot
 * needs; every kept snapshot still restores.
 */
class RemoteRetentionTest
{
    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    @Test
    void keepsNewestAndPinnedDeletesTheRestAfterGrace() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (RemoteStore remote = S3Fixture.remote(server, "retained"))
        {
            final Pusher pusher = new Pusher(remote);
            for (int version = 1; version <= 5; version++)
            {
                try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
                {
                    Stores.write(store, 0, 500, version);
                    store.compact(); // the newest snapshots stop needing the first segments
                    store.checkpoint();
                    store.snapshot();
                }
                pusher.push(dir);
            }
            final RemoteRetention retention = new RemoteRetention(remote);
            retention.pin(2, "before migration", null);
            final int objects = remote.list(RemoteManifestDescriptor.DATA).size();

            final PruneResult graced = retention.prune(new RemoteRetention.Rules(2, null, Duration.ofHours(1)));
            assertEquals(List.of(3L, 1L), graced.retired());
            assertEquals(0, graced.objectsDeleted(), "deleted within the grace period");
            assertEquals(List.of(2L, 4L, 5L), remote.generations());
            assertThrows(RemoteNotFoundException.class, () -> new Restorer(remote).restore(tmp.resolve("r1"), 1));

            final PruneResult pruned = retention.prune(new RemoteRetention.Rules(2, null, Duration.ZERO));
            assertEquals(List.of(3L, 1L), pruned.deleted());
            assertTrue(pruned.objectsDeleted() > 0, pruned.toString());
            assertEquals(objects - pruned.objectsDeleted(), remote.list(RemoteManifestDescriptor.DATA).size());
            for (final long g : List.of(2L, 4L, 5L))
            {
                new Restorer(remote).restore(tmp.resolve("g" + g), g);
                Stores.assertHolds(tmp.resolve("g" + g), 500, 500, g == 2 ? 2 : g);
            }
            assertTrue(retention.unpin(2));
            assertEquals(List.of(2L), retention.prune(new RemoteRetention.Rules(2, null, Duration.ZERO)).retired());
            assertEquals(List.of(2L), retention.prune(new RemoteRetention.Rules(2, null, Duration.ZERO)).deleted());
            assertEquals(List.of(4L, 5L), remote.generations());
            assertThrows(IllegalArgumentException.class, () -> new RemoteRetention.Rules(0, null, Duration.ZERO));
        }
    }
}
