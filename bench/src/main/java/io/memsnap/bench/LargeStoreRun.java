package io.memsnap.bench;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import io.memsnap.StoreStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A long run, not a JMH benchmark: a large store opened and used in a JVM with a small heap. What it takes to open,
 * what memory it holds once open, what its index takes per entry, and whether a snapshot of 1,000 changes costs the
 * same at that size as at 10,000 entries.
 *
 * <p>Phases, each in a JVM of its own started from this one's {@code java.home} and class path, with {@code -Xmx} of
 * {@code --heap} (the JDK's default collector, explicit GC left on: {@code System.gc()} three times before each heap
 * figure) unless said otherwise:
 * <ol>
 * <li><b>load</b> ({@code -Xmx} of {@code --load-heap}): {@code --small} entries into one store and {@code --entries}
 * into another, 30 non-zeros each (sorted distinct indices below 2^18, random values, 24 bytes of metadata, ids of
 * 14 bytes), with plain {@code put}s and a snapshot every million; then {@code checkpoint()}, {@code snapshot()},
 * {@code close()}.</li>
 * <li><b>first-open</b>, {@code --fresh-opens} times for each store, alternating: a JVM that opens one store once,
 * timed until {@code open} returns (the first open of a process: classes loaded, code interpreted).</li>
 * <li><b>measure</b>: opens each store once, then both {@code --opens} times, alternating which goes first (each
 * timed until {@code open} returns, and until a first {@code get} returns; none may replay a record); then, each
 * store open in turn, the heap in use after a GC, the direct and mapped buffer pools ({@code BufferPoolMXBean}), the
 * store's {@code statsForReport()} (index direct and mapped bytes, the index pages its index reaches, the index
 * files' allocated bytes) and the process's resident memory. Then both stores open in the same JVM,
 * {@code --rounds} interleaved rounds (large, small, small, large, ...) of {@code --snapshots} / {@code rounds}
 * snapshots each, every one after {@code --changes} overwrites of uniformly chosen existing keys (untimed; the
 * slowest put is recorded), after {@code --warmup} untimed snapshots per store. Last, a checkpoint and a snapshot of
 * the large store, and the JVM halts without closing it.</li>
 * <li><b>reopen</b>: opens the large store after that halt (a recovery from a snapshot with a checkpoint just
 * taken), closes it, and opens it {@code --opens} more times.</li>
 * </ol>
 *
 * <p>Writes {@code large-store.csv} (name, value) and {@code large-store-snapshots.csv} (every timed snapshot) to
 * {@code --out}, and deletes the stores unless {@code --keep true}; {@code --load false} measures the stores a run
 * with {@code --keep true} left (of the same sizes; the measure phase changes them) instead of loading new ones.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.LargeStoreRun --entries 10000000 --out bench/target/large
 *     --data bench/target/large-data</pre>
 */
public final class LargeStoreRun
{
    private static final int NNZ = 30;
    private static final int DIMENSION = 1 << 18;
    private static final long SNAPSHOT_EVERY_LOADED = 1_000_000;
    private static final double MIB = 1024.0 * 1024.0;
    private static final String RESULT = "result ";
    private static final String SAMPLE = "sample ";

    private long entries = 10_000_000;
    private long small = 10_000;
    private String heap = "128m";
    private String loadHeap = "128m";
    private int opens = 5;
    private int snapshots = 200;
    private int rounds = 4;
    private int warmup = 20;
    private int changes = 1000;
    private boolean keep;
    private boolean reload = true;
    private Path out = Path.of("bench/target/large");
    private Path data = BenchDirs.resolve("large-store");
    private String phase = "all";
    private String store = "large";
    private int freshOpens = 5;

    private final byte[] metadata = "{\"src\":\"bench\",\"n\":000000}".getBytes(StandardCharsets.US_ASCII);
    private final int[] indices = new int[NNZ];
    private final float[] values = new float[NNZ];

    public static void main(final String[] args) throws Exception
    {
        final LargeStoreRun run = new LargeStoreRun();
        for (int i = 0; i < args.length; i += 2)
        {
            final String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--entries" -> run.entries = Long.parseLong(value);
                case "--small" -> run.small = Long.parseLong(value);
                case "--heap" -> run.heap = value;
                case "--load-heap" -> run.loadHeap = value;
                case "--opens" -> run.opens = Math.max(2, Integer.parseInt(value));
                case "--snapshots" -> run.snapshots = Integer.parseInt(value);
                case "--rounds" -> run.rounds = Integer.parseInt(value);
                case "--warmup" -> run.warmup = Integer.parseInt(value);
                case "--changes" -> run.changes = Integer.parseInt(value);
                case "--keep" -> run.keep = Boolean.parseBoolean(value);
                case "--load" -> run.reload = Boolean.parseBoolean(value);
                case "--out" -> run.out = Path.of(value);
                case "--data" -> run.data = Path.of(value);
                case "--phase" -> run.phase = value;
                case "--store" -> run.store = value;
                case "--fresh-opens" -> run.freshOpens = Integer.parseInt(value);
                default ->
                {
                    System.err.println("usage: LargeStoreRun [--entries N] [--small N] [--heap SIZE] " +
                        "[--load-heap SIZE] [--opens N] [--fresh-opens N] [--snapshots N] [--rounds N] [--warmup N] [--changes N] " +
                        "[--keep true] [--load false] [--out DIR] [--data DIR]");
                    System.exit(2);
                }
            }
        }
        switch (run.phase)
        {
            case "load" -> run.load();
            case "measure" -> run.measure();
            case "reopen" -> run.reopen();
            case "first-open" -> run.firstOpen();
            default -> run.all();
        }
    }

    // ------------------------------------------------------------------------------------------------ parent

    private void all() throws IOException, InterruptedException
    {
        Files.createDirectories(out);
        if (reload)
        {
            BenchDirs.deleteTree(data);
            Files.createDirectories(data);
        }
        final Map<String, String> results = new LinkedHashMap<>();
        results.put("entries", Long.toString(entries));
        results.put("small_entries", Long.toString(small));
        results.put("heap", heap);
        results.put("load_heap", loadHeap);
        results.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        try
        {
            if (reload)
            {
                child("load", loadHeap, results);
            }
            results.put("large_allocated_bytes", Long.toString(SpaceAmplificationRun.du(large(), false)));
            results.put("large_index_allocated_bytes", Long.toString(SpaceAmplificationRun.allocatedByKind(large())[1]));
            final Map<String, List<Double>> samples = new LinkedHashMap<>();
            for (int i = 0; i < freshOpens; i++)
            {
                for (final String name : i % 2 == 0 ? List.of("large", "small") : List.of("small", "large"))
                {
                    child("first-open", heap, List.of("--store", name), results, samples);
                }
            }
            samples.forEach((name, values) ->
            {
                final long[] nanos = values.stream().mapToLong(v -> Math.round(v * 1e6)).sorted().toArray();
                results.put(name.replace("_ms", "_median_ms"),
                    format(SpaceAmplificationRun.percentile(nanos, nanos.length, 0.5) / 1e6));
                results.put(name.replace("_ms", "_max_ms"), format(nanos[nanos.length - 1] / 1e6));
            });
            child("measure", heap, results);
            child("reopen", heap, results);
        }
        finally
        {
            final StringBuilder csv = new StringBuilder("name,value\n");
            results.forEach((k, v) -> csv.append(k).append(',').append(v).append('\n'));
            Files.writeString(out.resolve("large-store.csv"), csv.toString());
            if (!keep)
            {
                BenchDirs.deleteTree(data);
            }
        }
    }

    private void child(final String childPhase, final String childHeap, final Map<String, String> results)
        throws IOException, InterruptedException
    {
        child(childPhase, childHeap, List.of(), results, new LinkedHashMap<>());
    }

    /**
     * Runs one phase in a JVM of its own, echoing what it prints and collecting its {@code result} lines into
     * {@code results} and its {@code sample} lines into {@code samples}.
     */
    private void child(final String childPhase, final String childHeap, final List<String> extra,
        final Map<String, String> results, final Map<String, List<Double>> samples)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + childHeap,
            "-cp", System.getProperty("java.class.path"), LargeStoreRun.class.getName(), "--phase", childPhase,
            "--entries", Long.toString(entries), "--small", Long.toString(small), "--opens", Integer.toString(opens),
            "--snapshots", Integer.toString(snapshots), "--rounds", Integer.toString(rounds), "--warmup",
            Integer.toString(warmup), "--changes", Integer.toString(changes), "--out", out.toString(), "--data",
            data.toString()));
        command.addAll(extra);
        System.out.println("# " + childPhase + ": " + String.join(" ", command));
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                System.out.println(line);
                if (line.startsWith(RESULT))
                {
                    final String[] words = line.substring(RESULT.length()).split(" ", 2);
                    results.put(words[0], words[1]);
                }
                else if (line.startsWith(SAMPLE))
                {
                    final String[] words = line.substring(SAMPLE.length()).split(" ", 2);
                    samples.computeIfAbsent(words[0], k -> new ArrayList<>()).add(Double.parseDouble(words[1]));
                }
            }
        }
        if (p.waitFor() != 0)
        {
            throw new IllegalStateException(childPhase + " exited with " + p.exitValue());
        }
    }

    private Path large()
    {
        return data.resolve("large");
    }

    private Path smallStore()
    {
        return data.resolve("small");
    }

    private static StoreOptions options()
    {
        return StoreOptions.builder().dimension(DIMENSION).build();
    }

    // ------------------------------------------------------------------------------------------------ load

    private void load()
    {
        loadStore(smallStore(), small, "small");
        loadStore(large(), entries, "large");
    }

    private void loadStore(final Path dir, final long n, final String name)
    {
        final SplittableRandom random = new SplittableRandom(0x1A26E + n);
        final long start = System.nanoTime();
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            for (long i = 0; i < n; i++)
            {
                s.put(Embeddings.id(i), SpaceAmplificationRun.vector(random, indices, values), 0.5f, i, metadata);
                if ((i + 1) % SNAPSHOT_EVERY_LOADED == 0)
                {
                    s.snapshot();
                    System.out.printf(Locale.ROOT, "  %s: %,d entries, %.1f s%n", name, i + 1,
                        (System.nanoTime() - start) / 1e9);
                }
            }
            s.checkpoint();
            s.snapshot();
        }
        result(name + "_load_seconds", (System.nanoTime() - start) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ measure

    private void measure() throws IOException
    {
        opens();
        report(large(), "large", entries);
        report(smallStore(), "small", small);
        final Path csv = out.resolve("large-store-snapshots.csv");
        final StringBuilder samples = new StringBuilder("store,round,snapshot_ns,bytes_flushed,slowest_put_ns\n");
        final long[][] nanos = new long[2][snapshots];
        final int[] taken = new int[2];
        try (MemoryStore big = MemoryStore.open(large(), options());
            MemoryStore little = MemoryStore.open(smallStore(), options()))
        {
            final MemoryStore[] stores = {big, little};
            final long[] sizes = {entries, small};
            final SplittableRandom[] randoms = {new SplittableRandom(0xC4A6E5L), new SplittableRandom(0xC4A6E5L)};
            for (int s = 0; s < 2; s++)
            {
                for (int w = 0; w < warmup; w++)
                {
                    changeAndSnapshot(stores[s], sizes[s], randoms[s], false);
                }
            }
            final int perRound = snapshots / rounds;
            for (int r = 0; r < rounds; r++)
            {
                for (int k = 0; k < 2; k++)
                {
                    final int s = (r + k) % 2 == 0 ? 0 : 1; // large, small, small, large, ...
                    for (int i = 0; i < perRound; i++)
                    {
                        final long[] sample = changeAndSnapshot(stores[s], sizes[s], randoms[s], false);
                        nanos[s][taken[s]++] = sample[0];
                        samples.append(s == 0 ? "large" : "small").append(',').append(r).append(',')
                            .append(sample[0]).append(',').append(sample[1]).append(',').append(sample[2])
                            .append('\n');
                    }
                }
            }
            Files.writeString(csv, samples.toString());
            snapshotFigures("large", nanos[0], taken[0]);
            snapshotFigures("small", nanos[1], taken[1]);
            result("snapshot_p50_ratio", SpaceAmplificationRun.percentile(nanos[0], taken[0], 0.5) /
                SpaceAmplificationRun.percentile(nanos[1], taken[1], 0.5));
            result("snapshot_p99_ratio", SpaceAmplificationRun.percentile(nanos[0], taken[0], 0.99) /
                SpaceAmplificationRun.percentile(nanos[1], taken[1], 0.99));
            little.close();
            changeAndSnapshot(big, entries, randoms[0], true);
            System.out.flush();
            Runtime.getRuntime().halt(0); // no close: the next open recovers from the snapshot just taken
        }
    }

    /**
     * {@code changes} overwrites of random existing keys, untimed, then a timed snapshot; with {@code checkpointFirst}
     * the index is checkpointed before the snapshot.
     *
     * @return the snapshot's nanoseconds, the bytes it flushed and the slowest put's nanoseconds.
     */
    private long[] changeAndSnapshot(final MemoryStore s, final long size, final SplittableRandom random,
        final boolean checkpointFirst)
    {
        long slowest = 0;
        for (int c = 0; c < changes; c++)
        {
            final String id = Embeddings.id(random.nextLong(size));
            final SparseVector v = SpaceAmplificationRun.vector(random, indices, values);
            final long t0 = System.nanoTime();
            s.put(id, v, 0.5f, c, metadata);
            slowest = Math.max(slowest, System.nanoTime() - t0);
        }
        if (checkpointFirst)
        {
            s.checkpoint();
        }
        final long t1 = System.nanoTime();
        final long flushed = s.snapshot().bytesFlushed();
        return new long[] {System.nanoTime() - t1, flushed, slowest};
    }

    private void snapshotFigures(final String name, final long[] nanos, final int n)
    {
        Arrays.sort(nanos, 0, n);
        result(name + "_snapshot_p50_ms", SpaceAmplificationRun.percentile(nanos, n, 0.5) / 1e6);
        result(name + "_snapshot_p99_ms", SpaceAmplificationRun.percentile(nanos, n, 0.99) / 1e6);
        result(name + "_snapshot_max_ms", SpaceAmplificationRun.percentile(nanos, n, 1.0) / 1e6);
    }

    /**
     * Opens each store once (the first open in this JVM: classes loaded, code interpreted), then both
     * {@link #opens} times, alternating which goes first, each open timed until it returns and until a first get
     * returns; every open must replay nothing.
     */
    private void opens()
    {
        final Path[] dirs = {large(), smallStore()};
        final String[] names = {"large", "small"};
        final long[] sizes = {entries, small};
        for (int s = 0; s < 2; s++)
        {
            result(names[s] + "_first_open_in_jvm_ms", openOnce(dirs[s], names[s], sizes[s]) / 1e6);
        }
        final long[][] openNanos = new long[2][opens];
        for (int i = 0; i < opens; i++)
        {
            for (int k = 0; k < 2; k++)
            {
                final int s = (i + k) % 2;
                openNanos[s][i] = openOnce(dirs[s], names[s], sizes[s]);
            }
        }
        for (int s = 0; s < 2; s++)
        {
            Arrays.sort(openNanos[s]);
            result(names[s] + "_open_median_ms", SpaceAmplificationRun.percentile(openNanos[s], opens, 0.5) / 1e6);
            result(names[s] + "_open_max_ms", openNanos[s][opens - 1] / 1e6);
        }
    }

    /** @return the nanoseconds {@code open} took. */
    private static long openOnce(final Path dir, final String name, final long n)
    {
        final long t0 = System.nanoTime();
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            final long t1 = System.nanoTime();
            s.get(Embeddings.id(n / 2)).orElseThrow();
            final long t2 = System.nanoTime();
            final long replayed = s.recoveryReport().replayedRecords();
            System.out.printf(Locale.ROOT, "  %s open: %.1f ms, with a first get %.1f ms, replayed %d records%n",
                name, (t1 - t0) / 1e6, (t2 - t0) / 1e6, replayed);
            if (replayed != 0)
            {
                throw new IllegalStateException(name + " replayed " + replayed + " records after a clean close");
            }
            return t1 - t0;
        }
    }

    /** Opens {@code dir} and reports the memory with it open. */
    private static void report(final Path dir, final String name, final long n)
    {
        try (MemoryStore s = MemoryStore.open(dir, options()))
        {
            memory(s, name, n);
        }
    }

    private static void memory(final MemoryStore s, final String name, final long n)
    {
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        result(name + "_heap_used_after_gc_mib", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() /
            MIB);
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            final String pn = name + "_buffer_pool_" + pool.getName().replaceAll("[^a-z]+", "_");
            result(pn + "_count", pool.getCount());
            result(pn + "_used_mib", pool.getMemoryUsed() / MIB);
        }
        final StoreStats stats = s.statsForReport();
        long indexAllocated = 0;
        for (final StoreStats.IndexFile f : stats.indexFiles())
        {
            indexAllocated += f.allocatedBytes();
        }
        result(name + "_index_direct_mib", stats.indexDirectBytes() / MIB);
        result(name + "_index_mapped_mib", stats.indexMappedBytes() / MIB);
        result(name + "_segment_mapped_mib", stats.segmentMappedBytes() / MIB);
        result(name + "_segments", stats.segmentCount());
        result(name + "_index_files", stats.indexFiles().size());
        result(name + "_index_live_bytes", stats.indexLiveBytes());
        result(name + "_index_live_bytes_per_entry", stats.indexLiveBytes() / (double)n);
        result(name + "_index_file_bytes_per_entry", stats.indexFileBytes() / (double)n);
        result(name + "_index_allocated_bytes_per_entry", indexAllocated / (double)n);
        for (final String field : List.of("VmRSS", "RssAnon", "RssFile"))
        {
            result(name + "_" + field + "_mib", procStatus(field) / 1024.0);
        }
    }

    /** @return a field of {@code /proc/self/status} in kB, or -1 where there is none. */
    private static long procStatus(final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith(field + ":"))
                {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        }
        catch (final IOException ex)
        {
            return -1;
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------------ reopen

    private void reopen()
    {
        final long t0 = System.nanoTime();
        try (MemoryStore s = MemoryStore.open(large(), options()))
        {
            result("large_open_after_halt_ms", (System.nanoTime() - t0) / 1e6);
            result("large_open_after_halt_replayed_records", s.recoveryReport().replayedRecords());
        }
        final long[] openNanos = new long[opens];
        for (int i = 0; i < opens; i++)
        {
            openNanos[i] = openOnce(large(), "large", entries);
        }
        Arrays.sort(openNanos);
        result("large_open_after_halt_then_closed_median_ms",
            SpaceAmplificationRun.percentile(openNanos, opens, 0.5) / 1e6);
    }

    /** A fresh JVM that opens one store once: the first open of a process, classes loaded and code interpreted. */
    private void firstOpen()
    {
        final boolean isLarge = store.equals("large");
        System.out.println(SAMPLE + store + "_fresh_jvm_open_ms " + String.format(Locale.ROOT, "%.3f",
            openOnce(isLarge ? large() : smallStore(), store, isLarge ? entries : small) / 1e6));
    }

    private static void result(final String name, final double value)
    {
        System.out.println(RESULT + name + " " + format(value));
    }

    private static String format(final double value)
    {
        return String.format(Locale.ROOT, value == Math.rint(value) && Math.abs(value) < 1e15 ? "%.0f" : "%.3f",
            value);
    }
}
