package io.memsnap.cloud;

import org.gaul.s3proxy.junit.S3ProxyExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/**
 * A real S3 server in the test's JVM (S3Proxy, file-system backend, one per test) and the remote stores on it.
 */
final class S3Fixture
{
    static final String ACCESS_KEY = "memsnap-access";
    static final String SECRET_KEY = "memsnap-secret";
    static final String BUCKET = "memsnap-test";

    private S3Fixture()
    {
    }

    static S3ProxyExtension server()
    {
        return S3ProxyExtension.builder().withBlobStoreProvider("filesystem").withCredentials(ACCESS_KEY,
            SECRET_KEY).build();
    }

    static RemoteConfig.Builder config(final URI endpoint)
    {
        return RemoteConfig.builder().endpoint(endpoint).region("us-east-1").credentials(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    /** @return a remote store on the bucket (created if needed) and prefix. */
    static RemoteStore remote(final S3ProxyExtension server, final String prefix)
    {
        return remote(server.getUri(), prefix);
    }

    static RemoteStore remote(final URI endpoint, final String prefix)
    {
        final RemoteStore store = RemoteStore.open(RemoteLocation.parse("s3://" + BUCKET + "/" + prefix),
            config(endpoint).build());
        createBucket(endpoint);
        return store;
    }

    /** Creates the test bucket, if it is missing, with a client of its own (not the code under test). */
    static void createBucket(final URI endpoint)
    {
        try (S3Client s3 = client(endpoint))
        {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(BUCKET)))
            {
                s3.createBucket(r -> r.bucket(BUCKET));
            }
        }
    }

    /** @return an SDK client of the test's own, to damage objects behind the code under test. */
    static S3Client client(final URI endpoint)
    {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                SECRET_KEY))).build();
    }
}
