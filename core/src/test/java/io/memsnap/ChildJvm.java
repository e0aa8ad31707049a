package io.memsnap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a test's child JVM on the test class path, with no JVM flag but the options a test gives (memsnap needs
 * none), and reads what it prints.
 */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @return as {@link #command}, with the {@code --add-exports} flag first that the deprecated
     * {@link EntryView#buffer()}, an Agrona buffer, needs.
     */
    static List<String> commandWithAgronaExport(
        final List<String> options, final Class<?> main, final List<String> args)
    {
        final List<String> flagged = new ArrayList<>();
        flagged.add("--add-exports");
        flagged.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        flagged.addAll(options);
        return command(flagged, main, args);
    }

    /** @return the command line of a JVM like this one running {@code main} with {@code options} and {@code args}. */
    static List<String> command(final List<String> options, final Class<?> main, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(javaLauncher());
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** @return the {@code java} launcher of the JDK this JVM runs on. */
    static String javaLauncher()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** @return every line the process writes to stdout, once it closed it. */
    static List<String> readLines(final Process process) throws IOException
    {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * Runs {@code command} with {@code JDK_JAVA_OPTIONS} unset and then {@code environment} added, its stderr kept in
     * a file under {@code scratch}, and waits for it to end.
     *
     * @throws IllegalStateException if it did not end within two minutes.
     */
    static Outcome run(final List<String> command, final Map<String, String> environment, final Path scratch)
        throws IOException, InterruptedException
    {
        final Path stderr = Files.createTempFile(scratch, "child", ".err");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().putAll(environment);
        final Process process = builder.start();
        process.getOutputStream().close();
        final List<String> stdout = readLines(process);
        if (!process.waitFor(2, TimeUnit.MINUTES))
        {
            process.destroyForcibly();
            throw new IllegalStateException("child did not finish: " + command);
        }
        return new Outcome(process.exitValue(), stdout, Files.readAllLines(stderr));
    }

    /** What a child JVM printed and how it ended. */
    static final class Outcome
    {
        final int exit;
        final List<String> stdout;
        final List<String> stderr;

        Outcome(final int exit, final List<String> stdout, final List<String> stderr)
        {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public String toString()
        {
            return "exit " + exit + ", stdout " + stdout + ", stderr " + stderr;
        }
    }
}
