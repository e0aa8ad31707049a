package io.memsnap.cloud;

import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The figures of docs/benchmarks.md, "Snapshots in object storage", by hand (not a test): push latency and bytes
 * after 1,000 changes at 10K and 1M entries, restore throughput against plain parallel GETs of the same objects,
 * and a follower's lag behind a writer at a steady rate, against S3Proxy (file-system backend) on this machine.
 *
 * <pre>
 * mvn -B -o -pl core,cloud test-compile
 * java -cp "$(cat cp.txt):core/target/classes:..." \
 *     io.memsnap.cloud.CloudMeasureRun [rounds]
 * </pre>
 */
public final class CloudMeasureRun
{
    private CloudMeasureRun()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        final S3ProxyExtension server = S3Fixture.server();
        server.beforeEach(null);
        final Path tmp = Files.createTempDirectory("memsnap-cloud-measure");
        try
        {
            if (args.length > 1 && args[1].equals("lag"))
            {
                followerLag(server, tmp);
                return;
            }
            final long[] p50 = new long[2];
            int i = 0;
            for (final int entries : new int[] {10_000, 1_000_000})
            {
                p50[i++] = pushAfterChanges(server, tmp, entries, rounds);
            }
            System.out.printf("push p50 ratio 1M / 10K: %.2f%n", (double)p50[1] / p50[0]);
            restoreThroughput(server, tmp);
            followerLag(server, tmp);
        }
        finally
        {
            server.afterEach(null);
        }
    }

    /** @return the median push latency in microseconds. */
    private static long pushAfterChanges(final S3ProxyExtension server, final Path tmp, final int entries,
        final int rounds) throws IOException
    {
        final Path dir = tmp.resolve("store-" + entries);
        final StoreOptions options = Stores.options();
        try (RemoteStore remote = S3Fixture.remote(server, "push-" + entries);
             MemoryStore store = MemoryStore.open(dir, options))
        {
            Stores.write(store, 0, entries, 1);
            store.checkpoint();
            store.snapshot();
            final Pusher pusher = new Pusher(remote);
            long start = System.nanoTime();
            final PushResult first = pusher.push(dir);
            System.out.printf("entries %d: first push %d bytes in %d ms%n", entries, first.bytesUploaded(),
                (System.nanoTime() - start) / 1_000_000);
            final Random random = new Random(42);
            final long[] micros = new long[rounds];
            final long[] bytes = new long[rounds];
            final WriteBatch batch = new WriteBatch();
            for (int r = 0; r < rounds; r++)
            {
                for (int c = 0; c < 1_000; c++)
                {
                    final long n = random.nextInt(entries);
                    batch.put(Stores.id(n), Stores.vector(n, r + 2), 1f, n, Stores.metadata(n, r + 2));
                }
                store.write(batch);
                batch.clear();
                store.snapshot();
                start = System.nanoTime();
                final PushResult result = pusher.push(dir);
                micros[r] = (System.nanoTime() - start) / 1_000;
                bytes[r] = result.bytesUploaded();
            }
            Arrays.sort(micros);
            Arrays.sort(bytes);
            System.out.printf("entries %d: push after 1,000 changes p50 %d us, max %d us; bytes uploaded p50 %d, " +
                "max %d (%d rounds)%n", entries, micros[rounds / 2], micros[rounds - 1], bytes[rounds / 2],
                bytes[rounds - 1], rounds);
            return micros[rounds / 2];
        }
    }

    private static void restoreThroughput(final S3ProxyExtension server, final Path tmp) throws Exception
    {
        try (RemoteStore remote = S3Fixture.remote(server, "push-1000000"))
        {
            final long start = System.nanoTime();
            final RestoreResult result = new Restorer(remote).restore(tmp.resolve("restored"), 0);
            final long nanos = System.nanoTime() - start;
            final List<String> keys = remote.list(RemoteManifestDescriptor.DATA);
            final long rawStart = System.nanoTime();
            final long raw = rawDownload(server, keys, remote.config().parallelism());
            final long rawNanos = System.nanoTime() - rawStart;
            final double restoreRate = result.bytes() / (nanos / 1e9) / (1 << 20);
            final double rawRate = raw / (rawNanos / 1e9) / (1 << 20);
            System.out.printf("restore of 1M entries: %d bytes in %d ms, %.1f MiB/s; plain parallel GETs of the " +
                "prefix's %d data objects: %d bytes in %d ms, %.1f MiB/s; ratio %.2f%n", result.bytes(),
                nanos / 1_000_000, restoreRate, keys.size(), raw, rawNanos / 1_000_000, rawRate,
                restoreRate / rawRate);
        }
    }

    private static long rawDownload(final S3ProxyExtension server, final List<String> keys, final int threads)
        throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (S3Client s3 = S3Fixture.client(server.getUri()))
        {
            final List<Future<Integer>> futures = new ArrayList<>();
            for (final String key : keys)
            {
                futures.add(pool.submit(() -> s3.getObjectAsBytes(r -> r.bucket(S3Fixture.BUCKET)
                    .key("push-1000000/" + key)).asByteArrayUnsafe().length));
            }
            long bytes = 0;
            for (final Future<Integer> f : futures)
            {
                bytes += f.get();
            }
            return bytes;
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /** A writer at about 2,000 puts a second with a snapshot every 1,000 changes; a pusher; a follower polling. */
    private static void followerLag(final S3ProxyExtension server, final Path tmp) throws Exception
    {
        final Path dir = tmp.resolve("lag");
        final StoreOptions options = StoreOptions.builder().dimension(Stores.DIMENSION).autoSnapshotEveryChanges(1_000)
            .build();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong written = new AtomicLong();
        final AtomicLong pushes = new AtomicLong();
        try (RemoteStore remote = S3Fixture.remote(server, "lag"); MemoryStore store = MemoryStore.open(dir, options))
        {
            Stores.write(store, 0, 10_000, 1);
            store.snapshot();
            final Pusher pusher = new Pusher(remote);
            pusher.push(dir);
            final Thread writer = new Thread(() ->
            {
                final Random random = new Random(7);
                long next = System.nanoTime();
                while (!stop.get())
                {
                    final long n = random.nextInt(10_000);
                    store.put(Stores.id(n), Stores.vector(n, 2), 1f, n, Stores.metadata(n, 2));
                    written.incrementAndGet();
                    next += 500_000; // 2,000 a second
                    final long wait = next - System.nanoTime();
                    if (wait > 0)
                    {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }, "writer");
            final Thread pushing = new Thread(() ->
            {
                while (!stop.get())
                {
                    try
                    {
                        if (!pusher.push(dir).upToDate())
                        {
                            pushes.incrementAndGet();
                        }
                    }
                    catch (final IOException | RuntimeException ex)
                    {
                        System.out.println("push failed: " + ex);
                    }
                }
            }, "pusher");
            try (Follower follower = Follower.open(remote, tmp.resolve("follower")))
            {
                writer.start();
                pushing.start();
                final List<Long> lags = new ArrayList<>();
                final long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < end)
                {
                    Thread.sleep(200);
                    if (follower.poll())
                    {
                        lags.add(follower.status().lag().toMillis());
                    }
                }
                stop.set(true);
                writer.join();
                pushing.join();
                lags.sort(null);
                System.out.printf("follower lag at %d puts/s, a snapshot every 1,000, %d pushes: %d switches in 30 s, " +
                    "lag p50 %d ms, p90 %d ms, max %d ms%n", written.get() / 30, pushes.get(), lags.size(),
                    lags.get(lags.size() / 2),
                    lags.get(lags.size() * 9 / 10), lags.get(lags.size() - 1));
            }
        }
    }
}
