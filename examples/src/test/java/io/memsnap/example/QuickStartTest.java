package io.memsnap.example;

import io.memsnap.MemoryStore;
import io.memsnap.StoreOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs the example in Surefire's JVM, which gets the flag memsnap needs from the argLine in pom.xml. */
class QuickStartTest
{
    @TempDir
    Path tmp;

    @Test
    void everyEntryComesBackAfterTheReopen()
    {
        final List<String> report = QuickStart.run(tmp.resolve("store"));

        assertEquals("ok", report.get(report.size() - 1), report.toString());
        try (MemoryStore store = MemoryStore.open(tmp.resolve("store"), StoreOptions.ofDimension(QuickStart.DIMENSION)))
        {
            assertEquals(QuickStart.ENTRIES, store.size());
        }
    }
}
