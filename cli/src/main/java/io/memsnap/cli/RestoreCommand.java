package io.memsnap.cli;

import io.memsnap.cloud.RemoteStore;
import io.memsnap.cloud.RestoreResult;
import io.memsnap.cloud.Restorer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * {@code memsnap restore s3://bucket/prefix DIR [--generation G | --at TIME]}: a pushed snapshot as a new store,
 * all or nothing. Not thread safe: one instance per command line.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restore a pushed snapshot (the newest, --generation G, or the newest taken at or before --at " +
        "TIME) into DIR, a new or empty directory: every object is fetched in parallel into a temporary sibling, " +
        "checked against its length and CRC32C, the store verified, and only then renamed into place.",
        "A damaged or missing object exits 3 naming it; a missing bucket or snapshot 1; refused credentials 2; " +
            "a newer remote format 4."})
final class RestoreCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "s3://bucket/prefix")
    String url;

    @Parameters(index = "1", description = "Directory to create.")
    Path dir;

    @ArgGroup(exclusive = true)
    Which which;

    @Mixin
    Remotes remotes;

    static final class Which
    {
        @Option(names = "--generation", description = "The remote generation to restore (memsnap list s3://...).")
        Long generation;

        @Option(names = "--at", description = "Restore the newest snapshot taken at or before this ISO-8601 " +
            "instant, e.g. 2026-01-31T12:00:00Z.")
        Instant at;
    }

    @Override
    public Integer call() throws Exception
    {
        try (RemoteStore remote = remotes.open(url))
        {
            final Restorer restorer = new Restorer(remote);
            final RestoreResult result = which != null && which.at != null ? restorer.restoreAt(dir, which.at) :
                restorer.restore(dir, which == null || which.generation == null ? 0 : which.generation);
            System.out.println(result);
            return Main.OK;
        }
    }
}
