package io.memsnap.cli;

import io.memsnap.cloud.Follower;
import io.memsnap.cloud.RemoteStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code memsnap follow s3://bucket/prefix DIR [--interval D] [--once]}: a read-only replica of the pushed
 * snapshots in DIR, switched to each new one once it is fetched and verified; prints a line at each switch. Not
 * thread safe: one instance per command line.
 */
@Command(name = "follow", mixinStandardHelpOptions = true,
    description = {"Keep DIR a read-only replica of the snapshots pushed to s3://bucket/prefix: poll every " +
        "--interval, fetch only the objects DIR lacks, check each, verify the snapshot, then switch to it; print " +
        "the remote generation, its lag (writer's snapshot to switch) and the bytes fetched at each switch.",
        "DIR holds a directory per remote timeline (timeline-T), each a store read-only commands open " +
            "(memsnap get DIR/timeline-T ...)."})
final class FollowCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "s3://bucket/prefix")
    String url;

    @Parameters(index = "1", description = "Replica directory (created if needed).")
    Path dir;

    @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class,
        description = "How often to poll (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--once", description = "Apply the newest snapshot and exit.")
    boolean once;

    @Mixin
    Remotes remotes;

    @Override
    public Integer call() throws Exception
    {
        try (RemoteStore remote = remotes.open(url); Follower follower = Follower.open(remote, dir))
        {
            System.out.println(follower.status());
            System.out.flush();
            while (!once)
            {
                Thread.sleep(interval.toMillis());
                if (follower.poll())
                {
                    System.out.println(follower.status());
                    System.out.flush();
                }
            }
            return Main.OK;
        }
    }
}
