package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotFiles;
import io.memsnap.StoreOptions;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a push uploads: after 1,000 changes, the bytes those changes added to the snapshot's files (records and
 * index pages), whatever the size of the store; a second writer fences the first; a store restored from an older
 * snapshot and pushed begins a new timeline without touching the history after it.
 */
class IncrementalPushTest
{
    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    @Test
    void thousandChangesUploadWhatTheyWrote() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 50_000, 1);
            store.checkpoint();
            store.snapshot();
        }
        try (RemoteStore remote = S3Fixture.remote(server, "incremental"))
        {
            final Pusher pusher = new Pusher(remote);
            final PushResult first = pusher.push(dir);
            final Map<String, Long> before = lengths(dir);
            try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
            {
                for (int i = 0; i < 1_000; i++)
                {
                    Stores.write(store, (i * 7919L) % 50_000, 1, 2);
                }
                store.checkpoint();
                store.snapshot();
            }
            final Map<String, Long> after = lengths(dir);
            long grown = 0;
            for (final Map.Entry<String, Long> e : after.entrySet())
            {
                grown += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
            final PushResult second = pusher.push(dir);
            assertTrue(second.bytesUploaded() <= grown, second + " uploaded more than the files grew, " + grown);
            assertTrue(second.bytesUploaded() >= grown * 9 / 10, second + " uploaded less than they grew, " +
                grown);
            assertTrue(second.bytesUploaded() < first.bytesUploaded() / 3, second + " after " + first);
            new Restorer(remote).restore(tmp.resolve("restored"), 0);
        }
        try (MemoryStore restored = MemoryStore.open(tmp.resolve("restored"), StoreOptions.builder().readOnly(true)
            .build()))
        {
            assertEquals(50_000, restored.size());
            assertTrue(restored.verify(true).ok());
        }
    }

    @Test
    void secondWriterFencesTheFirst() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 100, 1);
            store.snapshot();
        }
        try (RemoteStore remote = S3Fixture.remote(server, "fenced"))
        {
            final Pusher first = new Pusher(remote);
            first.push(dir);
            final Pusher second = new Pusher(remote);
            assertTrue(second.push(dir).upToDate());
            snapshotMore(dir, 1);
            second.push(dir);
            assertEquals(2, second.epoch());
            snapshotMore(dir, 2);
            final WriterFencedException ex = assertThrows(WriterFencedException.class, () -> first.push(dir));
            assertTrue(ex.getMessage().contains("another pusher"), ex.getMessage());
            assertEquals(2, remote.generations().size(), "the fenced pusher committed");
            assertEquals(3, second.push(dir).remoteGeneration());
        }
    }

    @Test
    void restoredOlderSnapshotBeginsANewTimeline() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 1_000, 1);
            store.snapshot();
        }
        try (RemoteStore remote = S3Fixture.remote(server, "timelines"))
        {
            new Pusher(remote).push(dir);
            snapshotMore(dir, 2);
            new Pusher(remote).push(dir);
            final Path old = tmp.resolve("old");
            new Restorer(remote).restore(old, 1);
            try (MemoryStore store = MemoryStore.open(old, Stores.options()))
            {
                Stores.write(store, 0, 10, 3);
                store.snapshot();
            }
            final PushResult branched = new Pusher(remote).push(old);
            assertTrue(branched.newTimeline(), branched.toString());
            assertEquals(3, branched.remoteGeneration());
            assertEquals(1, remote.snapshots().get(2).timeline());
            new Restorer(remote).restore(tmp.resolve("newest"), 0);
            Stores.assertHolds(tmp.resolve("newest"), 1_000, 10, 3);
            new Restorer(remote).restore(tmp.resolve("second"), 2);
            Stores.assertHolds(tmp.resolve("second"), 1_000, 100, 2);
        }
        assertTrue(remoteKeys("timelines/" + RemoteManifestDescriptor.EPOCHS) >= 3);
    }

    private long remoteKeys(final String prefix)
    {
        try (RemoteStore remote = S3Fixture.remote(server, prefix))
        {
            return remote.list("").size();
        }
    }

    /** A writer's snapshot after rewriting the first 100 entries in {@code version}. */
    private static void snapshotMore(final Path dir, final long version)
    {
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 100, version);
            store.snapshot();
        }
    }

    private static Map<String, Long> lengths(final Path dir)
    {
        final Map<String, Long> lengths = new HashMap<>();
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
        {
            for (final SnapshotFiles.File f : store.snapshotFiles().files())
            {
                lengths.put(f.name(), f.length());
            }
        }
        return lengths;
    }
}
