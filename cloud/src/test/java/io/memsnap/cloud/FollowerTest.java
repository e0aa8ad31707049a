package io.memsnap.cloud;

import io.memsnap.MemoryEntry;
import io.memsnap.MemoryStore;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower applies each pushed snapshot while reader threads read it: every lease a reader takes holds one whole
 * snapshot (the named state and the entries of one round of writes), the switch fetches only the new parts, the
 * files only retired snapshots needed are deleted once their leases close, and a new remote timeline moves the
 * follower to a directory of its own.
 */
class FollowerTest
{
    private static final int ENTRIES = 2_000;

    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    @Test
    void readersSeeWholeSnapshotsAcrossSwitches() throws Exception
    {
        final Path dir = tmp.resolve("store");
        round(dir, 1);
        try (RemoteStore remote = S3Fixture.remote(server, "followed"))
        {
            final Pusher pusher = new Pusher(remote);
            pusher.push(dir);
            final Follower closed;
            try (Follower follower = Follower.open(remote, tmp.resolve("replica")))
            {
                closed = follower;
                assertEquals(1, follower.status().remoteGeneration());
                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final AtomicLong newestSeen = new AtomicLong();
                final Thread reader = new Thread(() -> read(follower, stop, failure, newestSeen), "reader");
                reader.start();
                for (int version = 2; version <= 6; version++)
                {
                    round(dir, version);
                    pusher.push(dir);
                    assertTrue(follower.poll(), "no switch to version " + version);
                    assertEquals(version, follower.status().remoteGeneration());
                    assertEquals(0, follower.status().behind());
                    assertTrue(follower.status().lag().toMillis() >= 0);
                }
                assertFalse(follower.poll(), "a switch without a new snapshot");
                stop.set(true);
                reader.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(reader.isAlive(), "the reader did not finish");
                assertNull(failure.get(), () -> "reader: " + failure.get());
                assertTrue(newestSeen.get() >= 1, "the reader read nothing");
                try (Follower.Lease lease = follower.acquire())
                {
                    assertEquals(6, version(lease.store()));
                }
                follower.poll(); // closes the retired snapshots, deletes what only they needed
                assertEquals(1, manifests(tmp.resolve("replica").resolve("timeline-0")),
                    "retired manifests left");
            }
            // A closed follower opens no snapshot again, even with a newer one pushed.
            round(dir, 7);
            pusher.push(dir);
            assertThrows(IllegalStateException.class, closed::poll);
            assertThrows(IllegalStateException.class, closed::acquire);
        }
    }

    @Test
    void newTimelineMovesToItsOwnDirectory() throws Exception
    {
        final Path dir = tmp.resolve("store");
        round(dir, 1);
        try (RemoteStore remote = S3Fixture.remote(server, "timelines"))
        {
            new Pusher(remote).push(dir);
            round(dir, 2);
            new Pusher(remote).push(dir);
            try (Follower follower = Follower.open(remote, tmp.resolve("replica")))
            {
                final Path old = tmp.resolve("old");
                new Restorer(remote).restore(old, 1);
                round(old, 7);
                assertTrue(new Pusher(remote).push(old).newTimeline());
                assertTrue(follower.poll());
                try (Follower.Lease lease = follower.acquire())
                {
                    assertEquals(7, version(lease.store()));
                }
                follower.poll();
                assertFalse(Files.exists(tmp.resolve("replica").resolve("timeline-0")));
                assertTrue(Files.exists(tmp.resolve("replica").resolve("timeline-1")));
            }
        }
    }

    private static void read(final Follower follower, final AtomicBoolean stop, final AtomicReference<Throwable> failure,
        final AtomicLong newestSeen)
    {
        final Random random = new Random(1);
        try
        {
            while (!stop.get())
            {
                try (Follower.Lease lease = follower.acquire())
                {
                    final long version = version(lease.store());
                    for (int i = 0; i < 50; i++)
                    {
                        final int n = random.nextInt(ENTRIES);
                        final MemoryEntry e = lease.store().get(Stores.id(n)).orElseThrow();
                        assertArrayEquals(Stores.metadata(n, version), e.metadata(), "entry " + n + " of version " +
                            version + " in remote generation " + lease.remoteGeneration());
                    }
                    newestSeen.accumulateAndGet(version, Math::max);
                }
            }
        }
        catch (final Throwable t)
        {
            failure.set(t);
        }
    }

    /** Rewrites every entry in {@code version}, records it as named state, snapshots. */
    private static void round(final Path dir, final long version)
    {
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, ENTRIES, version);
            store.putState("version", ByteBuffer.allocate(Long.BYTES).putLong(version).array());
            store.snapshot();
        }
    }

    private static long version(final MemoryStore store)
    {
        return ByteBuffer.wrap(store.getState("version").orElseThrow()).getLong();
    }

    private static long manifests(final Path dir) throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            final List<String> names = s.map(p -> p.getFileName().toString()).toList();
            return names.stream().filter(n -> n.startsWith("manifest-")).count();
        }
    }
}
