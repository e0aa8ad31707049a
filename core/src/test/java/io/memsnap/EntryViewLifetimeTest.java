package io.memsnap;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An {@link EntryView} used after its visit throws {@link IllegalStateException} from every accessor: while the store
 * is open (it would show memory the entry may no longer own) and after close (it would read unmapped memory and
 * kill the JVM). The after-close case runs in a child JVM ({@link KeptViewChild}), so that a regression fails this
 * test instead of crashing the test JVM.
 */
class EntryViewLifetimeTest
{
    private static final long CHILD_TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    /** Every public method of EntryView. */
    enum Accessor
    {
        ID(EntryView::id),
        ID_EQUALS(v -> v.idEquals(id(0))),
        ID_LENGTH(EntryView::idLength),
        NNZ(EntryView::nnz),
        INDEX(v -> v.index(0)),
        VALUE(v -> v.value(0)),
        IMPORTANCE(EntryView::importance),
        STORED_AT_MILLIS(EntryView::storedAtMillis),
        SEQUENCE(EntryView::sequence),
        METADATA_LENGTH(EntryView::metadataLength),
        GET_METADATA(v -> v.getMetadata(new byte[1024], 0)),
        GET_INDICES(v -> v.getIndices(new int[1024])),
        GET_VALUES(v -> v.getValues(new float[1024])),
        DOT(v -> v.dot(vector(0, 0))),
        BUFFER(EntryView::buffer),
        RECORD_OFFSET(EntryView::recordOffset),
        TO_ENTRY(EntryView::toEntry);

        final Consumer<EntryView> call;

        Accessor(final Consumer<EntryView> call)
        {
            this.call = call;
        }
    }

    /** @return "returned", or the simple name of what {@code accessor} threw on {@code view}. */
    static String outcome(final Accessor accessor, final EntryView view)
    {
        try
        {
            accessor.call.accept(view);
            return "returned";
        }
        catch (final RuntimeException ex)
        {
            return ex.getClass().getSimpleName();
        }
    }

    @Test
    void aViewKeptPastCloseThrowsFromEveryAccessorInsteadOfCrashingTheJvm() throws Exception
    {
        final Path stdout = dir.resolve("child.out");
        final Path stderr = dir.resolve("child.err");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        command.add("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"));
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(KeptViewChild.class.getName());
        command.add(dir.resolve("store").toString());
        final Process child = new ProcessBuilder(command).redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile()).start();
        child.getOutputStream().close();
        if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            child.destroyForcibly().waitFor();
            fail("the child did not end within " + CHILD_TIMEOUT_SECONDS + " s: " + describe(stdout, stderr));
        }
        assertEquals(0, child.exitValue(), () -> "the child JVM died: " + describe(stdout, stderr));
        final List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
        final List<String> expected = new ArrayList<>();
        for (final Accessor accessor : Accessor.values())
        {
            expected.add(accessor + " IllegalStateException");
        }
        expected.add("done");
        assertEquals(expected, lines, () -> describe(stdout, stderr));
    }

    @ParameterizedTest
    @EnumSource(Accessor.class)
    void aViewKeptPastItsVisitThrowsWhileTheStoreIsOpen(final Accessor accessor)
    {
        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.builder().dimension(DIMENSION).build()))
        {
            put(store, 0, 0);
            final List<EntryView> kept = new ArrayList<>();
            assertTrue(store.read(id(0), kept::add));
            store.forEach(kept::add);
            store.forEachInIdOrder(kept::add);
            store.read(id(0), outer -> store.read(id(0), kept::add)); // a nested read has a view of its own
            assertEquals(4, kept.size());
            for (final EntryView view : kept)
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> accessor.call.accept(view));
                assertTrue(ex.getMessage().contains("outside"), ex.getMessage());
            }
            // The thread's view serves the next visit as before; the Agrona buffer only in a JVM with its flag.
            final boolean agronaBuffer = Object.class.getModule().isExported("jdk.internal.misc",
                DirectBuffer.class.getModule());
            final String served = accessor != Accessor.BUFFER || agronaBuffer ? "returned" : "JvmFlagMissingException";
            assertTrue(store.read(id(0), v -> assertEquals(served, outcome(accessor, v))));
        }
    }

    private static String describe(final Path stdout, final Path stderr)
    {
        try
        {
            return "\n--- stdout\n" + Files.readString(stdout) + "\n--- stderr\n" + Files.readString(stderr);
        }
        catch (final IOException ex)
        {
            return "(output unreadable: " + ex + ")";
        }
    }
}
