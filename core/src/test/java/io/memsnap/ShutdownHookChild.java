package io.memsnap;

import java.nio.file.Path;

/**
 * The process {@code AutoSnapshotTest} ends with SIGTERM: opens the store with {@link StoreOptions#shutdownHook()},
 * puts entries {@code [0, count)} (version 0) and a named state, prints {@code ready <lastSequence>}, and waits for
 * ever without closing the store. Only the shutdown hook can then snapshot and close it.
 *
 * <p>Usage: {@code ShutdownHookChild <dir> <count>}. Any failure prints its stack trace and exits with status 2.
 */
public final class ShutdownHookChild
{
    static final String STATE = "transitions";

    private ShutdownHookChild()
    {
    }

    static StoreOptions options()
    {
        return StoreOptions.builder().dimension(TestEntries.DIMENSION).segmentSize(1 << 20).shutdownHook(true)
            .build();
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final int count = Integer.parseInt(args[1]);
        final MemoryStore store;
        try
        {
            store = MemoryStore.open(Path.of(args[0]), options());
            for (int i = 0; i < count; i++)
            {
                TestEntries.put(store, i, 0);
            }
            store.putState(STATE, TestEntries.metadata(count, 0));
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
            return;
        }
        System.out.println("ready " + store.lastSequence());
        System.out.flush();
        Thread.currentThread().join(); // until SIGTERM
    }
}
