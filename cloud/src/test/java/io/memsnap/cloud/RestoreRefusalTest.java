package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restore refuses, with a typed error naming the object, every data object damaged, truncated or missing, and a
 * remote manifest damaged or of a newer format; it leaves nothing behind: no target, no temporary directory.
 */
class RestoreRefusalTest
{
    private static final String PREFIX = "refusals";

    @RegisterExtension
    final S3ProxyExtension server = S3Fixture.server();

    @TempDir
    Path tmp;

    private List<String> dataKeys;

    @BeforeEach
    void push() throws IOException
    {
        final Path dir = tmp.resolve("store");
        try (MemoryStore store = MemoryStore.open(dir, Stores.options()))
        {
            Stores.write(store, 0, 2_000, 1);
            store.checkpoint();
            store.snapshot();
        }
        try (RemoteStore remote = S3Fixture.remote(server, PREFIX))
        {
            new Pusher(remote).push(dir);
            dataKeys = remote.list(RemoteManifestDescriptor.DATA);
        }
        assertTrue(dataKeys.size() >= 2, dataKeys.toString());
    }

    @Test
    void everyDamagedObjectIsRefused() throws IOException
    {
        for (final String key : dataKeys)
        {
            final byte[] good = read(key);
            final byte[] bad = good.clone();
            bad[bad.length / 2] ^= 0x10;
            assertRefused(key, bad, "CRC32C");
            assertRefused(key, Arrays.copyOf(good, good.length - 1), "truncated");
            write(key, good);
        }
        restore("after"); // the objects put back restore
    }

    @Test
    void missingObjectIsRefused() throws IOException
    {
        final String key = dataKeys.get(0);
        final byte[] good = read(key);
        try (S3Client s3 = S3Fixture.client(server.getUri()))
        {
            s3.deleteObject(r -> r.bucket(S3Fixture.BUCKET).key(PREFIX + "/" + key));
        }
        final RemoteCorruptException ex = assertThrows(RemoteCorruptException.class, () -> restore("missing"));
        assertTrue(ex.getMessage().contains(key) && ex.getMessage().contains("missing"), ex.getMessage());
        write(key, good);
    }

    @Test
    void damagedManifestIsRefused() throws IOException
    {
        final String key = RemoteManifestDescriptor.snapshotKey(1);
        final byte[] bad = read(key);
        bad[RemoteManifestDescriptor.ENTRY_COUNT_OFFSET] ^= 1;
        assertRefused(key, bad, "checksum");
    }

    @Test
    void newerFormatManifestIsRefused() throws IOException
    {
        final String key = RemoteManifestDescriptor.snapshotKey(1);
        final ByteBuffer b = ByteBuffer.wrap(read(key)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(RemoteManifestDescriptor.MAJOR_OFFSET, (short)(RemoteManifestDescriptor.MAJOR_VERSION + 1));
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.capacity() - Integer.BYTES);
        b.putInt(b.capacity() - Integer.BYTES, (int)crc.getValue());
        write(key, b.array());
        final RemoteFormatException ex = assertThrows(RemoteFormatException.class, () -> restore("newer"));
        assertTrue(ex.getMessage().contains("remote format 2.0"), ex.getMessage());
        assertNothingLeft("newer");
    }

    private void assertRefused(final String key, final byte[] content, final String problem) throws IOException
    {
        write(key, content);
        final RemoteCorruptException ex = assertThrows(RemoteCorruptException.class, () -> restore("target"));
        assertTrue(ex.key().endsWith(key), ex.key() + " for " + key);
        assertTrue(ex.getMessage().contains(problem), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        assertNothingLeft("target");
    }

    private void assertNothingLeft(final String target) throws IOException
    {
        assertFalse(Files.exists(tmp.resolve(target)), "a refused restore made its target");
        try (Stream<Path> s = Files.list(tmp))
        {
            assertEquals(List.of("store"), s.map(p -> p.getFileName().toString()).toList(), "left behind");
        }
    }

    private void restore(final String target) throws IOException
    {
        try (RemoteStore remote = S3Fixture.remote(server, PREFIX))
        {
            new Restorer(remote).restore(tmp.resolve(target), 0);
        }
        Stores.assertHolds(tmp.resolve(target), 2_000, 0, 1);
        MemoryStoreDirs.delete(tmp.resolve(target));
    }

    private byte[] read(final String key)
    {
        try (S3Client s3 = S3Fixture.client(server.getUri()))
        {
            return s3.getObjectAsBytes(r -> r.bucket(S3Fixture.BUCKET).key(PREFIX + "/" + key)).asByteArray();
        }
    }

    private void write(final String key, final byte[] content)
    {
        try (S3Client s3 = S3Fixture.client(server.getUri()))
        {
            s3.putObject(r -> r.bucket(S3Fixture.BUCKET).key(PREFIX + "/" + key), RequestBody.fromBytes(content));
        }
    }
}
