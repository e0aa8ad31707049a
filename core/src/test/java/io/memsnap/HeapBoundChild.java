package io.memsnap;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The process {@link HeapBoundTest} runs with a small heap: writes {@code n} entries with a snapshot every tenth,
 * reopens the store, reads a sample back and counts every entry, then checkpoints, snapshots, closes and opens it
 * once more, and reports the heap in use after a full GC at each step on stdout as {@code heap <step> <bytes>}, and
 * after the last open {@code replayed <records>} and {@code index-live-bytes <bytes>}. Prints {@code disk <bytes>} (the size of the store's files),
 * {@code ok <millis>} and exits 0 when everything matched;
 * any failure (an {@link OutOfMemoryError} included) exits non-zero.
 *
 * <p>Usage: {@code HeapBoundChild <dir> <entries> <sample>}.
 */
public final class HeapBoundChild
{
    private static final int[] PERCENT_STEPS = {10, 25, 50, 75, 100};

    private HeapBoundChild()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final long start = System.nanoTime();
        final Path dir = Path.of(args[0]);
        final long n = Long.parseLong(args[1]);
        final int sample = Integer.parseInt(args[2]);
        final StoreOptions options = StoreOptions.builder().dimension(TestEntries.DIMENSION).build();
        write(dir, options, n);
        readBack(dir, options, n, sample);
        reopenAfterCheckpoint(dir, options);
        System.out.println("disk " + bytesIn(dir));
        System.out.println("ok " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static long bytesIn(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            long bytes = 0;
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                bytes += Files.size(file);
            }
            return bytes;
        }
    }

    private static void write(final Path dir, final StoreOptions options, final long n)
    {
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            int step = 0;
            for (long i = 0; i < n; i++)
            {
                TestEntries.put(store, i, 0);
                final long done = i + 1;
                if (done % Math.max(1, n / 10) == 0)
                {
                    store.snapshot();
                }
                if (step < PERCENT_STEPS.length && done == n * PERCENT_STEPS[step] / 100)
                {
                    report(PERCENT_STEPS[step] + "%");
                    step++;
                }
            }
            store.snapshot();
            report("written");
        }
    }

    private static void readBack(final Path dir, final StoreOptions options, final long n, final int sample)
    {
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            report("reopened");
            check(store.size() == n, "size " + store.size() + " after reopen, expected " + n);
            final SplittableRandom random = new SplittableRandom(n);
            for (int s = 0; s < sample; s++)
            {
                final long i = random.nextLong(n);
                final MemoryEntry e = store.get(TestEntries.id(i)).orElse(null);
                check(e != null && TestEntries.matches(e, i, 0), TestEntries.id(i) + " read back wrong: " + e);
            }
            final long[] count = {0};
            store.forEach(view -> count[0]++);
            check(count[0] == n, "forEach saw " + count[0] + " entries, expected " + n);
            report("read");
        }
    }

    /**
     * What a planned restart does: a checkpoint and a snapshot that names it, a clean close, an open. Reports the heap
     * after that open, the records it replayed and the bytes of the index pages its index reaches.
     */
    private static void reopenAfterCheckpoint(final Path dir, final StoreOptions options)
    {
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            store.checkpoint();
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            report("checkpointed");
            System.out.println("replayed " + store.recoveryReport().replayedRecords());
            System.out.println("index-live-bytes " + store.statsForReport().indexLiveBytes());
        }
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new AssertionError(message);
        }
    }

    private static void report(final String step)
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        System.out.println("heap " + step + " " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        System.out.flush();
    }
}
