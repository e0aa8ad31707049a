package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code memsnap push}, {@code list s3://...} and {@code restore} against a real S3 server, configured the way the
 * ecosystem does (endpoint, region and credentials from the SDK's properties and variables), and their exit codes:
 * a missing bucket 1, wrong credentials 2, a damaged object 3, each with one line on stderr.
 */
class CloudCliTest
{
    private static final String ACCESS = "cli-access";
    private static final String SECRET = "cli-secret";
    private static final List<String> PROPERTIES = List.of("aws.endpointUrl", "aws.region", "aws.accessKeyId",
        "aws.secretAccessKey");

    @RegisterExtension
    final S3ProxyExtension server = S3ProxyExtension.builder().withBlobStoreProvider("filesystem")
        .withCredentials(ACCESS, SECRET).build();

    @TempDir
    Path tmp;

    private S3Client s3;

    @BeforeEach
    void configure()
    {
        System.setProperty("aws.endpointUrl", server.getUri().toString());
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", ACCESS);
        System.setProperty("aws.secretAccessKey", SECRET);
        s3 = S3Client.builder().endpointOverride(server.getUri()).region(Region.US_EAST_1).forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
            .build();
        s3.createBucket(r -> r.bucket("memory"));
    }

    @AfterEach
    void clear()
    {
        PROPERTIES.forEach(System::clearProperty);
        s3.close();
    }

    @Test
    void pushListRestore() throws Exception
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(1024).build()))
        {
            store.put("a", SparseVector.of(new int[] {1, 5}, new float[] {1f, 2f}));
            store.snapshot();
        }
        final ExportImportCliTest.Run pushed = run("push", dir.toString(), "s3://memory/replica");
        assertEquals(0, pushed.code, pushed.err);
        assertTrue(pushed.out.contains("as remote generation 1"), pushed.out);
        final ExportImportCliTest.Run again = run("push", dir.toString(), "s3://memory/replica");
        assertTrue(again.out.contains("already"), again.out);

        final ExportImportCliTest.Run listed = run("list", "s3://memory/replica");
        assertEquals(0, listed.code, listed.err);
        assertEquals(2, listed.out.lines().count(), listed.out);
        assertTrue(run("list", "s3://memory/replica", "--json").out.contains("\"generation\":1"));

        final ExportImportCliTest.Run restored = run("restore", "s3://memory/replica", tmp.resolve("copy").toString(),
            "--generation", "1");
        assertEquals(0, restored.code, restored.err);
        assertEquals(0, run("get", tmp.resolve("copy").toString(), "a").code);
        assertEquals(2, run("restore", "s3://memory/replica", tmp.resolve("copy").toString()).code,
            "restore into an existing store");

        final ExportImportCliTest.Run followed = run("follow", "s3://memory/replica", tmp.resolve("replica").toString(),
            "--once");
        assertEquals(0, followed.code, followed.err);
        assertTrue(followed.out.startsWith("following remote generation 1 (local 1)"), followed.out);
        assertEquals(0, run("get", tmp.resolve("replica").resolve("timeline-0").toString(), "a").code);

        final ExportImportCliTest.Run pruned = run("prune", "s3://memory/replica", "--keep-last", "1", "--grace", "0s");
        assertEquals(0, pruned.code, pruned.err);
        assertTrue(pruned.out.startsWith("retired []"), pruned.out);

        final String key = s3.listObjectsV2(r -> r.bucket("memory").prefix("replica/data/")).contents().get(0)
            .key();
        s3.putObject(r -> r.bucket("memory").key(key), RequestBody.fromBytes(new byte[] {1, 2, 3}));
        final ExportImportCliTest.Run damaged = run("restore", "s3://memory/replica", tmp.resolve("bad").toString());
        assertEquals(Main.CORRUPT, damaged.code, damaged.err);
        assertOneLine(damaged.err, key.substring("replica/".length()));
        assertFalse(Files.exists(tmp.resolve("bad")));
    }

    @Test
    void missingBucketAndWrongCredentials()
    {
        final ExportImportCliTest.Run missing = run("list", "s3://no-such-bucket/x");
        assertEquals(Main.NOT_FOUND, missing.code, missing.err);
        assertOneLine(missing.err, "bucket 'no-such-bucket' does not exist");
        final ExportImportCliTest.Run empty = run("restore", "s3://memory/none", tmp.resolve("x").toString());
        assertEquals(Main.NOT_FOUND, empty.code, empty.err);
        System.setProperty("aws.secretAccessKey", "wrong");
        final ExportImportCliTest.Run denied = run("list", "s3://memory/replica");
        assertEquals(Main.USAGE, denied.code, denied.err);
        assertOneLine(denied.err, "access denied to s3://memory/replica/");
    }

    private static void assertOneLine(final String err, final String contains)
    {
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("memsnap: ") && err.contains(contains), err);
    }
}
