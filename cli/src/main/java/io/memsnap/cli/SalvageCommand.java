package io.memsnap.cli;

import io.memsnap.Salvage;
import io.memsnap.SalvageReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memsnap salvage DIR OUT [--dimension D] [--json]}: copy what still validates in a damaged store into a new
 * one and report what was lost. Not thread safe: one instance per command line.
 */
@Command(name = "salvage", mixinStandardHelpOptions = true,
    description = {"Copy every entry and named state that still validates in a damaged store DIR into a new store " +
        "OUT (which must not exist or be empty), reading every record of every segment without trusting the index " +
        "or the manifests, and report what was lost: damaged byte ranges (file, offsets, writes lost), missing " +
        "sequence numbers, and the ids still readable in damaged records. DIR is only read. See docs/salvage.md.",
        "Exit codes: 0 nothing lost, 3 something lost and the rest salvaged, 2 bad usage (OUT not an empty " +
        "directory, a dimension that disagrees), 1 DIR not found, 4 a format version this build does not read."})
final class SalvageCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Directory of the damaged store.")
    Path dir;

    @Parameters(index = "1", description = "Directory of the new store.")
    Path out;

    @Option(names = "--dimension", description = "Dimension of the store, used when no manifest validates (default: " +
        "the smallest power of two above the largest index found). A manifest that validates must agree.")
    Integer dimension;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean asJson;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        final SalvageReport report = dimension == null ? Salvage.salvage(dir, out) :
            Salvage.salvage(dir, out, dimension);
        if (asJson)
        {
            SalvageOutput.json(report, System.out);
        }
        else
        {
            SalvageOutput.text(report, System.out);
        }
        if (report.nothingLost())
        {
            return Main.OK;
        }
        System.err.println("memsnap: salvage lost data (" + SalvageOutput.lossSummary(report) + "); the rest is in " +
            out);
        return Main.CORRUPT;
    }
}
