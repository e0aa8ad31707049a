package io.memsnap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code memsnap} command. Each subcommand is a thin class that parses its arguments and calls a method that
 * returns a result, so that tests can drive the logic without a process.
 */
@Command(
    name = "memsnap",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Off-heap snapshot engine for the memory of AI systems.",
    subcommands = {
        DemoCommand.class, LoadCommand.class, GetCommand.class, DumpCommand.class, DeleteCommand.class,
        SnapshotCommand.class, CompactCommand.class, PinCommand.class, UnpinCommand.class, RewindCommand.class,
        ListCommand.class, InspectCommand.class, StatsCommand.class, VerifyCommand.class, ExportCommand.class,
        ImportCommand.class, SalvageCommand.class, MigrateCommand.class, PushCommand.class, RestoreCommand.class, FollowCommand.class,
        PruneCommand.class,
        CommandLine.HelpCommand.class})
public final class Main
{
    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: a requested thing was not found. */
    public static final int NOT_FOUND = 1;
    /** Exit code: bad usage or bad input. */
    public static final int USAGE = 2;
    /** Exit code: corruption found. */
    public static final int CORRUPT = 3;
    /** Exit code: store locked or incompatible. */
    public static final int UNAVAILABLE = 4;

    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExitCodeExceptionMapper(ExitCodes::of);
        commandLine.setExecutionExceptionHandler((ex, cmd, parsed) ->
        {
            cmd.getErr().println(ExitCodes.describe(ex));
            return ExitCodes.of(ex);
        });
        return commandLine.execute(args);
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"memsnap " + (version == null ? "(development build)" : version) +
                " on Java " + Runtime.version()};
        }
    }
}
