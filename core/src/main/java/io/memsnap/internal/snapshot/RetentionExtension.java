package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.internal.format.ManifestDescriptor;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.memsnap.internal.format.PinsDescriptor.*;

/**
 * Encodes and decodes manifest extension {@link ManifestDescriptor#EXTENSION_PINS}: the retention rules and the pins
 * of the writer that committed the manifest (layout in {@link io.memsnap.internal.format.PinsDescriptor}). Stateless.
 */
public final class RetentionExtension
{
    private RetentionExtension()
    {
    }

    public static ManifestExtension encode(final RetentionPolicy policy, final PinSet pins)
    {
        final List<Pin> list = pins.pins();
        final byte[][] labels = new byte[list.size()][];
        int length = FIRST_PIN_OFFSET;
        for (int i = 0; i < labels.length; i++)
        {
            labels[i] = list.get(i).label.getBytes(StandardCharsets.UTF_8);
            length += pinLength(labels[i].length);
        }
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(policy.keepLast).putLong(policy.keepYoungerThanMillis).putInt(list.size());
        for (int i = 0; i < labels.length; i++)
        {
            final Pin p = list.get(i);
            b.putLong(p.generation).putLong(p.expiresAtMillis).putShort((short)labels[i].length).put(labels[i]);
        }
        return new ManifestExtension(ManifestDescriptor.EXTENSION_PINS, ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW,
            b.array());
    }

    /**
     * @return the retention rules the manifest records, or null if it records none (written before they were).
     * @throws CorruptStoreException if the extension is malformed.
     */
    public static RetentionPolicy policy(final Manifest manifest, final Path file)
    {
        final ManifestExtension e = manifest.extension(ManifestDescriptor.EXTENSION_PINS);
        if (e == null)
        {
            return null;
        }
        final ByteBuffer b = body(e, file);
        final int keepLast = b.getInt(KEEP_LAST_OFFSET);
        final long keepYoungerThan = b.getLong(KEEP_YOUNGER_THAN_OFFSET);
        try
        {
            return new RetentionPolicy(keepLast, keepYoungerThan);
        }
        catch (final IllegalArgumentException ex)
        {
            throw malformed("impossible rules: " + ex.getMessage(), file, KEEP_LAST_OFFSET);
        }
    }

    /**
     * @return the pins the manifest records (none if it records no retention).
     * @throws CorruptStoreException if the extension is malformed.
     */
    public static PinSet pins(final Manifest manifest, final Path file)
    {
        final ManifestExtension e = manifest.extension(ManifestDescriptor.EXTENSION_PINS);
        if (e == null)
        {
            return PinSet.NONE;
        }
        final ByteBuffer b = body(e, file);
        final int count = b.getInt(PIN_COUNT_OFFSET);
        if (count < 0 || count > MAX_PINS)
        {
            throw malformed("impossible pin count " + count, file, PIN_COUNT_OFFSET);
        }
        final List<Pin> pins = new ArrayList<>(count);
        b.position(FIRST_PIN_OFFSET);
        long previous = -1;
        for (int i = 0; i < count; i++)
        {
            final int at = b.position();
            try
            {
                final long generation = b.getLong();
                final long expiresAt = b.getLong();
                final int labelLength = b.getShort() & 0xFFFF;
                if (generation <= previous || generation > manifest.generation || labelLength == 0 ||
                    labelLength > MAX_LABEL_BYTES)
                {
                    throw malformed("pin " + i + " is impossible (generation " + generation + " after " + previous +
                        " in manifest " + manifest.generation + ", label of " + labelLength + " bytes)", file, at);
                }
                final byte[] label = new byte[labelLength];
                b.get(label);
                pins.add(new Pin(generation, utf8(label, file, at), expiresAt));
                previous = generation;
            }
            catch (final BufferUnderflowException ex)
            {
                throw malformed("pin " + i + " ends past the extension", file, at);
            }
        }
        return PinSet.of(pins);
    }

    private static ByteBuffer body(final ManifestExtension e, final Path file)
    {
        if (e.length() < FIRST_PIN_OFFSET)
        {
            throw malformed("only " + e.length() + " bytes", file, 0);
        }
        return ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String utf8(final byte[] bytes, final Path file, final int at)
    {
        try
        {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw malformed("a pin label is not UTF-8", file, at);
        }
    }

    private static CorruptStoreException malformed(final String problem, final Path file, final int bodyOffset)
    {
        return new CorruptStoreException("the manifest's pins extension (tag " + ManifestDescriptor.EXTENSION_PINS +
            ") is malformed at byte " + bodyOffset + " of its body: " + problem, file, -1);
    }
}
