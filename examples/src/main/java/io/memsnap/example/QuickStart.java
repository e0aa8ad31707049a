package io.memsnap.example;

import io.memsnap.MemoryStore;
import io.memsnap.SnapshotInfo;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * memsnap from a project of its own: opens a store, writes entries, snapshots, reads one zero-copy, closes, reopens
 * and checks that every entry came back.
 *
 * <pre>
 * java -cp ... io.memsnap.example.QuickStart DIR
 * </pre>
 *
 * Prints what it did, one line a step, and exits with 1 when the reopened store misses something.
 */
public final class QuickStart
{
    static final int DIMENSION = 1024;
    static final int ENTRIES = 1_000;

    private QuickStart()
    {
    }

    public static void main(final String[] args)
    {
        final List<String> report = run(Path.of(args.length > 0 ? args[0] : "example-store"));
        report.forEach(System.out::println);
        if (!report.get(report.size() - 1).startsWith("ok"))
        {
            System.exit(1);
        }
    }

    /** @return one line a step; the last starts with {@code ok} when the reopened store holds every entry. */
    static List<String> run(final Path dir)
    {
        final List<String> report = new ArrayList<>();
        final StoreOptions options = StoreOptions.ofDimension(DIMENSION);
        final SparseVector query = vector(7);
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int i = 0; i < ENTRIES; i++)
            {
                store.put("memory-" + i, vector(i));
            }
            store.putState("cursor", new byte[] {1, 2, 3});
            final SnapshotInfo snapshot = store.snapshot();
            report.add("wrote " + ENTRIES + " entries, snapshot " + snapshot.generation());

            // Zero-copy: the visitor reads the record where it lies in the mapped segment, allocating nothing.
            final double[] score = new double[1];
            store.read("memory-7", view -> score[0] = view.dot(query));
            report.add("read memory-7 in place: dot with itself " + score[0]);
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final long[] matching = new long[1];
            store.forEach(view ->
            {
                if (view.importance() == 1.0f && view.nnz() == 3)
                {
                    matching[0]++;
                }
            });
            final boolean stateBack = store.getState("cursor").isPresent();
            report.add("reopened at snapshot " + store.lastSnapshot().generation() + ": " + store.size() +
                " entries, state " + (stateBack ? "back" : "missing"));
            report.add(matching[0] == ENTRIES && store.size() == ENTRIES && stateBack ?
                "ok" : "missing entries: " + (ENTRIES - matching[0]));
        }
        return report;
    }

    /** @return three non-zeros derived from {@code i}, in increasing index order. */
    static SparseVector vector(final int i)
    {
        return SparseVector.of(new int[] {i % 300, 300 + i % 300, 600 + i % 400},
            new float[] {0.5f, 1.0f + i % 5, 2.0f});
    }
}
