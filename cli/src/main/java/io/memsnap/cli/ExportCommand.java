package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.cli.archive.ArchiveDescriptor;
import io.memsnap.cli.archive.ArchiveExporter;
import io.memsnap.cli.archive.ArchiveSummary;
import io.memsnap.cli.fs.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memsnap export DIR -o FILE [--generation G] [--format archive|jsonl] [--force]}: one snapshot as one
 * portable file, written all or nothing. Not thread safe: one instance per command line.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Write one snapshot of a store (the newest, or --generation) to one portable file: an archive " +
        "(LZ4 frames, checksums, SHA-256; see docs/format.md) or JSON Lines (as dump; entries only).",
        "The file is written to a temporary sibling and renamed into place only when complete."})
final class ExportCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Option(names = {"-o", "--output"}, required = true, description = "File to write, or - for standard output.")
    String output;

    @Option(names = "--generation", description = "Export this retained snapshot instead of the newest.")
    Long generation;

    @Option(names = "--format", defaultValue = "archive",
        description = "archive or jsonl (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws Exception
    {
        final boolean archive;
        switch (format)
        {
            case "archive":
                archive = true;
                break;
            case "jsonl":
                archive = false;
                break;
            default:
                throw new IllegalArgumentException("unknown --format '" + format + "': expected archive or jsonl");
        }
        try (MemoryStore store = Stores.readOnly(dir, generation))
        {
            final boolean toStdout = "-".equals(output);
            final PrintStream report = toStdout ? System.err : System.out;
            if (archive)
            {
                final ArchiveSummary summary = toStdout ? writeArchive(store, System.out) :
                    AtomicFile.write(Path.of(output), force, out -> writeArchive(store, out));
                report.println("exported generation " + summary.header().sourceGeneration() + ": " +
                    summary.entries() + " entries, " + summary.states() + " named states, " + summary.fileLength() +
                    " bytes in " + summary.frames() + " frames to " + output + " (sha256 " + summary.sha256Hex() +
                    ")");
            }
            else
            {
                if (toStdout)
                {
                    writeJsonl(store, System.out);
                }
                else
                {
                    AtomicFile.write(Path.of(output), force, out -> writeJsonl(store, out));
                }
                report.println("exported generation " + store.lastSnapshot().generation() + ": " + store.size() +
                    " entries as JSON Lines to " + output + (store.stateCount() > 0 ? " (" + store.stateCount() +
                    " named states not included: JSON Lines holds entries only; use the archive format)" : ""));
            }
            return Main.OK;
        }
    }

    /** Writes the store's snapshot as an archive with a progress bar. */
    static ArchiveSummary writeArchive(final MemoryStore store, final OutputStream out) throws IOException
    {
        final OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        try (Progress progress = new Progress("exporting", store.size()))
        {
            final ArchiveSummary summary = ArchiveExporter.export(store, buffered, ArchiveDescriptor.DEFAULT_BLOCK_SIZE,
                System.currentTimeMillis(), progress::update);
            buffered.flush();
            return summary;
        }
    }

    private static Void writeJsonl(final MemoryStore store, final OutputStream out) throws IOException
    {
        final OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        DumpCommand.dump(store, buffered);
        buffered.flush();
        return null;
    }
}
