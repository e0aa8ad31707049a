package io.memsnap.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged tool as a separate process, on the same JDK as the tests, with no extra flags. */
final class Tool
{
    static final Path JAR = Path.of(System.getProperty("memsnap.jar", "../cli/target/memsnap.jar"));

    /** What a finished run printed and returned. */
    static final class Result
    {
        final int exitCode;
        final String out;
        final String err;

        Result(final int exitCode, final String out, final String err)
        {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + "\n--- stdout\n" + abbreviate(out) + "\n--- stderr\n" + abbreviate(err);
        }

        private static String abbreviate(final String s)
        {
            return s.length() < 4000 ? s : s.substring(0, 4000) + "...";
        }
    }

    private Tool()
    {
    }

    static List<String> command(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return command;
    }

    static Process start(final Path stdin, final String... args) throws IOException
    {
        final ProcessBuilder pb = new ProcessBuilder(command(args));
        if (stdin != null)
        {
            pb.redirectInput(stdin.toFile());
        }
        return pb.start();
    }

    /** Runs to completion (2 minutes at most), stdout and stderr captured through files. */
    static Result run(final Path stdin, final String... args) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("memsnap-out", ".txt");
        final Path err = Files.createTempFile("memsnap-err", ".txt");
        try
        {
            final ProcessBuilder pb = new ProcessBuilder(command(args))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null)
            {
                pb.redirectInput(stdin.toFile());
            }
            final Process p = pb.start();
            if (!p.waitFor(2, TimeUnit.MINUTES))
            {
                p.destroyForcibly();
                throw new AssertionError("memsnap " + String.join(" ", args) + " did not finish in 2 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
