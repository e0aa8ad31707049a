package io.memsnap;

import java.nio.ByteOrder;
import java.nio.file.Path;

import static io.memsnap.internal.format.RecordDescriptor.LENGTH_OFFSET;

/**
 * Run in a child JVM by {@link JvmFlagMissingTest}. Any exception escapes {@code main}, so that the JVM prints it to
 * stderr as a user's program would.
 *
 * <ul>
 *     <li>{@code use DIR}: opens a store in {@code DIR}, writes, reads (through {@link EntryView#byteBuffer()} too),
 *     snapshots, closes, opens it again and reads, then prints {@code ok}.</li>
 *     <li>{@code batch}: makes a {@link WriteBatch} and puts an entry in it, then prints {@code ok}.</li>
 *     <li>{@code view}: shows a {@link EntryView} a record encoded by a batch, prints the record's length as
 *     {@link EntryView#byteBuffer()} gives it, then calls {@link EntryView#buffer()} and prints {@code ok}.</li>
 *     <li>{@code buffer DIR}: opens a store in {@code DIR}, writes, and calls {@link EntryView#buffer()} in a read,
 *     then prints {@code ok}.</li>
 * </ul>
 *
 * <pre>
 * java [flags] -cp ... io.memsnap.FlagProbe use DIR | batch | view | buffer DIR
 * </pre>
 */
public final class FlagProbe
{
    private FlagProbe()
    {
    }

    @SuppressWarnings("deprecation")
    public static void main(final String[] args)
    {
        switch (args[0])
        {
            case "use":
                use(Path.of(args[1]));
                break;
            case "batch":
                new WriteBatch().put("a", SparseVector.empty());
                break;
            case "view":
                final WriteBatch batch = new WriteBatch().put("a", SparseVector.of(new int[] {3}, new float[] {2}));
                final EntryView view = new EntryView();
                view.wrap(batch.records(), batch.offset(0));
                System.out.println("byteBuffer " + view.byteBuffer().remaining());
                System.out.println("buffer " + view.buffer().getInt(view.recordOffset() + LENGTH_OFFSET));
                break;
            default:
                try (MemoryStore store = MemoryStore.open(Path.of(args[1]), StoreOptions.ofDimension(8)))
                {
                    store.put("a", SparseVector.of(new int[] {1, 5}, new float[] {0.5f, 2.0f}));
                    store.read("a", v -> v.buffer());
                }
        }
        System.out.println("ok");
    }

    private static void use(final Path dir)
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.ofDimension(8)))
        {
            store.put("a", SparseVector.of(new int[] {1, 5}, new float[] {0.5f, 2.0f}));
            store.write(new WriteBatch().put("b", SparseVector.of(new int[] {2}, new float[] {1.0f})));
            check(store.get("a").orElseThrow().vector().valuesUnsafe()[1] == 2.0f, "get");
            final int[] length = new int[1];
            store.read("b", v -> length[0] = v.byteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt(LENGTH_OFFSET));
            check(length[0] > 0, "byteBuffer");
            store.snapshot();
        }
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.ofDimension(8)))
        {
            check(store.get("b").orElseThrow().vector().valuesUnsafe()[0] == 1.0f, "get after reopening");
        }
    }

    private static void check(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError(what);
        }
    }
}
