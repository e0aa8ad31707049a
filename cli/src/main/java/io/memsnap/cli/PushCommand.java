package io.memsnap.cli;

import io.memsnap.cloud.PushResult;
import io.memsnap.cloud.Pusher;
import io.memsnap.cloud.RemoteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code memsnap push DIR s3://bucket/prefix [--watch [--interval D]]}: the store's newest snapshot to object
 * storage, uploading what the prefix does not hold yet; with {@code --watch}, again after each new snapshot, until
 * killed. Not thread safe: one instance per command line.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
    description = {"Push the newest snapshot of a store to s3://bucket/prefix: upload the ranges of its files the " +
        "prefix does not hold yet, then commit it by writing its remote manifest last (a conditional write). " +
        "Runs beside the store's writer. A push killed at any moment leaves the last committed remote snapshot; " +
        "the next one carries on.",
        "Configured by AWS_ENDPOINT_URL (S3-compatible servers), AWS_REGION and the default credentials chain " +
            "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...)."})
final class PushCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "Store directory.")
    Path dir;

    @Parameters(index = "1", description = "s3://bucket/prefix")
    String url;

    @Option(names = "--watch", description = "Keep running: push each new snapshot of the store.")
    boolean watch;

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
        description = "With --watch, how often to look for a new snapshot (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Mixin
    Remotes remotes;

    @Override
    public Integer call() throws Exception
    {
        Stores.requireStore(dir);
        try (RemoteStore remote = remotes.open(url))
        {
            final Pusher pusher = new Pusher(remote);
            List<String> seen = manifestFiles();
            report(pusher.push(dir));
            while (watch)
            {
                Thread.sleep(interval.toMillis());
                final List<String> now = manifestFiles();
                if (!now.equals(seen))
                {
                    seen = now;
                    report(pusher.push(dir));
                }
            }
            return Main.OK;
        }
    }

    private static void report(final PushResult result)
    {
        System.out.println(result);
        System.out.flush();
    }

    /** @return the names, lengths and modification times of the store's manifest files: a new snapshot changes them. */
    private List<String> manifestFiles() throws IOException
    {
        final List<String> list = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "manifest*"))
        {
            for (final Path p : s)
            {
                list.add(p.getFileName() + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
            }
        }
        list.sort(null);
        return list;
    }
}
