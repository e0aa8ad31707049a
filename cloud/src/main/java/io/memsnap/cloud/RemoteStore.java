package io.memsnap.cloud;

import io.memsnap.cloud.internal.RemoteManifest;
import io.memsnap.cloud.internal.RemoteManifestDescriptor;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One prefix of a bucket in object storage, through the AWS SDK for Java v2 (URL-connection HTTP client): lists,
 * reads and writes its objects, writes an object only if its name is free (a conditional write,
 * {@code If-None-Match: *}), and reads the remote manifests. Every failure of the storage becomes a
 * {@link RemoteException} whose message is one line: {@link RemoteNotFoundException} for a missing bucket,
 * {@link RemoteAccessException} for refused or missing credentials. Requests are retried by the SDK's standard
 * strategy, {@link RemoteConfig#maxAttempts()} attempts with exponential backoff and jitter.
 *
 * <p>Thread safe: the SDK client is; any number of threads may call at once.
 */
public final class RemoteStore implements AutoCloseable
{
    private static final String DEFAULT_REGION_FOR_ENDPOINTS = "us-east-1";

    private final RemoteLocation location;
    private final RemoteConfig config;
    private final S3Client s3;

    private RemoteStore(final RemoteLocation location, final RemoteConfig config, final S3Client s3)
    {
        this.location = location;
        this.config = config;
        this.s3 = s3;
    }

    /** Connects to nothing yet: the first request does. */
    public static RemoteStore open(final RemoteLocation location, final RemoteConfig config)
    {
        final S3ClientBuilder b = S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60)))
            .overrideConfiguration(o -> o
                .retryStrategy(RetryMode.STANDARD)
                .retryStrategy(s -> s.maxAttempts(config.maxAttempts()))
                .apiCallTimeout(config.apiCallTimeout()))
            // The payloads carry their own CRC32C, checked end to end; S3-compatible servers differ in the SDK's
            // default trailing checksums.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .forcePathStyle(config.pathStyle())
            .credentialsProvider(config.credentials() != null ? config.credentials() :
                DefaultCredentialsProvider.builder().build());
        if (config.endpoint() != null)
        {
            b.endpointOverride(config.endpoint());
        }
        final String region = config.region() != null ? config.region() : defaultRegion(config);
        if (region != null)
        {
            b.region(Region.of(region));
        }
        try
        {
            return new RemoteStore(location, config, b.build());
        }
        catch (final SdkClientException ex)
        {
            throw new RemoteException("cannot set up the S3 client for " + location + ": " + ex.getMessage() +
                " (set AWS_REGION, and AWS_ENDPOINT_URL for an S3-compatible server)", ex);
        }
    }

    private static String defaultRegion(final RemoteConfig config)
    {
        try
        {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        }
        catch (final SdkClientException ex)
        {
            if (config.endpoint() != null)
            {
                return DEFAULT_REGION_FOR_ENDPOINTS;
            }
            throw new RemoteException("no AWS region is configured for " + "S3: set AWS_REGION (or " +
                "AWS_ENDPOINT_URL for an S3-compatible server)", ex);
        }
    }

    public RemoteLocation location()
    {
        return location;
    }

    public RemoteConfig config()
    {
        return config;
    }

    /** @return the keys under the prefix that start with {@code under}, relative to the prefix, sorted. */
    public List<String> list(final String under)
    {
        final List<String> keys = new ArrayList<>();
        for (final RemoteObject o : listObjects(under))
        {
            keys.add(o.key());
        }
        return keys;
    }

    /** @return the objects under the prefix whose keys start with {@code under}, keys relative to the prefix. */
    public List<RemoteObject> listObjects(final String under)
    {
        final List<RemoteObject> objects = new ArrayList<>();
        try
        {
            final ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket())
                .prefix(location.key(under)).build();
            for (final S3Object o : s3.listObjectsV2Paginator(request).contents())
            {
                objects.add(new RemoteObject(o.key().substring(location.prefix().length()), o.size(),
                    o.lastModified()));
            }
        }
        catch (final SdkException ex)
        {
            throw translate("list " + location + under, ex);
        }
        objects.sort(Comparator.comparing(RemoteObject::key));
        return objects;
    }

    /** @return the object's bytes, or null if there is no such object. */
    public byte[] get(final String key)
    {
        try
        {
            final ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(location.bucket())
                .key(location.key(key)));
            return bytes.asByteArrayUnsafe();
        }
        catch (final NoSuchKeyException ex)
        {
            return null;
        }
        catch (final SdkException ex)
        {
            throw translate("read " + location + key, ex);
        }
    }

    /** Writes (or replaces) an object. */
    public void put(final String key, final byte[] bytes)
    {
        try
        {
            s3.putObject(r -> r.bucket(location.bucket()).key(location.key(key)), RequestBody.fromBytes(bytes));
        }
        catch (final SdkException ex)
        {
            throw translate("write " + location + key, ex);
        }
    }

    /**
     * Writes an object only if no object has its name ({@code If-None-Match: *}). Idempotent for the writer: when the
     * SDK retries a write whose answer was lost after it reached the server, the retry finds the name taken by these
     * very bytes, and that counts as written. So the bytes of a conditional write must tell its writer apart (an
     * epoch claim carries a unique token, a manifest its epoch and time).
     *
     * @return true if the object now holds {@code bytes} (written by this call or by an attempt of it that the SDK
     * retried); false if another writer's object has the name (the server answered 412 or 409).
     */
    public boolean putIfAbsent(final String key, final byte[] bytes)
    {
        try
        {
            s3.putObject(r -> r.bucket(location.bucket()).key(location.key(key)).ifNoneMatch("*"),
                RequestBody.fromBytes(bytes));
            return true;
        }
        catch (final S3Exception ex)
        {
            if (ex.statusCode() == 412 || ex.statusCode() == 409)
            {
                return Arrays.equals(get(key), bytes);
            }
            throw translate("write " + location + key, ex);
        }
        catch (final SdkException ex)
        {
            throw translate("write " + location + key, ex);
        }
    }

    /** @return whether an object has this name. */
    public boolean exists(final String key)
    {
        try
        {
            s3.headObject(r -> r.bucket(location.bucket()).key(location.key(key)));
            return true;
        }
        catch (final NoSuchKeyException ex)
        {
            return false;
        }
        catch (final S3Exception ex)
        {
            if (ex.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(ex)))
            {
                return false;
            }
            throw translate("look up " + location + key, ex);
        }
        catch (final SdkException ex)
        {
            throw translate("look up " + location + key, ex);
        }
    }

    /** Deletes an object; nothing if it does not exist. */
    public void delete(final String key)
    {
        try
        {
            s3.deleteObject(r -> r.bucket(location.bucket()).key(location.key(key)));
        }
        catch (final SdkException ex)
        {
            throw translate("delete " + location + key, ex);
        }
    }

    /**
     * @return the generations of the remote manifests under the prefix, oldest first, less those retention retired
     * (see {@link RemoteRetention}).
     */
    public List<Long> generations()
    {
        final Set<Long> retired = new HashSet<>();
        for (final String key : list(RemoteManifestDescriptor.RETIRED))
        {
            retired.add(RemoteManifestDescriptor.parseGenerationKey(key, RemoteManifestDescriptor.RETIRED));
        }
        final List<Long> generations = new ArrayList<>();
        for (final String key : list(RemoteManifestDescriptor.SNAPSHOTS))
        {
            final long g = RemoteManifestDescriptor.parseSnapshotKey(key);
            if (g > 0 && !retired.contains(g))
            {
                generations.add(g);
            }
        }
        return generations;
    }

    /** @return the pushed snapshots under the prefix, oldest first (each manifest read and checked). */
    public List<RemoteSnapshot> snapshots()
    {
        final List<RemoteSnapshot> list = new ArrayList<>();
        for (final long g : generations())
        {
            final RemoteManifest m = manifest(g);
            if (m != null)
            {
                list.add(new RemoteSnapshot(m));
            }
        }
        return list;
    }

    /** @return the remote manifest of {@code generation}, checked, or null if there is none. */
    RemoteManifest manifest(final long generation)
    {
        final String key = RemoteManifestDescriptor.snapshotKey(generation);
        final byte[] bytes = get(key);
        return bytes == null ? null : RemoteManifest.decode(bytes, location + key);
    }

    private RemoteException translate(final String what, final SdkException ex)
    {
        final String where = config.endpoint() == null ? "AWS S3" : config.endpoint().toString();
        if (ex instanceof S3Exception)
        {
            final S3Exception s = (S3Exception)ex;
            final String code = errorCode(s);
            if ("NoSuchBucket".equals(code))
            {
                return new RemoteNotFoundException("bucket '" + location.bucket() + "' does not exist at " +
                    where + ": create it, or check the s3:// URL and AWS_ENDPOINT_URL");
            }
            if (s.statusCode() == 403 || "InvalidAccessKeyId".equals(code) ||
                "SignatureDoesNotMatch".equals(code) || "AccessDenied".equals(code))
            {
                return new RemoteAccessException("access denied to " + location + " at " + where + " (" + code +
                    "): check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and " +
                    "the bucket's policy", ex);
            }
            return new RemoteException("could not " + what + " at " + where + ": " + s.statusCode() + " " + code +
                ": " + oneLine(s.awsErrorDetails() == null ? s.getMessage() : s.awsErrorDetails().errorMessage()),
                ex);
        }
        final String message = oneLine(ex.getMessage());
        if (message.contains("credentials"))
        {
            return new RemoteAccessException("no credentials for " + location + ": set AWS_ACCESS_KEY_ID and " +
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (" + message + ")", ex);
        }
        return new RemoteException("could not " + what + " at " + where + " after " + config.maxAttempts() +
            " attempts: " + message, ex);
    }

    private static String errorCode(final S3Exception ex)
    {
        return ex.awsErrorDetails() == null ? null : ex.awsErrorDetails().errorCode();
    }

    private static String oneLine(final String s)
    {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    @Override
    public void close()
    {
        s3.close();
    }
}
