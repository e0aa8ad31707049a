package io.memsnap.bench;

import io.memsnap.MemoryStore;
import io.memsnap.bench.engine.Engine;
import io.memsnap.bench.engine.MemsnapEngine;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Diagnosis outside JMH (quicker to iterate than the gate): a paced writer on the gate's 1M-entry store, with nothing
 * else ({@code alone}) and beside a thread looping {@code snapshot} or {@code sync}, in alternating phases; prints
 * put latency percentiles per phase.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.memsnap.bench.StallProbe [entries] [seconds a phase] [rounds] [other]</pre>
 *
 * where {@code other} is {@code snapshot} (default), {@code sync}, {@code spin} (a thread that only computes),
 * {@code stream} (a thread that sweeps 16 MiB of memory) or {@code sleep} (a thread that parks 1 ms at a time).
 */
public final class StallProbe
{
    private static final long[] STREAM = new long[1 << 21];

    private StallProbe()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long entries = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        final String other = args.length > 3 ? args[3] : "snapshot";
        final Engine engine = Stores.open("memsnap", entries);
        final MemoryStore store = ((MemsnapEngine)engine).store();
        final Updates updates = new Updates(entries, 7);
        store.snapshot();
        for (int i = 0; i < 20_000; i++)
        {
            updates.putNext(engine);
        }
        for (int round = 0; round < rounds; round++)
        {
            for (final boolean beside : new boolean[] {false, true})
            {
                final AtomicBoolean stop = new AtomicBoolean();
                final long[] count = new long[1];
                final Thread t = new Thread(() ->
                {
                    while (!stop.get())
                    {
                        if ("sync".equals(other))
                        {
                            store.sync();
                        }
                        else if ("spin".equals(other))
                        {
                            long x = count[0];
                            for (int i = 0; i < 100_000; i++)
                            {
                                x = x * 6364136223846793005L + 1442695040888963407L;
                            }
                            if (x == 42)
                            {
                                System.out.print("");
                            }
                        }
                        else if ("stream".equals(other))
                        {
                            for (int i = 0; i < STREAM.length; i += 8)
                            {
                                STREAM[i] += i;
                            }
                        }
                        else if ("sleep".equals(other))
                        {
                            LockSupport.parkNanos(1_000_000);
                        }
                        else
                        {
                            store.snapshot();
                        }
                        count[0]++;
                    }
                });
                if (beside)
                {
                    t.start();
                }
                final long[] samples = new long[seconds * 40_000];
                int n = 0;
                final long end = System.nanoTime() + seconds * 1_000_000_000L;
                while (n < samples.length && System.nanoTime() < end)
                {
                    LockSupport.parkNanos(50_000);
                    final long s = System.nanoTime();
                    updates.putNext(engine);
                    samples[n++] = System.nanoTime() - s;
                }
                stop.set(true);
                if (beside)
                {
                    t.join();
                }
                final long[] sorted = Arrays.copyOf(samples, n);
                Arrays.sort(sorted);
                System.out.printf("round %d %-14s puts %6d  p50 %6.1f  p90 %6.1f  p99 %7.1f  p99.9 %8.1f  " +
                    "p99.99 %8.1f us  (%d %ss)%n", round, beside ? "with " + other : "alone", n,
                    sorted[n / 2] / 1e3, sorted[(int)(n * 0.9)] / 1e3, sorted[(int)(n * 0.99)] / 1e3,
                    sorted[(int)(n * 0.999)] / 1e3, sorted[(int)(n * 0.9999)] / 1e3, count[0], other);
            }
        }
        Stores.release(engine, "memsnap", entries);
    }
}
