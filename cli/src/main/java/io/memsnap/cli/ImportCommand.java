package io.memsnap.cli;

import io.memsnap.cli.importer.ImportFormat;
import io.memsnap.cli.importer.ImportOptions;
import io.memsnap.cli.importer.ImportResult;
import io.memsnap.cli.importer.Importer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memsnap import FILE DIR [--format F] [--dimension D]}: a new store from a file, all or nothing. Not thread
 * safe: one instance per command line.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Create a new store in DIR (which must not exist or be empty) from FILE: a memsnap archive, a " +
        "membrain snapshot (gzip JSON), a PENIN state (JSON) or JSON Lines (as dump). The format is detected " +
        "unless --format is given. See docs/import.md.",
        "All or nothing: the store is built in DIR.importing-RANDOM and renamed to DIR only once everything " +
        "validated and its snapshot is durable; on any error nothing is left behind.",
        "Exit codes: 2 bad input (named with its JSON pointer, line and column, or line number), 3 damaged " +
        "archive or gzip stream, 4 unsupported version (archive major version, membrain major version)."})
final class ImportCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Input file.")
    Path file;

    @Parameters(index = "1", description = "Directory of the new store.")
    Path dir;

    @Option(names = "--format", description = "archive, membrain, penin or jsonl (default: detected).")
    String format;

    @Option(names = "--dimension", description = "Dimension of the new store (default: the input's vector length " +
        "or archive dimension; for JSON Lines 262144). Must not be below the input's.")
    Integer dimension;

    @Override
    public Integer call() throws Exception
    {
        if (!Files.exists(file))
        {
            throw new NoSuchFileException(file.toString(), null, "no such input file");
        }
        if (!Files.isRegularFile(file))
        {
            throw new IllegalArgumentException(file + " is not a regular file");
        }
        final ImportFormat f = format != null ? ImportFormat.parse(format) : ImportFormat.detect(file);
        final ImportResult result;
        try (Progress progress = new Progress("importing " + f.cliName(), Files.size(file)))
        {
            result = Importer.run(dir, ImportOptions.defaults(dimension), f.importer(file, progress::update));
        }
        System.out.println("imported " + result.entries() + " entries and " + result.states() + " named states " +
            "from " + f.cliName() + " " + file + " into " + dir + " (dimension " + result.dimension() +
            ", snapshot generation " + result.generation() + ")");
        return Main.OK;
    }
}
