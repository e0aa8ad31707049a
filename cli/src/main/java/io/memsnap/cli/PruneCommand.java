package io.memsnap.cli;

import io.memsnap.cloud.PruneResult;
import io.memsnap.cloud.RemoteRetention;
import io.memsnap.cloud.RemoteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code memsnap prune s3://bucket/prefix [--keep-last N] [--keep-age D] [--grace D]}: remote retention. Not thread
 * safe: one instance per command line.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
    description = {"Apply retention to the snapshots pushed to s3://bucket/prefix: keep the newest --keep-last, " +
        "those younger than --keep-age and the pinned ones; retire the rest (no longer listed, restored or " +
        "followed) and delete them, with every object no kept snapshot needs, once they have been retired for " +
        "--grace (long enough for a running restore or push)."})
final class PruneCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "s3://bucket/prefix")
    String url;

    @Option(names = "--keep-last", defaultValue = "3", description = "Newest snapshots to keep (default: " +
        "${DEFAULT-VALUE}).")
    int keepLast;

    @Option(names = "--keep-age", converter = DurationConverter.class,
        description = "Keep the snapshots younger than this too (14d, 36h, ...).")
    Duration keepAge;

    @Option(names = "--grace", defaultValue = "1h", converter = DurationConverter.class,
        description = "How long a retired snapshot's objects stay (default: ${DEFAULT-VALUE}).")
    Duration grace;

    @Mixin
    Remotes remotes;

    @Override
    public Integer call() throws Exception
    {
        try (RemoteStore remote = remotes.open(url))
        {
            final PruneResult result = new RemoteRetention(remote).prune(new RemoteRetention.Rules(keepLast, keepAge,
                grace));
            System.out.println(result);
            return Main.OK;
        }
    }
}
