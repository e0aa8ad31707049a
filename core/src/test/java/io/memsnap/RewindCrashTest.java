package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a process in the middle of a rewind, before each of the rewind's file-system operations in turn
 * ({@link RewindCrashChild}, SIGKILL), and recovers what it left: the store comes back either as it was before the
 * rewind (every write of the present, on its timeline) or as the rewound state on the new timeline (exactly the
 * target's writes, the safety snapshot pinned and holding the present), never a mix; a read-only open of the newest
 * snapshot agrees; and the store then takes the rewind again. The crash-state explorer covers power cuts
 * ({@code CrashStateExplorerTest}, workload REWIND).
 */
class RewindCrashTest
{
    private static final long TIMEOUT_SECONDS = 60;
    private static final int SIGKILL_STATUS = 128 + 9;

    @TempDir
    Path tmp;

    static StoreOptions options()
    {
        return StoreOptions.builder().dimension(DIMENSION).segmentSize(StoreOptions.MIN_SEGMENT_SIZE)
            .preallocate(false).retainedSnapshots(3).backgroundCompaction(false).build();
    }

    @Test
    void killedBeforeEachOperationOfARewindRecoversThePresentOrTheRewoundStateNeverAMix() throws Exception
    {
        final Path prepared = tmp.resolve("prepared");
        final StoreHistory history = new StoreHistory();
        final long target;
        try (MemoryStore store = MemoryStore.open(prepared, options()))
        {
            for (int n = 0; n < 80; n++)
            {
                history.put(store, id(n), vector(n, 1), importance(n, 1), storedAt(n, 1), metadata(n, 1));
            }
            history.putState(store, "config", new byte[] {1});
            target = store.snapshot().generation();
            for (int n = 40; n < 160; n++)
            {
                history.put(store, id(n), vector(n, 2), importance(n, 2), storedAt(n, 2), metadata(n, 2));
            }
            for (int n = 0; n < 20; n++)
            {
                history.delete(store, id(n));
            }
            history.putState(store, "config", new byte[] {2});
            store.snapshot();
            for (int n = 100; n < 140; n++)
            {
                history.put(store, id(n), vector(n, 3), importance(n, 3), storedAt(n, 3), metadata(n, 3));
            }
        } // closed: the last writes are durable too
        final long present = history.lastSequence();
        final long targetSequence = 81;

        final int operations = Integer.parseInt(run(copyOf(prepared, "count"), target, 0).split(" ")[1]);
        assertTrue(operations > 10, "a rewind takes more than " + operations + " file-system operations");
        int before = 0;
        int after = 0;
        for (int stopAt = 1; stopAt <= operations + 1; stopAt++)
        {
            final Path dir = copyOf(prepared, "kill-" + stopAt);
            final String where = run(dir, target, stopAt);
            final String context = "killed " + (stopAt > operations ? "after the rewind returned" : "at " + where);
            long timeline;
            try (MemoryStore reader = MemoryStore.open(dir, StoreOptions.builder().readOnly(true).build()))
            {
                timeline = reader.lastSnapshot().timeline();
            }
            try (MemoryStore store = MemoryStore.open(dir, options()))
            {
                assertEquals(timeline, store.lastSnapshot().timeline(), context + ": read-only and writer agree");
                final long again;
                final long expected;
                if (timeline == 0)
                {
                    before++;
                    assertHolds(history, store, present, context + ": the present");
                    final List<SnapshotInfo> retained = store.snapshots();
                    assertTrue(retained.stream().anyMatch(s -> s.generation() == target),
                        context + ": the target is still retained, to rewind to again");
                    if (retained.stream().anyMatch(s -> s.labels().containsKey(RewindResult.SAFETY_LABEL)))
                    {
                        assertTrue(retained.stream().anyMatch(s -> s.generation() == target && s.pinLabel()
                            .equals(java.util.Optional.of(RewindResult.TARGET_LABEL + "=" + target))), context +
                            ": the safety snapshot's commit pinned the target: " + retained);
                    }
                    assertEquals(List.of(0L), timelinesOfSegments(dir), context + ": no segment of the new " +
                        "timeline is left in the store (moved into quarantine/)");
                    again = target;
                    expected = targetSequence;
                }
                else
                {
                    after++;
                    assertEquals(1, timeline, context);
                    final StoreHistory rewound = history.prefix(present);
                    rewound.rewind(0, targetSequence, 1);
                    assertHolds(rewound, store, targetSequence, context + ": the rewound state");
                    final SnapshotInfo safety = store.snapshots().stream().filter(s -> s.pinLabel().isPresent())
                        .findFirst().orElseThrow(() -> new AssertionError(context + ": no pinned safety snapshot"));
                    assertEquals(present, safety.lastSequence(), context);
                    try (MemoryStore old = MemoryStore.open(dir, StoreOptions.builder().readOnly(true)
                        .generation(safety.generation()).build()))
                    {
                        assertHolds(history, old, present, context + ": the safety snapshot");
                    }
                    again = safety.generation(); // undo
                    expected = present;
                }
                assertTrue(stopAt <= operations || timeline == 1, context + ": the rewind returned");
                // The store takes a rewind again, and goes on.
                store.rewind(again);
                assertEquals(expected, store.lastSequence(), context);
                put(store, 1000, 1);
            }
            StoreFiles.deleteTree(dir);
        }
        System.out.println("RewindCrashTest: " + operations + " operations; " + before + " kills recovered the " +
            "present, " + after + " the rewound state");
        assertTrue(before > 0 && after > 1, before + " before, " + after + " after");
    }

    /** @return the timelines the headers of the store's segment files name, distinct, in order. */
    private static List<Long> timelinesOfSegments(final Path dir)
    {
        return StoreFiles.list(dir).stream().filter(StoreFiles::isStartedSegment)
            .map(p -> java.nio.ByteBuffer.wrap(StoreFiles.readPrefix(p, 64)).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong(io.memsnap.internal.format.SegmentDescriptor.TIMELINE_OFFSET))
            .distinct().sorted().collect(java.util.stream.Collectors.toList());
    }

    private static void assertHolds(final StoreHistory history, final MemoryStore store, final long sequence,
        final String what)
    {
        final StoreHistory.Verification v = history.verify(store, sequence, what);
        assertEquals(0, v.readErrors, what + ": " + v.errorSamples);
    }

    private Path copyOf(final Path prepared, final String name)
    {
        final Path copy = tmp.resolve(name);
        StoreFiles.copyStore(prepared, copy);
        return copy;
    }

    /**
     * Runs a child that rewinds {@code dir} to {@code generation} and stops before operation {@code stopAt}, kills
     * it there (unless it only counts, {@code stopAt} 0) and returns its last line.
     */
    private String run(final Path dir, final long generation, final int stopAt) throws IOException,
        InterruptedException
    {
        final Path stderr = Files.createTempFile(tmp, "child", ".err");
        final Process process = new ProcessBuilder(ChildJvm.command(List.of("-Xmx256m"), RewindCrashChild.class,
            List.of(dir.toString(), Long.toString(generation), Integer.toString(stopAt))))
            .redirectError(stderr.toFile()).start();
        final List<String> lines = new ArrayList<>();
        try (java.io.BufferedReader in = process.inputReader())
        {
            final String line = in.readLine();
            assertNotNull(line, () -> "the child said nothing: " + read(stderr));
            lines.add(line);
            if (stopAt > 0)
            {
                process.toHandle().destroyForcibly();
            }
            assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the child did not end");
        }
        assertEquals(stopAt > 0 ? SIGKILL_STATUS : 0, process.exitValue(), () -> "child: " + lines + read(stderr));
        return lines.get(0);
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
