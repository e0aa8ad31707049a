package io.memsnap.cloud;

/**
 * A bucket and a prefix in it, {@code s3://bucket/prefix}: where the snapshots of one store live. The prefix is
 * empty or ends with {@code /}. Thread safe: immutable.
 */
public final class RemoteLocation
{
    private static final String SCHEME = "s3://";

    private final String bucket;
    private final String prefix;

    private RemoteLocation(final String bucket, final String prefix)
    {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * @param url {@code s3://bucket} or {@code s3://bucket/prefix}.
     * @throws IllegalArgumentException if it is not such a URL.
     */
    public static RemoteLocation parse(final String url)
    {
        if (!url.startsWith(SCHEME) || url.length() == SCHEME.length())
        {
            throw new IllegalArgumentException("'" + url + "' is not an s3://bucket/prefix URL");
        }
        final String rest = url.substring(SCHEME.length());
        final int slash = rest.indexOf('/');
        final String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty() || prefix.startsWith("/") || prefix.contains("//"))
        {
            throw new IllegalArgumentException("'" + url + "' is not an s3://bucket/prefix URL (empty bucket or " +
                "empty path segment)");
        }
        if (!prefix.isEmpty() && !prefix.endsWith("/"))
        {
            prefix += "/";
        }
        return new RemoteLocation(bucket, prefix);
    }

    public String bucket()
    {
        return bucket;
    }

    /** @return the prefix, empty or ending with {@code /}. */
    public String prefix()
    {
        return prefix;
    }

    /** @return the full key of {@code key} under the prefix. */
    public String key(final String key)
    {
        return prefix + key;
    }

    @Override
    public String toString()
    {
        return SCHEME + bucket + "/" + prefix;
    }
}
