package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.VerifyReport;
import io.memsnap.cli.archive.ArchiveReader;
import io.memsnap.cli.archive.ArchiveSummary;
import io.memsnap.cli.archive.CorruptArchiveException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code memsnap verify DIR [--deep]} or {@code memsnap verify FILE}: exit 3 with the first problem's offset; warnings
 * (what is not damage, such as a manifest left by an interrupted snapshot) go to stderr and exit 0. Not thread safe:
 * one instance per command line.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check a store's manifests and index (and with --deep every record) against their checksums; " +
        "exit 3 naming the first problem's file and offset.",
        "Given a file, check it fully as an archive without restoring it: header, every frame's lengths, CRC and " +
        "decompression, every record, counts and the SHA-256."})
final class VerifyCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory, or archive file.")
    Path target;

    @Option(names = "--deep", description = "Also check every record of the log and every index slot (stores; " +
        "archives are always checked fully).")
    boolean deep;

    @Override
    public Integer call() throws Exception
    {
        if (Files.isRegularFile(target))
        {
            return verifyArchive();
        }
        try (MemoryStore store = Stores.readOnly(target, null))
        {
            final VerifyReport report = store.verify(deep);
            if (!report.ok())
            {
                final VerifyReport.Problem first = report.problems().get(0);
                System.err.println("memsnap: corrupt: " + first.file() + " at offset " + first.offset() + ": " +
                    first.what());
                return Main.CORRUPT;
            }
            for (final VerifyReport.Problem warning : report.warnings())
            {
                System.err.println("memsnap: warning: " + warning.file() + " at offset " + warning.offset() + ": " +
                    warning.what());
            }
            System.out.println("OK: " + report.manifests() + " manifest(s), " + report.indexPages() +
                " index page(s)" + (deep ? ", " + report.records() + " record(s), " + report.entries() +
                " index slot(s)" : "") + " checked");
            return Main.OK;
        }
    }

    private int verifyArchive() throws Exception
    {
        final ArchiveSummary s;
        try (Progress progress = new Progress("verifying", Files.size(target)))
        {
            s = new ArchiveReader(target, progress::update).read(new io.memsnap.cli.archive.ArchiveVisitor() { });
        }
        catch (final CorruptArchiveException ex)
        {
            System.err.println("memsnap: " + ex.getMessage());
            return Main.CORRUPT;
        }
        System.out.println("OK: archive " + s.header().major() + "." + s.header().minor() + ", generation " +
            s.header().sourceGeneration() + ", " + s.entries() + " entries, " + s.states() + " named states, " +
            "dimension " + s.header().dimension() + ", " + s.frames() + " frames, " + s.fileLength() + " bytes, " +
            "sha256 " + s.sha256Hex() + ", labels " + s.header().labels());
        return Main.OK;
    }
}
