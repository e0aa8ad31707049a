package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A JVM started without {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} gets, at {@link MemoryStore#open}
 * and at {@code new WriteBatch()}, a {@link JvmFlagMissingException} whose first line names the flag, not an
 * {@link IllegalAccessError} from inside Agrona; the same JVM with the flag on its command line or in
 * {@code JDK_JAVA_OPTIONS} opens the store. Each case is a real child JVM.
 */
class JvmFlagMissingTest
{
    private static final String FIRST_LINE = "Exception in thread \"main\" io.memsnap.JvmFlagMissingException: " +
        "memsnap needs the JVM flag --add-exports java.base/jdk.internal.misc=ALL-UNNAMED, and this JVM was started " +
        "without it (Agrona, which holds memsnap's buffers, reaches jdk.internal.misc.Unsafe).";

    @TempDir
    Path tmp;

    @Test
    void openWithoutTheFlagNamesItOnTheFirstLineAndTouchesNothing() throws Exception
    {
        final Path store = tmp.resolve("store");
        final ChildJvm.Outcome outcome = ChildJvm.run(ChildJvm.commandWithoutExport(List.of(), FlagProbe.class,
            List.of("open", store.toString())), Map.of(), tmp);

        assertEquals(FIRST_LINE, outcome.stderr.get(0), outcome.toString());
        assertEquals(1, outcome.exit, outcome.toString());
        assertTrue(outcome.stderr.get(1).contains("JDK_JAVA_OPTIONS") &&
            outcome.stderr.get(1).contains("<argLine>") && outcome.stderr.get(1).contains("Add-Exports"),
            outcome.toString());
        assertFalse(String.join("\n", outcome.stderr).contains("IllegalAccessError"), outcome.toString());
        assertFalse(Files.exists(store), "the store directory was created: " + outcome);
    }

    @Test
    void batchWithoutTheFlagNamesItOnTheFirstLine() throws Exception
    {
        final ChildJvm.Outcome outcome = ChildJvm.run(
            ChildJvm.commandWithoutExport(List.of(), FlagProbe.class, List.of("batch")), Map.of(), tmp);

        assertEquals(FIRST_LINE, outcome.stderr.get(0), outcome.toString());
        assertEquals(1, outcome.exit, outcome.toString());
    }

    @Test
    void theFlagOnTheCommandLineOpens() throws Exception
    {
        final Path store = tmp.resolve("store");
        final ChildJvm.Outcome outcome = ChildJvm.run(
            ChildJvm.command(List.of(), FlagProbe.class, List.of("open", store.toString())), Map.of(), tmp);

        assertEquals(List.of("ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
        assertTrue(Files.isDirectory(store), outcome.toString());
    }

    @Test
    void theFlagInJdkJavaOptionsOpens() throws Exception
    {
        final Path store = tmp.resolve("store");
        final ChildJvm.Outcome outcome = ChildJvm.run(ChildJvm.commandWithoutExport(List.of(), FlagProbe.class,
            List.of("open", store.toString())),
            Map.of("JDK_JAVA_OPTIONS", "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED"), tmp);

        assertEquals(List.of("ok"), outcome.stdout, outcome.toString());
        assertEquals(0, outcome.exit, outcome.toString());
    }
}
