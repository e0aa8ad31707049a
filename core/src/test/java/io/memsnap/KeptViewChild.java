package io.memsnap;

import java.nio.file.Path;

/**
 * The process {@link EntryViewLifetimeTest} runs to use an {@link EntryView} after its store was closed, where a
 * read of the unmapped memory would kill the JVM: opens a store in {@code <dir>}, keeps the view handed to a visitor,
 * closes the store, then calls each {@link EntryViewLifetimeTest.Accessor} of the kept view and prints one line for
 * each, {@code <accessor> returned} or {@code <accessor> <simple name of the exception thrown>}, then {@code done}.
 *
 * <p>Usage: {@code KeptViewChild <dir>}.
 */
public final class KeptViewChild
{
    private KeptViewChild()
    {
    }

    public static void main(final String[] args)
    {
        final EntryView[] kept = new EntryView[1];
        final MemoryStore store = MemoryStore.open(Path.of(args[0]),
            StoreOptions.builder().dimension(TestEntries.DIMENSION).build());
        TestEntries.put(store, 0, 0);
        store.read(TestEntries.id(0), v -> kept[0] = v);
        store.close();
        for (final EntryViewLifetimeTest.Accessor accessor : EntryViewLifetimeTest.Accessor.values())
        {
            System.out.println(accessor + " " + EntryViewLifetimeTest.outcome(accessor, kept[0]));
            System.out.flush();
        }
        System.out.println("done");
    }
}
