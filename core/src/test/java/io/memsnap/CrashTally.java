package io.memsnap;

import io.memsnap.crash.CrashMode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one workload's exploration covered and what it found: counts of points and states, refusals by crash mode,
 * and the failures grouped by kind (the same bug shows at many points), each with the repro of its first few
 * occurrences. Not thread safe: one explorer thread fills it.
 */
final class CrashTally
{
    private static final int REPROS_PER_KIND = 3;

    final String workload;
    int points;
    int states;
    int distinct;
    int recoveries;
    int recoveryStates;
    final Map<CrashMode, Integer> refusals = new EnumMap<>(CrashMode.class);
    int readOnlyRefusals;
    int failures;
    private final Map<String, List<String>> failuresByKind = new LinkedHashMap<>();
    private final List<String> refusalSamples = new ArrayList<>();

    CrashTally(final String workload)
    {
        this.workload = workload;
    }

    void refused(final CrashMode mode, final String sample)
    {
        refusals.merge(mode, 1, Integer::sum);
        if (refusalSamples.size() < 3)
        {
            refusalSamples.add(sample);
        }
    }

    void failed(final String problem, final String where)
    {
        failures++;
        final String kind = problem.split("\n", 2)[0].replaceAll("[0-9]+", "#");
        final List<String> repros = failuresByKind.computeIfAbsent(kind.substring(0, Math.min(160, kind.length())),
            k -> new ArrayList<>());
        if (repros.size() < REPROS_PER_KIND)
        {
            repros.add(where + "\n      " + problem.replace("\n", "\n      "));
        }
    }

    boolean hasFailures()
    {
        return failures > 0;
    }

    /** @return one line: what was explored. */
    String summary(final long millis)
    {
        return "explored " + states + " states (" + distinct + " distinct) at " + points + " persistence points " +
            "(workload " + workload + ") in " + millis + " ms; " + recoveries + " recoveries explored (" +
            recoveryStates + " of those states); writer refusals by mode " + refusals + ", read-only refusals " +
            readOnlyRefusals + "; " + failures + " failing states";
    }

    /** @return the failures, grouped by kind, with repros; and samples of refusals. */
    String details()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<String, List<String>> e : failuresByKind.entrySet())
        {
            sb.append("  FAILURE KIND: ").append(e.getKey()).append('\n');
            for (final String repro : e.getValue())
            {
                sb.append("    at ").append(repro).append('\n');
            }
        }
        for (final String sample : refusalSamples)
        {
            sb.append("  refusal sample: ").append(sample).append('\n');
        }
        return sb.toString();
    }
}
