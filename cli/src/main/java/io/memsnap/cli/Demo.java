package io.memsnap.cli;

import io.memsnap.EntryView;
import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.WriteBatch;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The README's main job: writes sparse vectors shaped like text embeddings into a store (in batches, with
 * {@link MemoryStore#write(WriteBatch)}), snapshots, changes a few, snapshots again, reopens, verifies every entry
 * against a digest, and prints what a user wants to know.
 */
public final class Demo
{
    public static final int DIMENSION = 1 << 18;
    /** Entries a {@link WriteBatch} of the load. */
    static final int BATCH = 10_000;
    private static final long SEED = 20261122L;

    /** The figures a run produced. */
    public static final class Result
    {
        public long entries;
        public double writesPerSecond;
        public long fullSnapshotNanos;
        public long fullSnapshotBytes;
        public int changes;
        public long incrementalSnapshotNanos;
        public long incrementalSnapshotBytes;
        public long reopenNanos;
        public boolean verified;
        public double readsPerSecond;
        public long bytesOnDisk;
        public long heapUsedBytes;
    }

    private Demo()
    {
    }

    public static Result run(final Path dir, final int entries, final int changes, final PrintStream out)
        throws IOException
    {
        clear(dir);
        out.printf("memsnap demo: %,d sparse vectors (dimension %,d; 24-400 non-zeros, Zipf-distributed terms) " +
            "into %s%n", entries, DIMENSION, dir.toAbsolutePath());
        final Result result = new Result();
        result.entries = entries;
        result.changes = changes;
        final ZipfSparseVectors vectors = new ZipfSparseVectors(DIMENSION, SEED);
        final StoreOptions options = StoreOptions.ofDimension(DIMENSION);
        long digest = 0;
        long nnz = 0;
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            long writeNanos = 0;
            final WriteBatch batch = new WriteBatch();
            final SparseVector[] generated = new SparseVector[BATCH];
            for (int from = 0; from < entries; from += BATCH)
            {
                final int to = Math.min(entries, from + BATCH);
                for (int i = from; i < to; i++) // the vectors are made outside the time of the writes
                {
                    final SparseVector v = vectors.next();
                    generated[i - from] = v;
                    nnz += v.nnz();
                    digest += EntryDigest.of(id(i), v, importance(i), 1_700_000_000_000L + i);
                }
                final long t0 = System.nanoTime();
                batch.clear();
                for (int i = from; i < to; i++)
                {
                    batch.put(id(i), generated[i - from], importance(i), 1_700_000_000_000L + i, null);
                }
                store.write(batch);
                writeNanos += System.nanoTime() - t0;
            }
            result.writesPerSecond = entries / (writeNanos / 1e9);
            out.printf("  wrote          %,d entries at %,.0f entries/s in batches of %,d (%.0f non-zeros on " +
                "average)%n", entries, result.writesPerSecond, BATCH, (double)nnz / Math.max(1, entries));

            final SnapshotInfo full = timedSnapshot(store, Map.of("demo", "full"));
            result.fullSnapshotNanos = full.durationNanos();
            result.fullSnapshotBytes = full.bytesFlushed();
            out.printf("  snapshot       %s flushed in %s (generation %d, everything is new)%n",
                bytes(full.bytesFlushed()), millis(full.durationNanos()), full.generation());

            final SplittableRandom random = new SplittableRandom(SEED + 1);
            final EntryDigest old = new EntryDigest();
            for (int c = 0; c < changes && entries > 0; c++)
            {
                final int i = random.nextInt(entries);
                store.read(id(i), old);
                digest -= old.value;
                final SparseVector v = vectors.next();
                store.put(id(i), v, importance(i), 1_700_000_000_000L + i, null);
                digest += EntryDigest.of(id(i), v, importance(i), 1_700_000_000_000L + i);
            }
            final SnapshotInfo incremental = timedSnapshot(store, Map.of("demo", "incremental"));
            result.incrementalSnapshotNanos = incremental.durationNanos();
            result.incrementalSnapshotBytes = incremental.bytesFlushed();
            out.printf("  snapshot       after %,d changes: %s flushed in %s (generation %d)%n", changes,
                bytes(incremental.bytesFlushed()), millis(incremental.durationNanos()), incremental.generation());
        }

        final long t0 = System.nanoTime();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            result.reopenNanos = System.nanoTime() - t0;
            out.printf("  reopen         %s (generation %d restored, %d tail records replayed, no scan)%n",
                millis(result.reopenNanos), store.recoveryReport().restoredGeneration(),
                store.recoveryReport().replayedRecords());

            final EntryDigest each = new EntryDigest();
            final long[] sum = {0};
            final long[] count = {0};
            store.forEach(view ->
            {
                each.visit(view);
                sum[0] += each.value;
                count[0]++;
            });
            result.verified = sum[0] == digest && count[0] == entries && store.size() == entries;
            out.printf("  verified       %s: %,d entries read back bit-exact against the digest of what was " +
                "written%n", result.verified ? "OK" : "FAILED", count[0]);

            final SplittableRandom random = new SplittableRandom(SEED + 2);
            final int reads = Math.max(1, Math.min(entries, 1_000_000));
            final DotVisitor dot = new DotVisitor(vectors.next());
            final long r0 = System.nanoTime();
            for (int r = 0; r < reads && entries > 0; r++)
            {
                store.read(id(random.nextInt(entries)), dot);
            }
            result.readsPerSecond = reads / ((System.nanoTime() - r0) / 1e9);
            out.printf("  random reads   %,.0f zero-copy reads/s (checksum-verified, scored against a query)%n",
                result.readsPerSecond);
        }
        result.bytesOnDisk = bytesOnDisk(dir);
        result.heapUsedBytes = heapUsedAfterGc();
        out.printf("  on disk        %s in %s%n", bytes(result.bytesOnDisk), dir.toAbsolutePath());
        out.printf("  heap used      %s after GC (max heap %s): the entries and the index live off the heap%n",
            bytes(result.heapUsedBytes), bytes(Runtime.getRuntime().maxMemory()));
        return result;
    }

    private static SnapshotInfo timedSnapshot(final MemoryStore store, final Map<String, String> labels)
    {
        return store.snapshot(labels);
    }

    static String id(final int i)
    {
        return "memory-" + i;
    }

    private static float importance(final int i)
    {
        return (i % 100) / 100.0f;
    }

    /** Deletes a previous demo store, refusing to touch a directory that holds anything else. */
    private static void clear(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                final String name = p.getFileName().toString();
                if (!(name.startsWith("segment-") || name.startsWith("manifest-") ||
                    io.memsnap.internal.format.IndexPageDescriptor.parseFileName(name) >= 0 ||
                    name.equals("memsnap.lock")))
                {
                    throw new IllegalArgumentException(dir + " holds " + name + ", which is not a memsnap file: " +
                        "give the demo an empty or new directory");
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
    }

    private static long bytesOnDisk(final Path dir) throws IOException
    {
        long total = 0;
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)files::iterator)
            {
                total += Files.size(p);
            }
        }
        return total;
    }

    private static long heapUsedAfterGc()
    {
        System.gc();
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    static String bytes(final long bytes)
    {
        if (bytes < 1024 * 1024)
        {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024)
        {
            return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    static String millis(final long nanos)
    {
        return nanos < 10_000_000 ? String.format("%.2f ms", nanos / 1e6) : String.format("%,.0f ms", nanos / 1e6);
    }

    /** Scores stored entries against a query without copying them. */
    private static final class DotVisitor implements io.memsnap.EntryVisitor
    {
        private final SparseVector query;
        double total;

        DotVisitor(final SparseVector query)
        {
            this.query = query;
        }

        @Override
        public void visit(final EntryView entry)
        {
            total += entry.dot(query);
        }
    }
}
