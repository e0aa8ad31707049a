package io.memsnap;

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
 * Proves that the Java heap a store needs does not grow with the number of entries: a child JVM with a 128 MiB heap
 * writes {@code memsnap.heap.entries} entries (default 2 million, about 30 non-zeros each) with periodic snapshots,
 * reopens the store, reads a sample back bit for bit and visits every entry. The child must succeed (an
 * {@link OutOfMemoryError} fails the test), and the heap in use after a full GC once all entries are written, after
 * the reopen and after the reads must be within {@value #ALLOWED_GROWTH_MIB} MiB of what it was after the first
 * 10%.
 *
 * <p>Then a planned restart (a checkpoint, a snapshot naming it, a clean close): the open after it replays no record,
 * holds under {@value #OPEN_HEAP_MIB} MiB of heap after a full GC, and its index reaches at most
 * {@value #INDEX_BYTES_PER_ENTRY} bytes of pages per entry (extendible hashing's mean bucket fill, which the spread
 * placement of keys keeps near ln 2 of the 255 slots of a 4 KiB bucket at every size, about 23.2 bytes an entry:
 * docs/benchmarks.md, "Ten million entries under -Xmx128m").
 *
 * <p>The benchmark size (5 million) is run by hand: {@code -Dtest=HeapBoundTest -Dmemsnap.heap.entries=5000000}.
 */
class HeapBoundTest
{
    private static final int ALLOWED_GROWTH_MIB = 16;
    private static final int OPEN_HEAP_MIB = 16;
    private static final int INDEX_BYTES_PER_ENTRY = 24;
    private static final long DEFAULT_ENTRIES = 2_000_000;
    private static final int SAMPLE = 20_000;
    private static final long TIMEOUT_MINUTES = 30;

    @TempDir
    Path tmp;

    @Test
    void heapAfterGcStaysFlatFromTenPercentToAllEntries() throws Exception
    {
        final long entries = Long.getLong("memsnap.heap.entries", DEFAULT_ENTRIES);
        assertTrue(entries >= 100, "memsnap.heap.entries must be at least 100");
        final Path stderr = tmp.resolve("child.err");
        final Process process = new ProcessBuilder(childCommand(tmp.resolve("store"), entries))
            .redirectError(stderr.toFile())
            .start();
        process.getOutputStream().close();
        final List<String> lines = ChildJvm.readLines(process);
        assertTrue(process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "child did not finish");
        final String output = "stdout " + lines + ", stderr:\n" + Files.readString(stderr);
        assertEquals(0, process.exitValue(), "child failed (an OutOfMemoryError exits with 3): " + output);
        assertFalse(lines.isEmpty(), output);

        assertTrue(lines.get(lines.size() - 1).startsWith("ok "), output);
        final Map<String, Long> heap = parseHeap(lines);
        System.out.println("HeapBoundTest: " + entries + " entries with -Xmx128m, heap after GC in MiB: " +
            mib(heap) + "; " + lines.get(lines.size() - 2) + " bytes, child ran " +
            lines.get(lines.size() - 1).substring("ok ".length()) + " ms");
        final long base = heap.get("10%");
        for (final String step : List.of("100%", "reopened", "read"))
        {
            final long growth = heap.get(step) - base;
            assertTrue(growth < ALLOWED_GROWTH_MIB * 1024L * 1024L, "heap after GC grew by " + growth +
                " bytes from 10% to '" + step + "' of " + entries + " entries: " + mib(heap));
        }
        assertTrue(heap.get("checkpointed") < OPEN_HEAP_MIB * 1024L * 1024L, "heap after GC once opened after a " +
            "checkpoint: " + mib(heap));
        assertEquals(0, figure(lines, "replayed"), "an open after a checkpoint, a snapshot and a clean close " +
            "replays nothing: " + output);
        final double indexBytesPerEntry = figure(lines, "index-live-bytes") / (double)entries;
        System.out.println("HeapBoundTest: index pages reached per entry " + indexBytesPerEntry + " bytes");
        assertTrue(indexBytesPerEntry <= INDEX_BYTES_PER_ENTRY, "index bytes per entry " + indexBytesPerEntry);
    }

    /** @return the number the child printed after {@code name}. */
    private static long figure(final List<String> lines, final String name)
    {
        for (final String line : lines)
        {
            if (line.startsWith(name + " "))
            {
                return Long.parseLong(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("the child did not print '" + name + "': " + lines);
    }

    private static List<String> childCommand(final Path dir, final long entries)
    {
        return ChildJvm.command(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError"),
            HeapBoundChild.class, List.of(dir.toString(), Long.toString(entries), Integer.toString(SAMPLE)));
    }

    private static Map<String, Long> parseHeap(final List<String> lines)
    {
        final Map<String, Long> heap = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final String[] words = line.split(" ");
            if (words[0].equals("heap"))
            {
                heap.put(words[1], Long.parseLong(words[2]));
            }
        }
        for (final String step : List.of("10%", "50%", "100%", "reopened", "read", "checkpointed"))
        {
            assertTrue(heap.containsKey(step), "child did not report the heap at '" + step + "': " + lines);
        }
        return heap;
    }

    private static String mib(final Map<String, Long> heap)
    {
        final StringBuilder b = new StringBuilder();
        heap.forEach((step, bytes) -> b.append(b.length() == 0 ? "" : ", ").append(step).append('=')
            .append(String.format("%.1f", bytes / (1024.0 * 1024.0))));
        return b.toString();
    }
}
