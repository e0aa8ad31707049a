package io.memsnap.bench;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.MemsnapEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Diagnosis outside JMH: the snapshot-latency benchmark's loop ({@code changes} puts, then a timed snapshot) on the
 * stores the benchmarks use, printing every snapshot slower than three times the running median with the time it
 * happened and the kernel's count of dirty and write-back memory, so that a tail can be matched with what else the
 * disk was doing; then the percentiles.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.SnapshotProbe [entries] [changes] [seconds]</pre>
 */
public final class SnapshotProbe
{
    private SnapshotProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long entries = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        final int changes = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        final Engine engine = Stores.open("memsnap", entries);
        final MemoryStore store = ((MemsnapEngine)engine).store();
        final Updates updates = new Updates(entries, 3);
        store.snapshot();
        final long[] samples = new long[100_000];
        int n = 0;
        long median = 0;
        final long start = System.nanoTime();
        final double busyAtStart = systemBusySeconds();
        final long threadAtStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        final long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && n < samples.length)
        {
            for (int i = 0; i < changes; i++)
            {
                updates.putNext(engine);
            }
            final long s = System.nanoTime();
            final SnapshotInfo info = store.snapshot();
            final long t = System.nanoTime() - s;
            samples[n++] = t;
            if ((n & 127) == 0)
            {
                final long[] sorted = Arrays.copyOf(samples, n);
                Arrays.sort(sorted);
                median = sorted[n / 2];
            }
            if (median > 0 && t > 3 * median)
            {
                System.out.printf("at %d ms: snapshot %d took %6.2f ms (median %5.2f), flushed %d bytes; %s%n",
                    s / 1_000_000, info.generation(), t / 1e6, median / 1e6, info.bytesFlushed(), dirty());
            }
        }
        final double cpu = systemBusySeconds() - busyAtStart;
        final double thread = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() -
            threadAtStart) / 1e9;
        System.out.printf("CPU per snapshot (with its puts): %.1f us in this thread, %.1f us on the whole machine%n",
            thread / n * 1e6, cpu / n * 1e6);
        final long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        System.out.printf("%d snapshots of %d changes at %d entries: p50 %.2f p90 %.2f p99 %.2f max %.2f ms%n", n,
            changes, entries, sorted[n / 2] / 1e6, sorted[(int)(n * 0.9)] / 1e6, sorted[(int)(n * 0.99)] / 1e6,
            sorted[n - 1] / 1e6);
        Stores.release(engine, "memsnap", entries);
    }

    /** @return seconds the machine's CPUs were busy (not idle, not waiting for I/O) since boot. */
    private static double systemBusySeconds()
    {
        try
        {
            final String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length; i++)
            {
                if (i != 4 && i != 5)
                {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / 100.0;
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private static String dirty()
    {
        try
        {
            final StringBuilder sb = new StringBuilder();
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
            {
                if (line.startsWith("Dirty:") || line.startsWith("Writeback:"))
                {
                    sb.append(line.replaceAll("\\s+", " ")).append(' ');
                }
            }
            return sb.toString().trim();
        }
        catch (final IOException ex)
        {
            return "";
        }
    }
}
