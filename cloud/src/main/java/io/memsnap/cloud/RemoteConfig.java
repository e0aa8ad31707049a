package io.memsnap.cloud;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach object storage. By the ecosystem's conventions when built {@link #fromEnvironment()}: the endpoint
 * from {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} (unset: AWS S3), the region from {@code AWS_REGION}
 * (through the SDK's default region chain; {@code us-east-1} when an endpoint is set and no region is), the
 * credentials from the SDK's default chain (environment, profile, container, instance). Path-style addressing when
 * asked for, and on its own when the endpoint's host is an IP address or {@code localhost}.
 *
 * <p>Thread safe: immutable.
 */
public final class RemoteConfig
{
    /** The default number of objects moved at the same time. */
    public static final int DEFAULT_PARALLELISM = 8;
    /** The default number of attempts of one request (the first and its retries, with exponential backoff). */
    public static final int DEFAULT_MAX_ATTEMPTS = 6;

    private final URI endpoint;
    private final String region;
    private final boolean pathStyle;
    private final AwsCredentialsProvider credentials;
    private final int parallelism;
    private final int maxAttempts;
    private final Duration apiCallTimeout;

    private RemoteConfig(final Builder b)
    {
        this.endpoint = b.endpoint;
        this.region = b.region;
        this.pathStyle = b.pathStyle || b.endpoint != null && isLocal(b.endpoint.getHost());
        this.credentials = b.credentials;
        this.parallelism = b.parallelism;
        this.maxAttempts = b.maxAttempts;
        this.apiCallTimeout = b.apiCallTimeout;
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder filled from the process environment (see the class comment); the SDK's system properties
     * {@code aws.endpointUrlS3}, {@code aws.endpointUrl} and {@code aws.region}, when set, take precedence over
     * the variables, as they do in the SDK.
     */
    public static Builder fromEnvironment()
    {
        final Map<String, String> env = new HashMap<>(System.getenv());
        overlay(env, "AWS_ENDPOINT_URL_S3", "aws.endpointUrlS3");
        overlay(env, "AWS_ENDPOINT_URL", "aws.endpointUrl");
        overlay(env, "AWS_REGION", "aws.region");
        return fromEnvironment(env);
    }

    private static void overlay(final Map<String, String> env, final String variable, final String property)
    {
        final String value = System.getProperty(property);
        if (value != null)
        {
            env.put(variable, value);
        }
    }

    /** @return a builder filled from {@code env} (see the class comment). */
    public static Builder fromEnvironment(final Map<String, String> env)
    {
        final Builder b = new Builder();
        final String endpoint = env.getOrDefault("AWS_ENDPOINT_URL_S3", env.get("AWS_ENDPOINT_URL"));
        if (endpoint != null && !endpoint.isBlank())
        {
            b.endpoint(URI.create(endpoint.trim()));
        }
        final String region = env.get("AWS_REGION");
        if (region != null && !region.isBlank())
        {
            b.region(region.trim());
        }
        return b;
    }

    static boolean isLocal(final String host)
    {
        if (host == null)
        {
            return false;
        }
        return host.equals("localhost") || host.matches("[0-9.]+") || host.startsWith("[") || host.contains(":");
    }

    /** @return the endpoint, or null for AWS S3. */
    public URI endpoint()
    {
        return endpoint;
    }

    /** @return the region, or null for the SDK's default region chain. */
    public String region()
    {
        return region;
    }

    public boolean pathStyle()
    {
        return pathStyle;
    }

    /** @return the credentials, or null for the SDK's default chain. */
    public AwsCredentialsProvider credentials()
    {
        return credentials;
    }

    public int parallelism()
    {
        return parallelism;
    }

    public int maxAttempts()
    {
        return maxAttempts;
    }

    public Duration apiCallTimeout()
    {
        return apiCallTimeout;
    }

    @Override
    public String toString()
    {
        return "RemoteConfig{endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region=" + region +
            ", pathStyle=" + pathStyle + ", parallelism=" + parallelism + ", maxAttempts=" + maxAttempts + "}";
    }

    /** Not thread safe. */
    public static final class Builder
    {
        private URI endpoint;
        private String region;
        private boolean pathStyle;
        private AwsCredentialsProvider credentials;
        private int parallelism = DEFAULT_PARALLELISM;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration apiCallTimeout = Duration.ofMinutes(5);

        private Builder()
        {
        }

        /** An S3-compatible server (MinIO, Ceph, R2, ...); null for AWS S3. */
        public Builder endpoint(final URI endpoint)
        {
            this.endpoint = endpoint;
            return this;
        }

        public Builder region(final String region)
        {
            this.region = region;
            return this;
        }

        /** Path-style addressing ({@code endpoint/bucket/key}); on its own for an IP address or localhost. */
        public Builder pathStyle(final boolean pathStyle)
        {
            this.pathStyle = pathStyle;
            return this;
        }

        /** Credentials other than the SDK's default chain. */
        public Builder credentials(final AwsCredentialsProvider credentials)
        {
            this.credentials = credentials;
            return this;
        }

        /** Objects uploaded or downloaded at the same time, at least 1. */
        public Builder parallelism(final int parallelism)
        {
            if (parallelism < 1)
            {
                throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
            }
            this.parallelism = parallelism;
            return this;
        }

        /** Attempts of one request, at least 1: the first and its retries, with exponential backoff and jitter. */
        public Builder maxAttempts(final int maxAttempts)
        {
            if (maxAttempts < 1)
            {
                throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The longest one request may take, its retries included. */
        public Builder apiCallTimeout(final Duration timeout)
        {
            this.apiCallTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public RemoteConfig build()
        {
            return new RemoteConfig(this);
        }
    }
}
