package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A visitor still running when {@link MemoryStore#close()} starts on another thread may call the store again: the
 * call works or throws {@link StoreClosedException}, and close returns once the visitor has, with no deadlock.
 * Each case has a timeout, so a deadlock fails the test instead of hanging the build.
 */
class CloseDuringVisitTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The race with close()'s locks is lost only now and then: each case runs this many times. */
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    /** How the visitor gets in: the three methods that hand out views. */
    enum Visit
    {
        READ(s -> v -> s.read(id(0), v)),
        FOR_EACH(s -> s::forEach),
        FOR_EACH_IN_ID_ORDER(s -> s::forEachInIdOrder);

        final Function<MemoryStore, Consumer<EntryVisitor>> start;

        Visit(final Function<MemoryStore, Consumer<EntryVisitor>> start)
        {
            this.start = start;
        }
    }

    /** What the visitor calls once close has started. */
    enum Call
    {
        PUT(s -> put(s, 1, 1)),
        DELETE(s -> s.delete(id(0))),
        PUT_STATE(s -> s.putState("s", new byte[] {1})),
        DELETE_STATE(s -> s.deleteState("s")),
        SYNC(MemoryStore::sync),
        SNAPSHOT(MemoryStore::snapshot),
        CHECKPOINT(MemoryStore::checkpoint),
        LAST_SEQUENCE(MemoryStore::lastSequence),
        LAST_SNAPSHOT(MemoryStore::lastSnapshot),
        VERIFY(s -> s.verify(false)),
        READ_AGAIN(s -> s.read(id(0), v -> v.importance()));

        final Consumer<MemoryStore> call;

        Call(final Consumer<MemoryStore> call)
        {
            this.call = call;
        }
    }

    static Stream<Arguments> cases()
    {
        return Arrays.stream(Visit.values())
            .flatMap(visit -> Arrays.stream(Call.values()).map(call -> Arguments.of(visit, call)));
    }

    @ParameterizedTest(name = "{0} visitor calls {1}")
    @MethodSource("cases")
    void aVisitorCallingTheStoreWhileCloseWaitsForItNeitherHangsNorBreaksTheStore(final Visit visit, final Call call)
        throws InterruptedException
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            closeDuringVisit(dir.resolve("round-" + round), visit, call);
        }
    }

    private static void closeDuringVisit(final Path dir, final Visit visit, final Call call)
        throws InterruptedException
    {
        final StoreOptions options = StoreOptions.builder().dimension(DIMENSION).build();
        final MemoryStore store = MemoryStore.open(dir, options);
        put(store, 0, 0);
        put(store, 2, 0);
        store.putState("s", new byte[] {0});

        final CountDownLatch calling = new CountDownLatch(1);
        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final Thread reader = daemon("visitor", () -> visit.start.apply(store).accept(view ->
        {
            if (calling.getCount() == 0)
            {
                return; // one visit is enough
            }
            try
            {
                // Calls while close() starts (the race with its locks), then once more after it refuses readers.
                call.call.accept(store);
                calling.countDown();
                while (!refusesReaders(store))
                {
                    call.call.accept(store);
                }
                call.call.accept(store);
            }
            catch (final Throwable ex)
            {
                outcome.set(ex);
            }
        }));
        final AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        final Thread closer = daemon("closer", () ->
        {
            try
            {
                store.close();
            }
            catch (final Throwable ex)
            {
                closeFailure.set(ex);
            }
        });

        reader.start();
        assertTrue(calling.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the visitor never called " + call);
        closer.start();

        assertTimeoutPreemptively(TIMEOUT, () ->
        {
            reader.join();
            closer.join();
        }, () -> "deadlock: " + call + " from a " + visit + " visitor while close() waits for the visitor\n" +
            stack(reader) + "\n" + stack(closer));
        assertNull(closeFailure.get(), () -> "close failed: " + closeFailure.get());
        final Throwable thrown = outcome.get();
        assertTrue(thrown == null || thrown instanceof StoreClosedException,
            () -> call + " threw " + thrown + " instead of working or throwing StoreClosedException");
        assertThrows(StoreClosedException.class, () -> store.read(id(0), v -> v.importance()));
        store.close(); // idempotent

        try (MemoryStore reopened = MemoryStore.open(dir, options))
        {
            assertTrue(reopened.contains(id(2)), "the store opens again after the close");
        }
    }

    @Test
    void closeFromInsideAVisitorThrowsAndLeavesTheStoreOpen()
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION).build()))
        {
            put(store, 0, 0);
            store.read(id(0), v -> assertThrows(IllegalStateException.class, store::close));
            store.forEach(v -> assertThrows(IllegalStateException.class, store::close));
            put(store, 0, 1);
            assertTrue(store.read(id(0), v -> assertEquals(importance(0, 1), v.importance())));
        }
    }

    /** @return whether close() has started refusing readers (it then waits for those inside). */
    private static boolean refusesReaders(final MemoryStore store)
    {
        try
        {
            store.contains(id(2));
            return false;
        }
        catch (final StoreClosedException ex)
        {
            return true;
        }
    }

    private static Thread daemon(final String name, final Runnable body)
    {
        final Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private static String stack(final Thread t)
    {
        final StringBuilder sb = new StringBuilder(t.getName()).append(' ').append(t.getState()).append('\n');
        for (final StackTraceElement e : t.getStackTrace())
        {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
