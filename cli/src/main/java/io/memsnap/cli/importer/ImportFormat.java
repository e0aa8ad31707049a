package io.memsnap.cli.importer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.memsnap.cli.archive.ArchiveDescriptor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The formats {@code import} reads, and how one is recognised when {@code --format} is not given: the archive
 * magic means an archive, the gzip magic a membrain snapshot; otherwise the first JSON object's keys decide
 * ({@code knowledge_base}, {@code task_history} or {@code score_history}: penin; {@code entries},
 * {@code transitions} or an object-valued {@code metadata}: membrain as plain JSON; anything else: JSON Lines).
 * Only the first {@link #SNIFF_BYTES} bytes are looked at. Thread safe: immutable.
 */
public enum ImportFormat
{
    ARCHIVE, MEMBRAIN, PENIN, JSONL;

    /** How much of a file detection reads. */
    public static final int SNIFF_BYTES = 64 * 1024;

    /** @return the format named (case-insensitive). */
    public static ImportFormat parse(final String name)
    {
        try
        {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("unknown format '" + name + "': expected archive, membrain, penin " +
                "or jsonl");
        }
    }

    /** @return the format's name as given on the command line. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return a reader of {@code file} in this format. */
    public FormatImporter importer(final Path file, final LongConsumer progress)
    {
        switch (this)
        {
            case ARCHIVE: return new ArchiveImporter(file, progress);
            case MEMBRAIN: return new MembrainImporter(file, progress);
            case PENIN: return new PeninImporter(file, progress);
            default: return new JsonlImporter(file, progress);
        }
    }

    /** @return the format {@code file} looks like. */
    public static ImportFormat detect(final Path file) throws IOException
    {
        final byte[] head = new byte[SNIFF_BYTES];
        int n = 0;
        try (InputStream in = Files.newInputStream(file))
        {
            int r;
            while (n < head.length && (r = in.read(head, n, head.length - n)) > 0)
            {
                n += r;
            }
        }
        if (ArchiveDescriptor.hasMagic(head, n))
        {
            return ARCHIVE;
        }
        if (n >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B)
        {
            return MEMBRAIN;
        }
        return sniffJson(head, n);
    }

    private static ImportFormat sniffJson(final byte[] head, final int length)
    {
        try (JsonParser p = ImportJson.FACTORY.createParser(new ByteArrayInputStream(head, 0, length)))
        {
            if (p.nextToken() != JsonToken.START_OBJECT)
            {
                return JSONL;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME)
            {
                final String key = p.currentName();
                final JsonToken value = p.nextToken();
                switch (key)
                {
                    case "knowledge_base":
                    case "task_history":
                    case "score_history":
                        return PENIN;
                    case "entries":
                    case "transitions":
                        return MEMBRAIN;
                    case "metadata":
                        if (value == JsonToken.START_OBJECT)
                        {
                            return MEMBRAIN;
                        }
                        break;
                    default:
                        break;
                }
                p.skipChildren();
            }
            return JSONL;
        }
        catch (final IOException | RuntimeException ex)
        {
            return JSONL;
        }
    }
}
