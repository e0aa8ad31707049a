package io.memsnap;

import io.memsnap.internal.format.RecordDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A JVM started without {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} opens a store, writes, reads
 * (through {@link EntryView#byteBuffer()} too), snapshots and reopens it; only the deprecated
 * {@link EntryView#buffer()}, an Agrona buffer, needs the flag, and gets a {@link JvmFlagMissingException} whose first
 * line names it, not an {@link IllegalAccessError} from inside Agrona. The same JVM with the flag on its command line
 * or in {@code JDK_JAVA_OPTIONS} gets the buffer. Each case is a real child JVM.
 */
class JvmFlagMissingTest
{
    static final String FIRST_LINE = "Exception in thread \"main\" io.memsnap.JvmFlagMissingException: " +
        "EntryView.buffer(), an Agrona buffer, needs the JVM flag " +
        "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED, and this JVM was started without it " +
        "(Agrona's buffers reach jdk.internal.misc.Unsafe; nothing else of memsnap needs the flag).";

    /** The length of the record {@link FlagProbe}'s {@code view} encodes: one non-zero, an id of one byte. */
    private static final long VIEW_RECORD = RecordDescriptor.recordLength(1, 1, 0);

    @TempDir
    Path tmp;

    @Test
    void withoutTheFlagAStoreOpensWritesReadsAndSnapshots() throws Exception
    {
        final Path store = tmp.resolve("store");
        final ChildJvm.Outcome outcome = withoutTheFlag("use", store.toString());

        assertEquals(List.of("ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
    }

    @Test
    void withoutTheFlagABatchIsMade() throws Exception
    {
        final ChildJvm.Outcome outcome = withoutTheFlag("batch");

        assertEquals(List.of("ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
    }

    @Test
    void withoutTheFlagTheAgronaBufferOfAViewNamesItOnTheFirstLine() throws Exception
    {
        final ChildJvm.Outcome outcome = withoutTheFlag("view");

        assertEquals(List.of("byteBuffer " + VIEW_RECORD), outcome.stdout, outcome.toString());
        assertRefused(outcome);
    }

    @Test
    void withoutTheFlagTheAgronaBufferOfAStoreReadNamesItOnTheFirstLine() throws Exception
    {
        final ChildJvm.Outcome outcome = withoutTheFlag("buffer", tmp.resolve("store").toString());

        assertEquals(List.of(), outcome.stdout, outcome.toString());
        assertRefused(outcome);
    }

    @Test
    void theFlagOnTheCommandLineGetsTheBuffer() throws Exception
    {
        final Path store = tmp.resolve("store");
        final ChildJvm.Outcome outcome = ChildJvm.run(ChildJvm.commandWithAgronaExport(
            List.of(), FlagProbe.class, List.of("buffer", store.toString())), Map.of(), tmp);

        assertEquals(List.of("ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
        assertTrue(Files.isDirectory(store), outcome.toString());
    }

    @Test
    void theFlagInJdkJavaOptionsGetsTheBuffer() throws Exception
    {
        final ChildJvm.Outcome outcome = ChildJvm.run(ChildJvm.command(List.of(), FlagProbe.class,
            List.of("view")), Map.of("JDK_JAVA_OPTIONS", "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"), tmp);

        assertEquals(List.of("byteBuffer " + VIEW_RECORD, "buffer " + VIEW_RECORD, "ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
    }

    private ChildJvm.Outcome withoutTheFlag(final String... args) throws Exception
    {
        return ChildJvm.run(ChildJvm.command(List.of(), FlagProbe.class, List.of(args)), Map.of(), tmp);
    }

    private static void assertRefused(final ChildJvm.Outcome outcome)
    {
        assertEquals(FIRST_LINE, outcome.stderr.get(0), outcome.toString());
        assertEquals(1, outcome.exit, outcome.toString());
        assertTrue(outcome.stderr.get(1).contains("JDK_JAVA_OPTIONS") &&
            outcome.stderr.get(1).contains("<argLine>") && outcome.stderr.get(1).contains("Add-Exports"),
            outcome.toString());
        assertFalse(String.join("\n", outcome.stderr).contains("IllegalAccessError"), outcome.toString());
    }
}
