package io.memsnap.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.memsnap.Migration;
import io.memsnap.MigrationReport;
import io.memsnap.cli.json.JsonEntries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code memsnap migrate DIR [--dry-run] [--json]}: upgrade a store of an older format version to this build's.
 * Not thread safe: one instance per command line.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Upgrade the store DIR, written by an older major format version, to this build's, one step " +
        "per major version, each crash safe: a crash leaves the version before the step or after it. Write " +
        "commands refuse such a store (exit 4) until it is migrated, because the release that wrote it cannot " +
        "open it afterwards; read commands read it as it is. Takes the writer lock. A store of the current version " +
        "is left as it is. See docs/format.md, \"Versions\".",
        "Exit codes: 0 migrated or nothing to do, 1 DIR not found, 2 no store in DIR, 3 the newest snapshot does " +
        "not validate (nothing changed), 4 locked, or a newer format version than this build reads (nothing " +
        "changed)."})
final class MigrateCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = "--dry-run", description = "Check the store and print what would be done; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        final Consumer<String> progress = Progress.isTerminal() ? line -> System.err.println("migrate: " + line) :
            line ->
            {
            };
        final MigrationReport report = dryRun ? Migration.plan(dir, progress) : Migration.migrate(dir, progress);
        if (asJson)
        {
            printJson(report);
        }
        else
        {
            printText(report);
        }
        return Main.OK;
    }

    private static void printText(final MigrationReport report)
    {
        System.out.println("store        " + report.directory().toAbsolutePath());
        if (report.steps().isEmpty())
        {
            System.out.println("format       " + report.fromVersion() + ", the current version: nothing to do");
            return;
        }
        System.out.println("format       " + report.fromVersion() + " -> " + report.toVersion() +
            (report.dryRun() ? " (dry run: nothing was changed)" : ""));
        for (final MigrationReport.Step step : report.steps())
        {
            System.out.println("step         " + step);
        }
        System.out.println((report.dryRun() ? "would commit " : "committed    ") + "generation " +
            report.generation());
    }

    private static void printJson(final MigrationReport report) throws IOException
    {
        final JsonGenerator g = new JsonEntries(1 << 20).generator(System.out);
        g.writeStartObject();
        g.writeStringField("store", report.directory().toAbsolutePath().toString());
        g.writeStringField("from", report.fromVersion());
        g.writeStringField("to", report.toVersion());
        g.writeBooleanField("dryRun", report.dryRun());
        g.writeBooleanField("upgraded", report.upgraded());
        g.writeArrayFieldStart("steps");
        for (final MigrationReport.Step step : report.steps())
        {
            g.writeStartObject();
            g.writeStringField("from", step.fromMajor() + ".x");
            g.writeStringField("to", step.toMajor() + ".0");
            g.writeStringField("description", step.description());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("generation", report.generation());
        g.writeEndObject();
        g.flush();
        System.out.println();
    }
}
