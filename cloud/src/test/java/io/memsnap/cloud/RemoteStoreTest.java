package io.memsnap.cloud;

import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object storage seam against a real S3 server: conditional writes, listings under the prefix, and the one-line
 * errors for a missing bucket and refused credentials.
 */
class RemoteStoreTest
{
    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @Test
    void conditionalWriteRefusesATakenName()
    {
        try (RemoteStore remote = S3Fixture.remote(server, "p"))
        {
            assertTrue(remote.putIfAbsent("snapshots/x", bytes("first")));
            assertFalse(remote.putIfAbsent("snapshots/x", bytes("second")), "If-None-Match: * was not honoured");
            assertArrayEquals(bytes("first"), remote.get("snapshots/x"));
            // The same bytes again, as the SDK's retry of a write whose answer was lost: written, by that writer.
            assertTrue(remote.putIfAbsent("snapshots/x", bytes("first")), "a retried write was refused");
        }
    }

    @Test
    void listsOnlyUnderItsPrefix()
    {
        try (RemoteStore a = S3Fixture.remote(server, "a"); RemoteStore ab = S3Fixture.remote(server, "a/b"))
        {
            a.put("data/one", bytes("1"));
            ab.put("data/two", bytes("2"));
            assertEquals(List.of("data/two"), ab.list("data/"));
            assertEquals(List.of("b/data/two", "data/one"), a.list(""));
            assertNull(a.get("data/none"));
            assertFalse(a.exists("data/none"));
            assertTrue(a.exists("data/one"));
        }
    }

    @Test
    void missingBucketIsOneClearLine()
    {
        try (RemoteStore remote = RemoteStore.open(RemoteLocation.parse("s3://no-such-bucket/p"),
            S3Fixture.config(server.getUri()).build()))
        {
            final RemoteNotFoundException ex = assertThrows(RemoteNotFoundException.class, remote::generations);
            assertTrue(ex.getMessage().contains("bucket 'no-such-bucket' does not exist"), ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    @Test
    void wrongCredentialsAreOneClearLine()
    {
        S3Fixture.createBucket(server.getUri());
        try (RemoteStore remote = RemoteStore.open(RemoteLocation.parse("s3://" + S3Fixture.BUCKET + "/p"),
            S3Fixture.config(server.getUri()).credentials(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3Fixture.ACCESS_KEY, "wrong-secret"))).build()))
        {
            final RemoteAccessException ex = assertThrows(RemoteAccessException.class, remote::generations);
            assertTrue(ex.getMessage().startsWith("access denied to s3://" + S3Fixture.BUCKET + "/p/"),
                ex.getMessage());
            assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        }
    }

    @Test
    void environmentConventions()
    {
        final RemoteConfig local = RemoteConfig.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000",
            "AWS_REGION", "eu-west-3")).build();
        assertEquals("http://127.0.0.1:9000", local.endpoint().toString());
        assertEquals("eu-west-3", local.region());
        assertTrue(local.pathStyle(), "an IP address endpoint is addressed path-style");
        assertTrue(RemoteConfig.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "http://localhost:9000")).build()
            .pathStyle());
        assertFalse(RemoteConfig.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "https://acct.r2.cloudflarestorage.com"))
            .build().pathStyle());
        assertTrue(RemoteConfig.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "https://minio.example.com",
            "AWS_ENDPOINT_URL_S3", "https://s3.example.com")).pathStyle(true).build().pathStyle());
        assertEquals("https://s3.example.com", RemoteConfig.fromEnvironment(Map.of("AWS_ENDPOINT_URL",
            "https://minio.example.com", "AWS_ENDPOINT_URL_S3", "https://s3.example.com")).build().endpoint()
            .toString());
        assertNull(RemoteConfig.fromEnvironment(Map.of()).build().endpoint());
        assertEquals("s3://b/", RemoteLocation.parse("s3://b").toString());
        assertEquals("x/y/", RemoteLocation.parse("s3://b/x/y").prefix());
        assertThrows(IllegalArgumentException.class, () -> RemoteLocation.parse("http://b/x"));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
