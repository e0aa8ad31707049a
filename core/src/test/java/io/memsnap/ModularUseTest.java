package io.memsnap;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A modular application uses memsnap from the module path: module {@code io.memsnap.core} (this build's classes, with
 * their {@code module-info.class}) beside Agrona's automatic module {@code org.agrona}. The application, compiled
 * here into a module that requires {@code io.memsnap.core}, opens a store, writes, snapshots, reopens and reads
 * zero-copy (through {@link EntryView#byteBuffer()} too) in a child JVM, and asks for the deprecated Agrona buffer of
 * a view ({@link EntryView#buffer()}); its reflective call into {@code io.memsnap.internal.fs} is refused with an
 * {@link IllegalAccessException}, and a class that imports that package does not compile. Started with
 * {@code --add-exports java.base/jdk.internal.misc=org.agrona}, it gets the Agrona buffer; without the flag, or with
 * the package exported to {@code io.memsnap.core} only, everything else runs the same and the Agrona buffer is
 * refused with {@link JvmFlagMissingException} naming the module form of the flag.
 */
class ModularUseTest
{
    private static final String MODULE_INFO = String.join("\n",
        "module example.app",
        "{",
        "    requires io.memsnap.core;",
        "}");

    private static final String MAIN = String.join("\n",
        "package example.app;",
        "",
        "import io.memsnap.JvmFlagMissingException;",
        "import io.memsnap.MemoryStore;",
        "import io.memsnap.SparseVector;",
        "import io.memsnap.StoreOptions;",
        "import java.nio.file.Path;",
        "",
        "public final class Main",
        "{",
        "    public static void main(final String[] args) throws Exception",
        "    {",
        "        final Path dir = Path.of(args[0]);",
        "        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.ofDimension(8)))",
        "        {",
        "            store.put(\"a\", SparseVector.of(new int[] {1, 5}, new float[] {0.5f, 2.0f}));",
        "            store.snapshot();",
        "        }",
        "        try (MemoryStore store = MemoryStore.open(dir, StoreOptions.ofDimension(8)))",
        "        {",
        "            final float[] seen = new float[1];",
        "            store.read(\"a\", view -> seen[0] = view.value(1));",
        "            System.out.println(\"read \" + seen[0]);",
        "            // the last value: after a header of 40 bytes, the nnz indices and the values before it",
        "            store.read(\"a\", view -> seen[0] = view.byteBuffer().getFloat(40 + 8 * view.nnz() - 4));",
        "            System.out.println(\"byteBuffer \" + seen[0]);",
        "            try",
        "            {",
        "                store.read(\"a\", view -> view.buffer());",
        "                System.out.println(\"agrona buffer\");",
        "            }",
        "            catch (final JvmFlagMissingException ex)",
        "            {",
        "                System.out.println(\"agrona buffer refused: \" + ex.flag());",
        "            }",
        "        }",
        "        try",
        "        {",
        "            Class.forName(\"io.memsnap.internal.fs.StoreFileSystem\").getMethod(\"real\").invoke(null);",
        "            System.out.println(\"internal reachable\");",
        "        }",
        "        catch (final IllegalAccessException ex)",
        "        {",
        "            System.out.println(\"internal refused: \" + ex.getClass().getName());",
        "        }",
        "    }",
        "}");

    private static final String INTERNAL_USER = String.join("\n",
        "package example.app;",
        "",
        "import io.memsnap.internal.fs.StoreFileSystem;",
        "",
        "final class InternalUser",
        "{",
        "    final StoreFileSystem fs = StoreFileSystem.real();",
        "}");

    @TempDir
    Path tmp;

    @Test
    void aModularApplicationUsesTheApiAndNotTheInternals() throws Exception
    {
        final Path app = compile(List.of(MODULE_INFO, MAIN), new DiagnosticCollector<>());
        final Path store = tmp.resolve("store");

        final ChildJvm.Outcome child =
            run(app, List.of("--add-exports", "java.base/jdk.internal.misc=org.agrona"), store);

        assertEquals(0, child.exit, child.toString());
        assertEquals(List.of("read 2.0", "byteBuffer 2.0", "agrona buffer",
            "internal refused: java.lang.IllegalAccessException"), child.stdout, child.toString());
    }

    @Test
    void theInternalPackagesAreNotExported() throws Exception
    {
        final DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        assertNull(compile(List.of(MODULE_INFO, INTERNAL_USER), diagnostics), "the internal package compiled");

        final String errors = diagnostics.getDiagnostics().stream()
            .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
            .map(d -> d.getMessage(null))
            .reduce("", (a, b) -> a + b + "\n");
        assertTrue(errors.contains("package io.memsnap.internal.fs is not visible"), errors);
        assertTrue(errors.contains("does not export it"), errors);
    }

    @Test
    void withoutTheFlagOnlyTheAgronaBufferIsRefusedNamingTheModuleForm() throws Exception
    {
        assertOnlyAgronaBufferRefused(List.of());
    }

    @Test
    void anExportToMemsnapAloneIsNotEnoughForTheAgronaBuffer() throws Exception
    {
        // Agrona's own classes reach jdk.internal.misc.Unsafe: the export must name Agrona's module.
        assertOnlyAgronaBufferRefused(List.of("--add-exports", "java.base/jdk.internal.misc=io.memsnap.core"));
    }

    private void assertOnlyAgronaBufferRefused(final List<String> flags) throws Exception
    {
        final Path app = compile(List.of(MODULE_INFO, MAIN), new DiagnosticCollector<>());
        final Path store = tmp.resolve("store");

        final ChildJvm.Outcome child = run(app, flags, store);

        assertEquals(0, child.exit, child.toString());
        assertEquals(List.of("read 2.0", "byteBuffer 2.0",
            "agrona buffer refused: --add-exports java.base/jdk.internal.misc=org.agrona",
            "internal refused: java.lang.IllegalAccessException"), child.stdout, child.toString());
    }

    /** @return the compiled module's directory, or null when it did not compile ({@code diagnostics} say why). */
    private Path compile(final List<String> sources, final DiagnosticCollector<JavaFileObject> diagnostics)
        throws IOException, URISyntaxException
    {
        final Path src = Files.createTempDirectory(tmp, "src");
        final List<File> files = new ArrayList<>();
        for (final String source : sources)
        {
            final Path file = source.startsWith("module") ? src.resolve("module-info.java") :
                src.resolve("example/app/" + className(source) + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            files.add(file.toFile());
        }
        final Path out = Files.createTempDirectory(tmp, "classes");
        // An empty class path, not this JVM's, which holds memsnap's classes in the unnamed module.
        final Path noClassPath = Files.createTempDirectory(tmp, "none");
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, null, null))
        {
            final List<String> options = List.of("--module-path", modulePath(), "--class-path", noClassPath.toString(),
                "-d", out.toString());
            final boolean compiled = javac.getTask(null, fileManager, diagnostics, options, null,
                fileManager.getJavaFileObjectsFromFiles(files)).call();
            return compiled ? out : null;
        }
    }

    private static String className(final String source)
    {
        final String afterClass = source.substring(source.indexOf("class ") + "class ".length());
        return afterClass.substring(0, afterClass.indexOf('\n'));
    }

    private ChildJvm.Outcome run(final Path app, final List<String> flags, final Path store)
        throws IOException, InterruptedException, URISyntaxException
    {
        final List<String> command = new ArrayList<>();
        command.add(ChildJvm.javaLauncher());
        command.addAll(flags);
        command.add("--module-path");
        command.add(app + File.pathSeparator + modulePath());
        command.add("--module");
        command.add("example.app/example.app.Main");
        command.add(store.toString());
        return ChildJvm.run(command, Map.of(), tmp);
    }

    /**
     * @return memsnap's module (this build's classes: a directory, or on JDK 22 and later the multi-release jar that
     * core's build tests there) and Agrona's jar, as a module path.
     */
    private static String modulePath() throws URISyntaxException, IOException
    {
        final Path core = Path.of(MemoryStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path agrona = Path.of(DirectBuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(holds(core, "module-info.class"), core + " holds no module-info.class");
        return core + File.pathSeparator + agrona;
    }

    private static boolean holds(final Path classes, final String name) throws IOException
    {
        if (Files.isDirectory(classes))
        {
            return Files.exists(classes.resolve(name));
        }
        try (JarFile jar = new JarFile(classes.toFile()))
        {
            return jar.getEntry(name) != null;
        }
    }
}
