package io.memsnap.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JMH profiler ({@code -prof io.memsnap.bench.WorkerCpuProfiler}) that adds {@code ·cpu.worker}: the CPU time
 * the benchmark's worker threads spent in an iteration, per operation. On a machine shared with other jobs a
 * thread waiting for a CPU inflates the wall time per operation by the load of the moment; its CPU time is not
 * counted while it waits, so this is the figure to compare between benchmarks of a run when the machine is loaded.
 * Reading the worker threads' CPU time is the only work it adds, outside the measured window.
 *
 * <p>Not thread safe: JMH calls it from the thread that runs the iterations, one at a time.
 */
public final class WorkerCpuProfiler implements InternalProfiler
{
    private static final String WORKER = "jmh-worker";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> before = new HashMap<>();

    @Override
    public String getDescription()
    {
        return "CPU time of the worker threads per operation";
    }

    @Override
    public void beforeIteration(final BenchmarkParams benchmarkParams, final IterationParams iterationParams)
    {
        before.clear();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().contains(WORKER))
            {
                before.put(t.getId(), threads.getThreadCpuTime(t.getId()));
            }
        }
    }

    @Override
    public Collection<? extends Result> afterIteration(final BenchmarkParams benchmarkParams,
        final IterationParams iterationParams, final IterationResult result)
    {
        long cpu = 0;
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().contains(WORKER))
            {
                final long now = threads.getThreadCpuTime(t.getId());
                cpu += now - before.getOrDefault(t.getId(), 0L);
            }
        }
        final long ops = Math.max(1, result.getMetadata().getAllOps());
        return List.of(new ScalarResult("·cpu.worker", (double)cpu / ops, "ns/op", AggregationPolicy.AVG));
    }
}
