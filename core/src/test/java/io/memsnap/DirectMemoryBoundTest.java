package io.memsnap;

import io.memsnap.crash.DiskFullFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves that a writer's direct memory stays under {@link StoreOptions#maxResidentIndexBytes()} and below the JVM's
 * limit whatever the number of entries, without help from the garbage collector: a child JVM with
 * {@code -Xmx128m -XX:+DisableExplicitGC} and a direct-memory limit of {@code memsnap.direct.limit.mib} MiB
 * (default 64, scaled down with the entry count so that the run takes seconds; the JVM's default is the heap's
 * 128 MiB) writes small vectors ({@link DirectMemoryBoundChild}, next to no garbage).
 *
 * <ul>
 * <li>Writing {@code memsnap.direct.entries} entries (default 800,000; the index pages ever created add up to many
 * times the limit), the peak of the JVM's direct buffer memory, sampled every 2 ms, stays under the derived limit
 * (half the JVM's) plus {@value #SLACK_MIB} MiB for the JDK's own temporary buffers, at 10%, 50% and 100%; the heap in
 * use after the latest collection stays under {@value #HEAP_AFTER_GC_MIB} MiB. Before the fix the child died with
 * {@code OutOfMemoryError: Cannot reserve 4194304 bytes of direct buffer memory}.</li>
 * <li>With checkpoints failing (a full disk, {@link DiskFullFileSystem}), the writer at the limit gets
 * {@link IndexMemoryFullException} caused by the failed checkpoint, nothing written, reads going on; once the disk
 * is free the writes go on and a reopen finds them all. Before the fix the child died of the same
 * {@link OutOfMemoryError}.</li>
 * </ul>
 *
 * <p>The benchmark size is run by hand: see {@link DirectMemoryBoundChild}.
 */
class DirectMemoryBoundTest
{
    private static final long DEFAULT_ENTRIES = 800_000;
    private static final int DEFAULT_LIMIT_MIB = 64;
    private static final int SLACK_MIB = 4;
    private static final int HEAP_AFTER_GC_MIB = 32;
    private static final long TIMEOUT_MINUTES = 20;

    @TempDir
    Path tmp;

    @Test
    void directMemoryAndHeapStayBoundedWhileWritingSmallVectors() throws Exception
    {
        final long entries = Long.getLong("memsnap.direct.entries", DEFAULT_ENTRIES);
        final List<String> lines = runChild("write", entries);
        final long limit = value(lines, "limit");
        final long jvmLimit = Integer.getInteger("memsnap.direct.limit.mib", DEFAULT_LIMIT_MIB) * 1024L * 1024L;
        assertTrue(limit < jvmLimit, "derived limit " + limit + " not below the JVM's " + jvmLimit);
        final Map<String, Long> direct = steps(lines, "direct");
        final Map<String, Long> heap = steps(lines, "heap");
        System.out.println("DirectMemoryBoundTest: " + entries + " entries with -Xmx128m, direct limit " +
            mib(jvmLimit) + " MiB, store limit " + mib(limit) + " MiB; direct peak " + direct + ", heap after GC " +
            heap + ", index pages created " + steps(lines, "index").get("100%") + " bytes (index files allocated " +
            steps(lines, "indexAllocated").get("100%") + "), child ran " + value(lines, "ok") + " ms");
        for (final String step : List.of("10%", "50%", "100%"))
        {
            assertTrue(direct.get(step) <= limit + SLACK_MIB * 1024L * 1024L, "direct memory peaked at " +
                direct.get(step) + " bytes by " + step + " of " + entries + " entries, over the store's limit of " +
                limit + ": " + lines);
            assertTrue(heap.get(step) < HEAP_AFTER_GC_MIB * 1024L * 1024L, "heap after GC at " + step + " is " +
                heap.get(step) + " bytes: " + lines);
        }
        // Index compaction rewrites the live pages into a smaller file whenever enough of them are dead, so the
        // newest file's length at any one step depends on when the last compaction ran (1.5 to 4 times the limit at
        // 100 %, from run to run on two loaded cores); the furthest it reached is what the store had to page out.
        final long furthest = steps(lines, "index").values().stream().mapToLong(Long::longValue).max().orElse(0);
        assertTrue(furthest > 3 * limit / 2, "the index pages created must reach well past the limit for the test " +
            "to mean anything: " + lines);
        assertTrue(value(lines, "direct") <= limit + SLACK_MIB * 1024L * 1024L, "direct memory peaked at " +
            value(lines, "direct") + " bytes with the reopen: " + lines);
    }

    @Test
    void aWriterAtTheLimitWithCheckpointsFailingGetsIndexMemoryFullExceptionNotAnOutOfMemoryError() throws Exception
    {
        final List<String> lines = runChild("diskfull", 200_000);
        final String refused = lines.stream().filter(l -> l.startsWith("refused ")).findFirst().orElse("");
        assertTrue(refused.contains("maxResidentIndexBytes") && refused.contains("No space left on device") &&
            refused.contains("Nothing was written"), "the message says what happened and what to do: " + refused);
        assertTrue(value(lines, "direct") <= value(lines, "limit") + SLACK_MIB * 1024L * 1024L, lines.toString());
    }

    /** @return the child's stdout lines, once it exited 0 with a last line {@code ok <millis>}. */
    private List<String> runChild(final String mode, final long entries) throws Exception
    {
        final Path stderr = tmp.resolve("child.err");
        final Process process = new ProcessBuilder(childCommand(mode, tmp.resolve("store"), entries))
            .redirectError(stderr.toFile())
            .start();
        process.getOutputStream().close();
        final List<String> lines = ChildJvm.readLines(process);
        assertTrue(process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "child did not finish");
        final String output = "stdout " + lines + ", stderr:\n" + Files.readString(stderr);
        assertEquals(0, process.exitValue(), "child failed: " + output);
        assertTrue(!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("ok "), output);
        return lines;
    }

    private static List<String> childCommand(final String mode, final Path dir, final long entries)
    {
        final int directMib = Integer.getInteger("memsnap.direct.limit.mib", DEFAULT_LIMIT_MIB);
        // No System.gc() from java.nio.Bits near the limit to hide a leak.
        return ChildJvm.command(List.of("-Xmx128m", "-XX:MaxDirectMemorySize=" + directMib + "m",
            "-XX:+DisableExplicitGC", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"),
            DirectMemoryBoundChild.class, List.of(mode, dir.toString(), Long.toString(entries)));
    }

    /** @return the number after {@code key} on the line that starts with it. */
    private static long value(final List<String> lines, final String key)
    {
        for (final String line : lines)
        {
            final String[] words = line.split(" ");
            if (words[0].equals(key) && words.length == 2)
            {
                return Long.parseLong(words[1]);
            }
        }
        throw new AssertionError("child did not report '" + key + "': " + lines);
    }

    /** @return the values of the lines {@code key <step> <bytes>}, by step. */
    private static Map<String, Long> steps(final List<String> lines, final String key)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final String[] words = line.split(" ");
            if (words[0].equals(key) && words.length == 3)
            {
                values.put(words[1], Long.parseLong(words[2]));
            }
        }
        for (final String step : List.of("10%", "50%", "100%"))
        {
            assertTrue(values.containsKey(step), "child did not report '" + key + "' at " + step + ": " + lines);
        }
        return values;
    }

    private static String mib(final long bytes)
    {
        return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }
}
