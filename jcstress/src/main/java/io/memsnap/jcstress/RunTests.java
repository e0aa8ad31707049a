package io.memsnap.jcstress;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.TestGrading;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The main class of {@code jcstress.jar}: runs jcstress with the given options (as {@code org.openjdk.jcstress.Main}
 * does), then exits with status 1 when a test result has a FORBIDDEN outcome or an error, or when a selected test
 * has no result; jcstress itself exits 0 in all these cases.
 *
 * <p>Every forked JVM gets {@link #FORK_FLAGS}, room for direct memory beyond the default (the heap size,
 * 256 MiB in jcstress forks): the index tests' states hold pages of 4 MiB direct chunks, and jcstress keeps up to
 * 10,240 states at once. It is put in front of {@code -jvmArgsPrepend}, or of {@code -jvmArgs} when that is
 * given, or added as {@code -jvmArgsPrepend} when neither is.
 */
public final class RunTests
{
    static final String FORK_FLAGS = "-XX:MaxDirectMemorySize=2g";

    private RunTests()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Options options = new Options(withForkFlags(args));
        if (!options.parse())
        {
            System.exit(1);
        }
        final JCStress jcstress = new JCStress(options);
        if (options.shouldList())
        {
            jcstress.getTests().forEach(System.out::println);
            return;
        }
        if (options.shouldParse())
        {
            jcstress.parseResults();
        }
        else
        {
            jcstress.run();
        }
        final Collection<String> problems = check(options.getResultFile(), jcstress.getTests());
        if (!problems.isEmpty())
        {
            System.out.println("jcstress: FAILED");
            problems.forEach(p -> System.out.println("  " + p));
            System.exit(1);
        }
        System.out.println("jcstress: PASSED (" + jcstress.getTests().size() + " tests)");
    }

    static String[] withForkFlags(final String[] args)
    {
        final List<String> out = new ArrayList<>(List.of(args));
        for (final String option : new String[] {"-jvmArgs", "-jvmArgsPrepend"})
        {
            final int at = out.indexOf(option);
            if (at >= 0 && at + 1 < out.size())
            {
                out.set(at + 1, FORK_FLAGS + " " + out.get(at + 1));
                return out.toArray(new String[0]);
            }
        }
        out.add("-jvmArgsPrepend");
        out.add(FORK_FLAGS);
        return out.toArray(new String[0]);
    }

    /** @return one line for each failed, erroneous or missing test (duplicates across forks once); empty if none. */
    static Collection<String> check(final String resultFile, final SortedSet<String> selected) throws Exception
    {
        final InProcessCollector collector = new InProcessCollector();
        final DiskReadCollector reader = new DiskReadCollector(resultFile, collector);
        try
        {
            reader.dump();
        }
        finally
        {
            reader.close();
        }
        final Set<String> problems = new LinkedHashSet<>();
        final SortedSet<String> seen = new TreeSet<>();
        for (final TestResult result : collector.getTestResults())
        {
            seen.add(result.getName());
            if (result.status() != Status.NORMAL)
            {
                final List<String> messages = result.getMessages();
                problems.add(result.getName() + ": " + result.status() + ": " +
                    String.join(" ", messages.subList(0, Math.min(2, messages.size()))).strip());
                continue;
            }
            final TestGrading grading = result.grading();
            if (!grading.isPassed)
            {
                problems.add(result.getName() + ": " + grading.failureMessages);
            }
        }
        for (final String name : selected)
        {
            if (!seen.contains(name))
            {
                problems.add(name + ": no result");
            }
        }
        if (selected.isEmpty())
        {
            problems.add("no test matched the selection");
        }
        return problems;
    }
}
