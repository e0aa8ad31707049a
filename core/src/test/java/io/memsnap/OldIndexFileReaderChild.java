package io.memsnap;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The process {@link OldIndexFileReadOnlyTest} runs as a read-only reader of another process's store: opens snapshot
 * {@code <generation>} of {@code <dir>} read-only and prints {@code open}; then, for each line {@code verify} on
 * stdin, reads every entry and prints {@code verified <count>} if each is version 0 of {@link TestEntries} (or
 * {@code wrong <id>}); on {@code close}, closes the store, prints {@code closed} and exits.
 *
 * <p>Usage: {@code OldIndexFileReaderChild <dir> <generation> <entries>}.
 */
public final class OldIndexFileReaderChild
{
    private OldIndexFileReaderChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int entries = Integer.parseInt(args[2]);
        final MemoryStore store = MemoryStore.open(Path.of(args[0]),
            StoreOptions.builder().readOnly(true).generation(Long.parseLong(args[1])).build());
        say("open");
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null)
        {
            if (line.equals("verify"))
            {
                say(OldIndexFileReadOnlyTest.wrongEntry(store, entries, 0));
            }
            else if (line.equals("close"))
            {
                store.close();
                say("closed");
                return;
            }
        }
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
