package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connections cut in the middle of uploads, by a TCP proxy between the pusher and a real S3 server: the requests
 * are retried with backoff and the push commits; a push cut off for good commits nothing, and the next one carries
 * on without uploading again what reached the server.
 */
class NetworkFaultTest
{
    private static final int ENTRIES = 60_000;

    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void fill()
    {
        dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, ENTRIES, 1);
            store.checkpoint();
            store.snapshot();
        }
        S3Fixture.createBucket(server.getUri());
    }

    @Test
    void cutUploadsAreRetriedAndThePushCommits() throws IOException
    {
        try (CuttingProxy proxy = new CuttingProxy(server.getUri(), 100_000, 4);
             RemoteStore remote = RemoteStore.open(RemoteLocation.parse("s3://" + S3Fixture.BUCKET + "/cut"),
                 S3Fixture.config(proxy.uri()).maxAttempts(8).apiCallTimeout(Duration.ofMinutes(2)).build()))
        {
            final PushResult result = new Pusher(remote).push(dir);
            assertEquals(1, result.remoteGeneration());
            assertTrue(proxy.cuts() >= 4, "connections cut: " + proxy.cuts());
        }
        try (RemoteStore direct = S3Fixture.remote(server, "cut"))
        {
            new Restorer(direct).restore(tmp.resolve("restored"), 0);
        }
        Stores.assertHolds(tmp.resolve("restored"), ENTRIES, 0, 1);
    }

    @Test
    void commitWhoseAnswerIsLostIsRetriedAndTakenForOurs() throws IOException
    {
        // The manifest's conditional write reaches the server and its answer is lost: the SDK's retry finds the name
        // taken, by our own bytes.
        final Pusher pusher = pushWithAnswerLost("lost", RemoteManifestDescriptor.snapshotKey(1));
        assertEquals(1, pusher.epoch());
    }

    @Test
    void epochClaimWhoseAnswerIsLostIsTakenForOurs() throws IOException
    {
        // The same for the epoch's claim: the pusher must not move on to claim epoch 2 (and fence itself).
        final Pusher pusher = pushWithAnswerLost("claim", RemoteManifestDescriptor.epochKey(1));
        assertEquals(1, pusher.epoch());
        try (RemoteStore direct = S3Fixture.remote(server, "claim"))
        {
            assertEquals(1, direct.list(RemoteManifestDescriptor.EPOCHS).size());
        }
    }

    /**
     * Pushes the store under {@code prefix} through a proxy that drops the server's answer to the write of
     * {@code key} once, and checks that the push committed generation 1 and that the answer was dropped.
     */
    private Pusher pushWithAnswerLost(final String prefix, final String key) throws IOException
    {
        try (CuttingProxy proxy = new CuttingProxy(server.getUri(), Long.MAX_VALUE, 0);
             RemoteStore remote = RemoteStore.open(RemoteLocation.parse("s3://" + S3Fixture.BUCKET + "/" + prefix),
                 S3Fixture.config(proxy.uri()).build()))
        {
            proxy.dropResponseTo("/" + prefix + "/" + key);
            final Pusher pusher = new Pusher(remote);
            assertEquals(1, pusher.push(dir).remoteGeneration());
            assertEquals(1, proxy.responsesDropped());
            return pusher;
        }
    }

    @Test
    void pushCutOffCommitsNothingAndTheNextCarriesOn() throws IOException
    {
        final long total;
        try (CuttingProxy proxy = new CuttingProxy(server.getUri(), Long.MAX_VALUE, 0);
             RemoteStore remote = RemoteStore.open(RemoteLocation.parse("s3://" + S3Fixture.BUCKET + "/resume"),
                 S3Fixture.config(proxy.uri()).maxAttempts(2).parallelism(2).build()))
        {
            proxy.cutEverythingAfter(1_500_000);
            assertThrows(RemoteException.class, () -> new Pusher(remote).push(dir));
        }
        try (RemoteStore direct = S3Fixture.remote(server, "resume"))
        {
            assertTrue(direct.list(RemoteManifestDescriptor.SNAPSHOTS).isEmpty(), "a cut push committed");
            final int uploadedBefore = direct.list(RemoteManifestDescriptor.DATA).size();
            assertTrue(uploadedBefore > 0, "nothing reached the server before the cut");
            final PushResult resumed = new Pusher(direct).push(dir);
            total = resumed.bytesUploaded() + resumed.bytesReused();
            assertTrue(resumed.bytesReused() > 0 && resumed.bytesUploaded() < total, resumed.toString());
            new Restorer(direct).restore(tmp.resolve("restored"), 0);
        }
        Stores.assertHolds(tmp.resolve("restored"), ENTRIES, 0, 1);
    }
}
