package io.memsnap.bench;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Diagnosis outside JMH: where a snapshot's time goes against the disk's floor. Four stores of {@code entries} entries
 * (3 KB records) in one process, taking turns: each round puts {@code changes} overwrites into every store and times
 * its snapshot, the commit's two flushes (the records, the manifest slot) issued at once or one after the other (a
 * file system that does not flush in parallel), on sparse or on preallocated segments; and times the floor beside them
 * (a 4 KiB write and its fdatasync; the bytes of one snapshot written over an allocated file and fdatasynced). Prints
 * the p50 and p99 of each.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.SlotCommitProbe [entries] [changes] [rounds]</pre>
 */
public final class SlotCommitProbe
{
    private static final int NON_ZEROS = 370;

    private SlotCommitProbe()
    {
    }

    /** The real file system, flushing one file at a time. */
    private static final class OneFlushAtATime implements StoreFileSystem
    {
        private final StoreFileSystem real = StoreFileSystem.real();

        @Override
        public StoreFile create(final Path file) throws IOException
        {
            return real.create(file);
        }

        @Override
        public StoreFile open(final Path file) throws IOException
        {
            return real.open(file);
        }

        @Override
        public StoreFile openOrCreate(final Path file) throws IOException
        {
            return real.openOrCreate(file);
        }

        @Override
        public void rename(final Path from, final Path to) throws IOException
        {
            real.rename(from, to);
        }

        @Override
        public boolean deleteIfExists(final Path file) throws IOException
        {
            return real.deleteIfExists(file);
        }

        @Override
        public void syncDirectory(final Path dir) throws IOException
        {
            real.syncDirectory(dir);
        }

        @Override
        public void createDirectories(final Path dir) throws IOException
        {
            real.createDirectories(dir);
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final int entries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        final int changes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        final Path root = BenchDirs.resolve("slot-commit-probe");
        BenchDirs.deleteTree(root);
        Files.createDirectories(root);
        final Random random = new Random(0x5107);
        final int[] indices = new int[NON_ZEROS];
        final float[] values = new float[NON_ZEROS];
        for (int i = 0; i < NON_ZEROS; i++)
        {
            indices[i] = i * (Corpus.DIMENSION / NON_ZEROS);
            values[i] = 0.5f;
        }
        final SparseVector vector = SparseVector.of(indices, values);
        final byte[] metadata = new byte[24];
        final Map<String, MemoryStore> stores = new LinkedHashMap<>();
        for (final String name : List.of("parallel, sparse", "one after the other, sparse", "parallel, preallocated",
            "one after the other, preallocated"))
        {
            final StoreOptions options = StoreOptions.builder().dimension(Corpus.DIMENSION)
                .preallocate(name.endsWith("preallocated")).build();
            final Path dir = root.resolve("store-" + stores.size());
            final MemoryStore store = name.startsWith("parallel") ? MemoryStore.open(dir, options) :
                MemoryStore.open(dir, options, new OneFlushAtATime());
            for (int i = 0; i < entries; i++)
            {
                store.put("mem-" + i, vector, 0.5f, i, metadata);
            }
            store.snapshot();
            stores.put(name, store);
        }
        final Map<String, List<Double>> millis = new LinkedHashMap<>();
        stores.keySet().forEach(name -> millis.put(name, new ArrayList<>()));
        millis.put("floor: 4 KiB fdatasync", new ArrayList<>());
        millis.put("floor: a snapshot's bytes over an allocated file, fdatasync", new ArrayList<>());
        long bytes = 0;
        try (FileChannel small = open(root.resolve("floor-4k"), 4096);
            FileChannel large = open(root.resolve("floor-bytes"), 8 << 20))
        {
            for (int round = 0; round < rounds; round++)
            {
                for (final Map.Entry<String, MemoryStore> e : stores.entrySet())
                {
                    for (int i = 0; i < changes; i++)
                    {
                        e.getValue().put("mem-" + random.nextInt(entries), vector, 0.5f, round, metadata);
                    }
                    final long start = System.nanoTime();
                    bytes = e.getValue().snapshot().bytesFlushed();
                    millis.get(e.getKey()).add((System.nanoTime() - start) / 1e6);
                }
                millis.get("floor: 4 KiB fdatasync").add(timedWrite(small, 4096, round));
                millis.get("floor: a snapshot's bytes over an allocated file, fdatasync")
                    .add(timedWrite(large, (int)Math.min(bytes, 8 << 20), round));
            }
        }
        finally
        {
            for (final MemoryStore store : stores.values())
            {
                store.close();
            }
        }
        System.out.printf("%,d entries, %,d changes a snapshot (%.2f MB flushed), %d rounds%n", entries, changes,
            bytes / 1e6, rounds);
        for (final Map.Entry<String, List<Double>> e : millis.entrySet())
        {
            final double[] sorted = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("  %-62s p50 %8.3f ms   p99 %8.3f ms%n", e.getKey(), sorted[sorted.length / 2],
                sorted[(int)(sorted.length * 0.99)]);
        }
        BenchDirs.deleteTree(root);
    }

    /** @return a file of {@code length} bytes, written and synced: its blocks are allocated. */
    private static FileChannel open(final Path file, final int length) throws IOException
    {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        final ByteBuffer zeros = ByteBuffer.allocate(length);
        while (zeros.hasRemaining())
        {
            channel.write(zeros, zeros.position());
        }
        channel.force(true);
        return channel;
    }

    /** @return the milliseconds a write of {@code length} bytes over the start of the file and its fdatasync took. */
    private static double timedWrite(final FileChannel channel, final int length, final int round) throws IOException
    {
        final byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte)round);
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final long start = System.nanoTime();
        while (b.hasRemaining())
        {
            channel.write(b, b.position());
        }
        channel.force(false);
        return (System.nanoTime() - start) / 1e6;
    }
}
