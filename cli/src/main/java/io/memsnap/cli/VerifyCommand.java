package io.memsnap.cli;

import io.memsnap.MemoryStore;
import io.memsnap.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code memsnap verify DIR [--deep]}: exit 3 with the first problem's file and offset. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check a store's manifests and index (and with --deep every record) against their checksums; " +
        "exit 3 naming the first problem's file and offset.")
final class VerifyCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path target;

    @Option(names = "--deep", description = "Also check every record of the log and every index slot.")
    boolean deep;

    @Override
    public Integer call() throws Exception
    {
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
            System.out.println("OK: " + report.manifests() + " manifest(s), " + report.indexPages() +
                " index page(s)" + (deep ? ", " + report.records() + " record(s), " + report.entries() +
                " index slot(s)" : "") + " checked");
            return Main.OK;
        }
    }
}
