package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.SparseVector;
import io.memsnap.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.memsnap.cli.ExportImportCliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap inspect DIR} shows the length and the allocated bytes of each index file, in text and in JSON: an
 * index file written from a checkpoint (a later generation) is sparse, far less allocated than long.
 */
class InspectCommandTest
{
    @TempDir
    Path dir;

    @Test
    void showsTheLengthAndTheAllocatedBytesOfEachIndexFile() throws Exception
    {
        final StoreOptions options = TestStores.small(1000).toBuilder().indexCompactionMinBytes(0)
            .indexCompactionRatio(StoreOptions.MIN_INDEX_COMPACTION_RATIO).retainedSnapshots(2).build();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int round = 0; round < 6; round++)
            {
                for (int i = 0; i < 5_000; i++)
                {
                    store.put("id-" + i, SparseVector.of(new int[] {i % 1000}, new float[] {round}));
                }
                store.checkpoint();
                store.snapshot();
            }
        }
        final Path index;
        try (var files = Files.list(dir))
        {
            index = files.filter(p -> p.getFileName().toString().startsWith("index-")).sorted().findFirst()
                .orElseThrow();
        }
        final String name = index.getFileName().toString();

        final ExportImportCliTest.Run text = run("inspect", dir.toString());
        assertEquals(Main.OK, text.code, text.toString());
        assertTrue(text.out.contains("index file   " + name + ": " + Demo.bytes(Files.size(index)) + " long, "),
            text.toString());
        assertTrue(text.out.matches("(?s).*on disk .* allocated\n.*"), text.toString());

        final ExportImportCliTest.Run json = run("inspect", dir.toString(), "--json");
        assertEquals(Main.OK, json.code, json.toString());
        final Matcher files = Pattern.compile("\"indexFiles\":\\[\\{\"name\":\"" + Pattern.quote(name) +
            "\",\"bytes\":(\\d+),\"allocatedBytes\":(\\d+)}").matcher(json.out);
        assertTrue(files.find(), json.out);
        final long length = Long.parseLong(files.group(1));
        final long allocated = Long.parseLong(files.group(2));
        assertEquals(Files.size(index), length);
        assertTrue(allocated > 0 && allocated < length / 2, "sparse: " + allocated + " of " + length);
    }
}
