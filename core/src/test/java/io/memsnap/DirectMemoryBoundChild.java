package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import io.memsnap.internal.snapshot.IndexMemoryBudget;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The process {@link DirectMemoryBoundTest} runs with a small heap and a small direct-memory limit. Two modes:
 *
 * <ul>
 * <li>{@code write <dir> <entries>}: writes {@code entries} entries of small vectors (four non-zeros, the same
 * vector object every time, ids from one reused builder: next to no garbage, so the garbage collector frees nothing
 * by chance), with a snapshot every tenth, while a sampler thread records the peak of the JVM's direct buffer memory
 * and the heap in use after the latest garbage collection; then reopens the store and checks it. Prints
 * {@code limit <bytes>} (the store's {@code maxResidentIndexBytes} as derived); at each tenth {@code time <step>
 * <millis>}, {@code direct <step> <peak bytes>}, {@code heap <step> <bytes>}, {@code index <step> <bytes>} (the
 * length of the newest index file: as far as the index pages ever created reach), {@code indexAllocated <step>
 * <bytes>} (the disk space of all index files) and {@code rss <step> <resident set>}; then {@code reopen <millis> <records replayed>},
 * {@code direct <peak bytes>} and {@code ok <millis>}.</li>
 * <li>{@code diskfull <dir> <entries>}: writes {@code entries} entries into preallocated segments, and named state
 * until the log is in a segment of the full size (room for the writes below), snapshots, then fills the disk
 * (checkpoints fail; writes into the preallocated segment need no space) and writes on until a write is refused; checks that it is {@link IndexMemoryFullException} caused by the
 * failed checkpoint, that nothing was written, that a second write is refused too and reads go on; frees the disk,
 * writes again, snapshots, and checks the reopened store. Prints {@code refused <writes> <message>},
 * {@code direct <peak bytes>} and {@code ok <millis>}.</li>
 * </ul>
 * Any failure (an {@link OutOfMemoryError} included) exits non-zero.
 *
 * <p>The benchmark-size run, by hand, after {@code mvn -o -q -pl core test-compile} (about six minutes and 40 GB of
 * index writes on an SSD, see docs/benchmarks.md):
 * <pre>
 * java -Xmx128m -XX:+DisableExplicitGC -XX:+UseSerialGC \
 *   -cp core/target/test-classes:core/target/classes:$HOME/.m2/repository/org/agrona/agrona/2.6.0/agrona-2.6.0.jar \
 *   io.memsnap.DirectMemoryBoundChild write /tmp/memsnap-10m 10000000
 * </pre>
 */
public final class DirectMemoryBoundChild
{
    private static final int DIMENSION = 1024;
    private static final SparseVector SMALL = SparseVector.wrap(new int[] {3, 141, 592, 653},
        new float[] {0.5f, -1.25f, 2.0f, 0.125f});
    /** Refused writes give up after this many accepted ones: the limit is far smaller. */
    private static final long MOST_WRITES_BEFORE_REFUSAL = 2_000_000;

    private final StringBuilder id = new StringBuilder();
    private final AtomicLong directPeak = new AtomicLong();
    private final AtomicLong heapAfterGc = new AtomicLong();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

    private DirectMemoryBoundChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long start = System.nanoTime();
        final Path dir = Path.of(args[1]);
        final long n = Long.parseLong(args[2]);
        final DirectMemoryBoundChild child = new DirectMemoryBoundChild();
        final Thread sampler = child.startSampler();
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).build();
        System.out.println("limit " + IndexMemoryBudget.of(options, IndexMemoryBudget.jvmDirectMemoryLimit())
            .limitBytes());
        if (args[0].equals("write"))
        {
            child.write(dir, options, n);
            System.out.println("direct " + child.directPeak.get());
        }
        else
        {
            QuietEngineLog.silence(); // the background thread warns of every checkpoint that fails
            child.fillTheDisk(dir, options.toBuilder().preallocate(true).build(), n);
            System.out.println("direct " + child.directPeak.get());
        }
        sampler.interrupt();
        System.out.println("ok " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private String id(final long n)
    {
        id.setLength(0);
        return id.append("mem-").append(n).toString();
    }

    private void write(final Path dir, final StoreOptions options, final long n) throws IOException
    {
        final long start = System.nanoTime();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            int tenth = 1;
            for (long i = 0; i < n; i++)
            {
                store.put(id(i), SMALL);
                final long done = i + 1;
                if (done == n * tenth / 10)
                {
                    store.snapshot();
                    sample();
                    final String step = tenth * 10 + "% ";
                    System.out.println("time " + step + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    System.out.println("direct " + step + directPeak.get());
                    System.out.println("heap " + step + heapAfterGc.get());
                    // The newest index file reaches as far as the pages ever handed out (holes included).
                    final List<Long> indexFiles = IndexFiles.generations(dir);
                    System.out.println("index " + step + Files.size(IndexFiles.path(dir,
                        indexFiles.get(indexFiles.size() - 1))));
                    System.out.println("indexAllocated " + step + IndexFiles.allocatedBytes(dir));
                    System.out.println("rss " + step + residentSet());
                    System.out.flush();
                    tenth++;
                }
            }
        }
        final long reopen = System.nanoTime();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            System.out.println("reopen " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reopen) + " " +
                store.recoveryReport().replayedRecords());
            check(store.size() == n, "reopened with " + store.size() + " entries, expected " + n);
            check(store.get(id(n - 1)).isPresent() && store.get(id(0)).isPresent(), "entries lost");
        }
    }

    private void fillTheDisk(final Path dir, final StoreOptions options, final long n) throws IOException
    {
        final DiskFullFileSystem fs = new DiskFullFileSystem();
        long written = n;
        try (MemoryStore store = MemoryStore.open(dir, options, fs))
        {
            for (long i = 0; i < n; i++)
            {
                store.put(id(i), SMALL);
            }
            // Segments grow from 64 KiB: roll into one of the full size, preallocated, so that the puts below have
            // room in it (hundreds of thousands of them) and only the index's checkpoints need space.
            final byte[] filler = new byte[1 << 20]; // small: the writer keeps a direct buffer of the largest record
            while (newestSegmentLength(dir) < options.segmentSize())
            {
                store.putState("filler", filler);
            }
            store.snapshot();
            fs.fill();
            IndexMemoryFullException refused = null;
            while (refused == null)
            {
                check(written < n + MOST_WRITES_BEFORE_REFUSAL, "no write refused after " + written);
                final long before = store.lastSequence();
                try
                {
                    store.put(id(written), SMALL);
                    written++;
                }
                catch (final IndexMemoryFullException ex)
                {
                    refused = ex;
                    check(store.lastSequence() == before, "a refused write appended a record");
                    check(!store.contains(id(written)), "a refused write is visible");
                }
            }
            check(refused.getCause() instanceof StoreIoException, "cause: " + refused.getCause());
            System.out.println("refused " + (written - n) + " " + refused.getMessage());
            final long sequence = store.lastSequence();
            try
            {
                store.put(id(written), SMALL);
                throw new AssertionError("a second write at the limit was accepted while the disk is full");
            }
            catch (final IndexMemoryFullException expected)
            {
                check(store.lastSequence() == sequence, "the second refused write appended a record");
            }
            check(store.get(id(0)).isPresent() && store.get(id(written - 1)).isPresent(), "reads go on");

            fs.free();
            store.put(id(written), SMALL); // waits for the checkpoint the background thread retries
            written++;
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            check(store.size() == written, "reopened with " + store.size() + " entries, expected " + written);
            check(store.get(id(written - 1)).isPresent(), "the write after the disk was freed is lost");
        }
    }

    private static long newestSegmentLength(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            final Path newest = files.filter(StoreFiles::isStartedSegment).max(Path::compareTo).orElseThrow();
            return Files.size(newest);
        }
    }

    /**
     * @return the process's resident memory from Linux's {@code /proc/self/status}: anonymous (heap, direct buffers,
     * code) and file-backed (pages of mapped files the process touched, which the kernel may drop), or "n/a".
     */
    private static String residentSet() throws IOException
    {
        final Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status))
        {
            return "n/a";
        }
        final StringBuilder rss = new StringBuilder();
        for (final String line : Files.readAllLines(status))
        {
            if (line.startsWith("RssAnon:") || line.startsWith("RssFile:"))
            {
                rss.append(rss.length() == 0 ? "" : ",").append(line.replaceAll("\\s+", ""));
            }
        }
        return rss.toString();
    }

    private Thread startSampler()
    {
        final Thread t = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                sample();
                try
                {
                    Thread.sleep(2);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Records the direct buffer memory in use and the heap in use after the latest collection, if any. */
    private void sample()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                directPeak.accumulateAndGet(pool.getMemoryUsed(), Math::max);
            }
        }
        long after = 0;
        long latest = -1;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            final com.sun.management.GcInfo info = ((com.sun.management.GarbageCollectorMXBean)gc).getLastGcInfo();
            if (info != null && info.getEndTime() > latest)
            {
                latest = info.getEndTime();
                after = 0;
                for (final Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet())
                {
                    after += heapPools.contains(pool.getKey()) ? pool.getValue().getUsed() : 0;
                }
            }
        }
        if (latest >= 0)
        {
            heapAfterGc.set(after);
        }
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new AssertionError(message);
        }
    }
}
