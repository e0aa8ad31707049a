package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.InvalidEntryException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Imports a membrain snapshot (gzip JSON; plain JSON too): {@code {"metadata": {"version", "created_at",
 * "n_memories", "encoder_config", "memory_config"}, "entries": [{"context_id", "sparse_vector", "importance",
 * "stored_at"}], "transitions": {...}}}, parsed as a stream, never as a tree.
 *
 * <ul>
 * <li>{@code metadata.version}: its major must be 1 (membrain's version governance); any other is refused with
 * {@link UnsupportedVersionException} before anything is written. When {@code metadata} is not the first key, the
 * file is scanned for it first.</li>
 * <li>entries: {@code context_id} is the id; {@code sparse_vector} (a dense list or a NumPy object) becomes a
 * sparse vector without its zeros, and its length is the store's dimension (every entry's must agree);
 * {@code importance} (default 1); {@code stored_at} in seconds becomes milliseconds (default: the import's time);
 * other keys of an entry are ignored. A repeated {@code context_id} is refused, naming it.</li>
 * <li>{@code encoder_config} and {@code memory_config}: named states of those names (compact JSON), and also
 * snapshot labels of those names when at most {@link #MAX_CONFIG_LABEL_BYTES} each; labels {@code source},
 * {@code membrain.version}, {@code membrain.created_at} and {@code membrain.n_memories} record the origin.</li>
 * <li>{@code transitions}, and any other top-level key: a named state of that name holding its compact JSON.</li>
 * <li>{@code n_memories}, when given, must equal the number of entries.</li>
 * </ul>
 *
 * A damaged gzip stream (truncated, failed CRC) gives {@link DamagedInputException}; malformed JSON or bad values
 * give {@link InputException} with the JSON pointer, line and column. Not thread safe; one use.
 */
public final class MembrainImporter implements FormatImporter
{
    /** The snapshot major version this build imports. */
    public static final int SUPPORTED_MAJOR = 1;
    /** Largest config copied into a snapshot label as well as into named state. */
    public static final int MAX_CONFIG_LABEL_BYTES = 8 * 1024;

    /** Longest version string accepted (it becomes a label). */
    static final int MAX_VERSION_LENGTH = 64;

    private static final byte[] NO_METADATA = new byte[0];

    private final Path file;
    private final LongConsumer progress;
    private final String source;
    private final DenseVectorReader vectors;
    private final JsonCopier copier;
    private CountingInputStream counting;
    private Metadata metadata;
    private int vectorLength = -1;
    private int maxStateBytes;
    private long entries;

    /** @param progress told the (compressed) bytes of the file read so far (may be null). */
    public MembrainImporter(final Path file, final LongConsumer progress)
    {
        this.file = file;
        this.progress = progress == null ? n -> { } : progress;
        this.source = "membrain " + file;
        this.vectors = new DenseVectorReader(source);
        this.copier = new JsonCopier(source);
    }

    @Override
    public String format()
    {
        return "membrain";
    }

    /** What the metadata object says. */
    private static final class Metadata
    {
        String version;
        String createdAt;
        Long memories;
        byte[] encoderConfig;
        byte[] memoryConfig;
    }

    @Override
    public void importInto(final ImportSink sink) throws IOException
    {
        maxStateBytes = sink.limits().maxStateBytes();
        JsonParser p = null;
        try (InputStream in = open(true))
        {
            p = ImportJson.FACTORY.createParser(in);
            try (JsonParser parser = p)
            {
                readSnapshot(parser, sink);
            }
        }
        catch (final JsonProcessingException ex)
        {
            throw ImportJson.error(source, p, ex);
        }
        catch (final ZipException | EOFException ex)
        {
            throw new DamagedInputException(source + ": the gzip stream is damaged (" + ex.getMessage() + ")", ex);
        }
    }

    private InputStream open(final boolean count) throws IOException
    {
        final InputStream raw = Files.newInputStream(file);
        final InputStream counted = count ? (counting = new CountingInputStream(raw)) : raw;
        final BufferedInputStream buffered = new BufferedInputStream(counted, 1 << 16);
        buffered.mark(2);
        final int b0 = buffered.read();
        final int b1 = buffered.read();
        buffered.reset();
        return b0 == 0x1F && b1 == 0x8B ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }

    private void readSnapshot(final JsonParser p, final ImportSink sink) throws IOException
    {
        ImportJson.readTopLevelObject(source, p, "a membrain snapshot", "snapshot", (key, value) ->
        {
            if (metadata == null)
            {
                metadata = "metadata".equals(key) ? readMetadata(value) : scanForMetadata();
                if ("metadata".equals(key))
                {
                    return;
                }
            }
            switch (key)
            {
                case "metadata":
                    value.skipChildren();
                    break;
                case "entries":
                    readEntries(value, sink);
                    break;
                default:
                    putState(value, sink, key);
                    break;
            }
        });
        if (metadata == null)
        {
            throw new InputException(source + ": no \"metadata\": a membrain snapshot has {\"metadata\": " +
                "{\"version\": ...}, \"entries\": [...]}");
        }
        if (metadata.memories != null && metadata.memories != entries)
        {
            throw new InputException(source + ": /metadata/n_memories says " + metadata.memories + " but " +
                "/entries holds " + entries + " entries");
        }
        finish(sink);
    }

    private void finish(final ImportSink sink)
    {
        sink.label("source", "membrain");
        sink.label("membrain.version", metadata.version);
        if (metadata.createdAt != null)
        {
            sink.label("membrain.created_at", metadata.createdAt);
        }
        if (metadata.memories != null)
        {
            sink.label("membrain.n_memories", metadata.memories.toString());
        }
        config(sink, "encoder_config", metadata.encoderConfig);
        config(sink, "memory_config", metadata.memoryConfig);
    }

    private void config(final ImportSink sink, final String name, final byte[] json)
    {
        if (json == null)
        {
            return;
        }
        putState(sink, name, json, "/metadata/" + name);
        if (json.length <= MAX_CONFIG_LABEL_BYTES)
        {
            sink.label(name, new String(json, StandardCharsets.UTF_8));
        }
    }

    /** Finds and reads the metadata when another key comes first: a second pass over the file, skipping values. */
    private Metadata scanForMetadata() throws IOException
    {
        try (InputStream in = open(false); JsonParser q = ImportJson.FACTORY.createParser(in))
        {
            if (q.nextToken() != JsonToken.START_OBJECT)
            {
                throw ImportJson.error(source, q, "a membrain snapshot is a JSON object");
            }
            while (q.nextToken() == JsonToken.FIELD_NAME)
            {
                final String key = q.currentName();
                q.nextToken();
                if ("metadata".equals(key))
                {
                    return readMetadata(q);
                }
                q.skipChildren();
            }
            throw new InputException(source + ": no \"metadata\": a membrain snapshot has {\"metadata\": " +
                "{\"version\": ...}, \"entries\": [...]}; nothing was written");
        }
        catch (final JsonProcessingException ex)
        {
            throw ImportJson.error(source, null, ex);
        }
    }

    private Metadata readMetadata(final JsonParser p) throws IOException
    {
        if (p.currentToken() != JsonToken.START_OBJECT)
        {
            throw ImportJson.error(source, p, "\"metadata\" must be an object, found " +
                ImportJson.describe(p.currentToken()));
        }
        final Metadata m = new Metadata();
        final Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String key = p.currentName();
            if (!keys.add(key))
            {
                throw ImportJson.error(source, p, "the key \"" + key + "\" appears twice in \"metadata\"");
            }
            final JsonToken t = p.nextToken();
            switch (key)
            {
                case "version":
                    if (t != JsonToken.VALUE_STRING)
                    {
                        throw ImportJson.error(source, p, "\"version\" must be a string like \"1.0.0\", found " +
                            ImportJson.describe(t));
                    }
                    m.version = p.getText();
                    checkVersion(p, m.version);
                    break;
                case "created_at":
                    ImportJson.finiteDouble(source, p, "\"created_at\"");
                    m.createdAt = p.getText();
                    break;
                case "n_memories":
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ||
                        p.getLongValue() < 0)
                    {
                        throw ImportJson.error(source, p, "\"n_memories\" must be a non-negative integer, found " +
                            p.getText());
                    }
                    m.memories = p.getLongValue();
                    break;
                case "encoder_config":
                    m.encoderConfig = copier.copy(p, maxStateBytes, "\"encoder_config\"");
                    break;
                case "memory_config":
                    m.memoryConfig = copier.copy(p, maxStateBytes, "\"memory_config\"");
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (m.version == null)
        {
            throw ImportJson.error(source, p, "\"metadata\" has no \"version\": refusing a snapshot of unknown " +
                "version; nothing was written");
        }
        return m;
    }

    private void checkVersion(final JsonParser p, final String version)
    {
        final int dot = version.indexOf('.');
        final String major = dot < 0 ? version : version.substring(0, dot);
        if (version.length() > MAX_VERSION_LENGTH || major.isEmpty() || major.length() > 9 ||
            !major.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw ImportJson.error(source, p, "\"version\" is \"" + abbreviate(version) + "\", not a version " +
                "like \"1.0.0\"");
        }
        if (Integer.parseInt(major) != SUPPORTED_MAJOR)
        {
            throw new UnsupportedVersionException(source + ": membrain snapshot version " + abbreviate(version) +
                " is not supported: this build imports major version " + SUPPORTED_MAJOR + " (\"1.x.y\"), and " +
                "membrain refuses a snapshot of another major version rather than misread it; nothing was written");
        }
    }

    private void readEntries(final JsonParser p, final ImportSink sink) throws IOException
    {
        if (p.currentToken() != JsonToken.START_ARRAY)
        {
            throw ImportJson.error(source, p, "\"entries\" must be a list, found " +
                ImportJson.describe(p.currentToken()));
        }
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY)
        {
            if (t != JsonToken.START_OBJECT)
            {
                throw ImportJson.error(source, p, "an entry must be an object, found " + ImportJson.describe(t));
            }
            readEntry(p, sink);
            entries++;
            progress.accept(counting.count());
        }
    }

    private void readEntry(final JsonParser p, final ImportSink sink) throws IOException
    {
        String id = null;
        int[] indices = null;
        float[] values = null;
        float importance = 1.0f;
        long storedAt = sink.options().nowMillis();
        final Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME)
        {
            final String key = p.currentName();
            if (!keys.add(key))
            {
                throw ImportJson.error(source, p, "the key \"" + key + "\" appears twice in an entry");
            }
            final JsonToken t = p.nextToken();
            switch (key)
            {
                case "context_id":
                    if (t != JsonToken.VALUE_STRING)
                    {
                        throw ImportJson.error(source, p, "\"context_id\" must be a string, found " +
                            ImportJson.describe(t));
                    }
                    id = p.getText();
                    checkId(p, sink, id);
                    break;
                case "sparse_vector":
                    vectors.read(p, vectorLength >= 0 ? vectorLength : maxFirstLength(sink), "sparse_vector");
                    checkLength(p, sink, vectors.length());
                    indices = vectors.indices();
                    values = vectors.values();
                    break;
                case "importance":
                    importance = ImportJson.finiteFloat(source, p, "\"importance\"");
                    break;
                case "stored_at":
                    final double seconds = ImportJson.finiteDouble(source, p, "\"stored_at\"");
                    if (Math.abs(seconds) > 9.0e15)
                    {
                        throw ImportJson.error(source, p, "\"stored_at\" " + p.getText() + " is out of range " +
                            "(seconds since 1970)");
                    }
                    storedAt = Math.round(seconds * 1000.0);
                    break;
                default:
                    p.skipChildren();
                    break;
            }
        }
        if (id == null || indices == null)
        {
            throw ImportJson.error(source, p, "an entry needs \"context_id\" and \"sparse_vector\"");
        }
        try
        {
            sink.put(id, indices, values, importance, storedAt, NO_METADATA);
        }
        catch (final InvalidEntryException ex)
        {
            throw ImportJson.error(source, p, ex.getMessage());
        }
    }

    private static int maxFirstLength(final ImportSink sink)
    {
        final Integer asked = sink.options().dimension();
        return asked != null ? asked : DenseVectorReader.MAX_DENSE_LENGTH;
    }

    private void checkLength(final JsonParser p, final ImportSink sink, final int length)
    {
        if (vectorLength < 0)
        {
            if (length == 0)
            {
                throw ImportJson.error(source, p, "\"sparse_vector\" is empty: the store's dimension is the " +
                    "length of the vectors");
            }
            vectorLength = length;
            sink.open(length);
        }
        else if (length != vectorLength)
        {
            throw ImportJson.error(source, p, "\"sparse_vector\" has " + length + " elements, the first entry's " +
                vectorLength + ": every vector must have the same length (the dimension)");
        }
    }

    private void checkId(final JsonParser p, final ImportSink sink, final String id)
    {
        final int max = sink.limits().maxIdBytes();
        if (id.length() > max || id.getBytes(StandardCharsets.UTF_8).length > max)
        {
            throw ImportJson.error(source, p, "\"context_id\" '" + abbreviate(id) + "' is longer than " + max +
                " UTF-8 bytes (StoreOptions.maxIdBytes)");
        }
    }

    private void putState(final JsonParser p, final ImportSink sink, final String name) throws IOException
    {
        final byte[] json = copier.copy(p, sink.limits().maxStateBytes(), "\"" + abbreviate(name) + "\"");
        putState(sink, name, json, "/" + name);
    }

    private void putState(final ImportSink sink, final String name, final byte[] json, final String where)
    {
        try
        {
            sink.putState(name, json);
        }
        catch (final InvalidEntryException ex)
        {
            throw new InputException(source + ": " + where + ": " + ex.getMessage(), ex);
        }
    }

    private static String abbreviate(final String s)
    {
        return ImportSink.abbreviate(s);
    }
}
