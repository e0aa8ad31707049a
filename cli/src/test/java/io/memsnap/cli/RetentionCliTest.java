package io.memsnap.cli;

import io.memsnap.Manifests;
import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap pin}, {@code unpin} and {@code list} on a store that a service wrote with its own retention (the
 * newest five, and fourteen days): list shows why each snapshot is kept, in text and JSON; pin and unpin commit
 * under the service's rules, never deleting what it keeps; bad generations and durations are refused.
 */
class RetentionCliTest
{
    private static final int DIMENSION = 1000;

    @TempDir
    Path dir;

    /** A service's store: eight snapshots, all younger than fourteen days, the newest five by count too. */
    private void serviceStore()
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION)
            .segmentSize(TestStores.SEGMENT).preallocate(false).retainedSnapshots(5)
            .retainedSnapshotAge(Duration.ofDays(14)).build()))
        {
            for (int i = 1; i <= 8; i++)
            {
                store.put("id-" + i, SparseVector.of(new int[] {i}, new float[] {1.0f}));
                store.snapshot();
            }
        }
    }

    private long manifests()
    {
        return Manifests.onDisk(dir).size();
    }

    /** @return the line of {@code list}'s text output for {@code generation}. */
    private static String line(final String out, final long generation)
    {
        return out.lines().filter(l -> l.startsWith(generation + " ")).findFirst().orElse("");
    }

    @Test
    void listShowsWhyEachSnapshotIsKeptAndPinAndUnpinKeepTheServicesRules() throws IOException
    {
        serviceStore();
        assertEquals(9, manifests(), "the creation's and eight, all younger than fourteen days");

        final ExportImportCliTest.Run listed = run("list", dir.toString());
        assertEquals(Main.OK, listed.code, listed.toString());
        assertTrue(listed.out.lines().findFirst().orElse("").contains("kept because"), listed.toString());
        assertTrue(line(listed.out, 8).contains("last-5, age<14d"), listed.toString());
        assertTrue(line(listed.out, 2).contains("age<14d") && !line(listed.out, 2).contains("last-5"),
            listed.toString());

        final ExportImportCliTest.Run pin = run("pin", dir.toString(), "2", "--label", "before migration",
            "--for", "30d");
        assertEquals(Main.OK, pin.code, pin.toString());
        assertTrue(pin.out.startsWith("pinned generation=2 label=before migration until="), pin.toString());
        assertEquals(10, manifests(), "the pin commit kept what the service keeps (its rules, not the tool's)");

        final ExportImportCliTest.Run after = run("list", dir.toString());
        assertTrue(line(after.out, 2).contains("age<14d, pinned: before migration (until "), after.toString());
        assertTrue(line(after.out, 9).contains("last-5, age<14d"), after.toString());

        final ExportImportCliTest.Run json = run("list", dir.toString(), "--json");
        assertEquals(Main.OK, json.code, json.toString());
        assertTrue(json.out.contains("\"generation\":2,") && json.out.contains(
            "\"retainedBecause\":[\"age<14d\",\"pinned: before migration\"],\"pin\":{\"label\":\"before migration\"," +
            "\"expiresAt\":"), json.toString());
        assertTrue(json.out.contains("\"retainedBecause\":[\"last-5\",\"age<14d\"]"), json.toString());

        final ExportImportCliTest.Run unpin = run("unpin", dir.toString(), "2");
        assertEquals(Main.OK, unpin.code, unpin.toString());
        assertEquals("unpinned generation=2", unpin.out.trim());
        assertFalse(run("list", dir.toString()).out.contains("pinned"));
        final ExportImportCliTest.Run again = run("unpin", dir.toString(), "2");
        assertEquals(Main.NOT_FOUND, again.code, again.toString());
        assertTrue(again.err.startsWith("memsnap: ") && again.err.contains("not pinned"), again.toString());
    }

    @Test
    void aSnapshotThatIsNotRetainedOrABadDurationIsRefused() throws IOException
    {
        serviceStore();
        final ExportImportCliTest.Run missing = run("pin", dir.toString(), "999", "--label", "x");
        assertEquals(Main.NOT_FOUND, missing.code, missing.toString());
        assertTrue(missing.err.contains("generation 999 is not retained"), missing.toString());
        final ExportImportCliTest.Run badDuration = run("pin", dir.toString(), "3", "--label", "x", "--for", "soon");
        assertEquals(Main.USAGE, badDuration.code, badDuration.toString());
        assertTrue(badDuration.err.contains("14d"), badDuration.toString());
        final ExportImportCliTest.Run noLabel = run("pin", dir.toString(), "3");
        assertEquals(Main.USAGE, noLabel.code, noLabel.toString());
        final ExportImportCliTest.Run badLabel = run("pin", dir.toString(), "3", "--label", "");
        assertEquals(Main.USAGE, badLabel.code, badLabel.toString());
        assertEquals(9, manifests(), "nothing committed");
        for (final String command : new String[] {"pin", "unpin", "list"})
        {
            final ExportImportCliTest.Run help = run(command, "--help");
            assertEquals(Main.OK, help.code, help.toString());
            assertTrue(help.out.startsWith("Usage: memsnap " + command), help.toString());
        }
    }

    @Test
    void durationsAreReadAsListPrintsThemOrInIso8601()
    {
        final DurationConverter c = new DurationConverter();
        assertEquals(Duration.ofDays(14), c.convert("14d"));
        assertEquals(Duration.ofHours(36), c.convert("36h"));
        assertEquals(Duration.ofMinutes(90), c.convert("90m"));
        assertEquals(Duration.ofSeconds(45), c.convert("45s"));
        assertEquals(Duration.ofMillis(1500), c.convert("1500ms"));
        assertEquals(Duration.ofDays(14), c.convert("P14D"));
        assertEquals(Duration.ofHours(36), c.convert("PT36H"));
        for (final String bad : new String[] {"", "14", "d", "-3d", "3w", "1.5h"})
        {
            assertThrows(picocli.CommandLine.TypeConversionException.class, () -> c.convert(bad), bad);
        }
    }
}
