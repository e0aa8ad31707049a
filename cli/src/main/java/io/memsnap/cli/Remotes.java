package io.memsnap.cli;

import io.memsnap.cloud.RemoteConfig;
import io.memsnap.cloud.RemoteLocation;
import io.memsnap.cloud.RemoteStore;
import picocli.CommandLine.Option;

/**
 * The options every command on object storage takes, and the remote store they describe: configured by the
 * environment (AWS_ENDPOINT_URL, AWS_REGION, the default credentials chain). Not thread safe: one per command line.
 */
final class Remotes
{
    @Option(names = "--path-style", description = "Address the bucket path-style (endpoint/bucket/key); on its own " +
        "when AWS_ENDPOINT_URL's host is an IP address or localhost.")
    boolean pathStyle;

    @Option(names = "--parallel", defaultValue = "" + RemoteConfig.DEFAULT_PARALLELISM,
        description = "Objects moved at the same time (default: ${DEFAULT-VALUE}).")
    int parallelism;

    RemoteStore open(final String url)
    {
        final RemoteLocation location = RemoteLocation.parse(url);
        return RemoteStore.open(location, RemoteConfig.fromEnvironment().pathStyle(pathStyle)
            .parallelism(parallelism).build());
    }

    static boolean isRemote(final String s)
    {
        return s.startsWith("s3://");
    }
}
