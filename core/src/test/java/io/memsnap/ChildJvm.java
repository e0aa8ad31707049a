package io.memsnap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test's child JVM on the test class path, with the flags memsnap needs, and reads what it prints. */
final class ChildJvm
{
    private ChildJvm()
    {
    }

    /** @return the command line of a JVM like this one running {@code main} with {@code options} and {@code args}. */
    static List<String> command(final List<String> options, final Class<?> main, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(main.getName());
        command.addAll(args);
        return command;
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
}
