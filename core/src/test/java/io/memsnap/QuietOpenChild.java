package io.memsnap;

import java.nio.file.Path;

/** {@link QuietOpenTest}'s child: opens the store in {@code args[0]}, reads an entry and closes it. */
public final class QuietOpenChild
{
    static final String FOUND = "found q7";

    private QuietOpenChild()
    {
    }

    public static void main(final String[] args)
    {
        try (MemoryStore store = MemoryStore.open(Path.of(args[0]), StoreOptions.builder().build()))
        {
            if (store.contains("q7"))
            {
                System.out.println(FOUND);
            }
        }
    }
}
