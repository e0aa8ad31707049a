package io.memsnap.internal.snapshot;

import io.memsnap.CorruptStoreException;
import io.memsnap.InvalidEntryException;
import io.memsnap.internal.format.ManifestDescriptor;
import io.memsnap.internal.format.PinsDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pins extension byte for byte (its layout in {@link PinsDescriptor}), through a whole manifest's encoding;
 * malformed bodies are damage, never "no pins"; labels users give are checked before anything is written.
 */
class RetentionExtensionTest
{
    private static final Path FILE = Path.of("manifest-00000000000000000009.msm");
    private static final long GENERATION = 9;

    private static Manifest manifest(final ManifestExtension extension)
    {
        final Manifest m = new Manifest(0, GENERATION, 5, 1_700_000_000_000L, 1, 0, 42, 8, 1,
            new Checkpoint(1, 2, 1, 0, 1, 64, 0, 0, 0), 1, 64, 0, 0, new Manifest.FileEntry[0], Map.of());
        final Manifest with = extension == null ? m : m.withExtension(extension);
        return ManifestCodec.decode(ManifestCodec.encode(with), FILE);
    }

    @Test
    void rulesAndPinsRoundTripThroughAManifest()
    {
        final PinSet pins = PinSet.of(List.of(new Pin(2, "before migration", PinsDescriptor.NEVER),
            new Pin(7, "r\u00e9wind \uD83D\uDE00", 1_800_000_000_000L), new Pin(GENERATION, "itself", 5)));
        final RetentionPolicy policy = new RetentionPolicy(5, 14L * 24 * 3600 * 1000);
        final Manifest m = manifest(RetentionExtension.encode(policy, pins));
        final ManifestExtension e = m.extension(ManifestDescriptor.EXTENSION_PINS);
        assertTrue(e.writersMustKnow());
        assertFalse(e.readersMustKnow());
        assertEquals(policy, RetentionExtension.policy(m, FILE));
        assertEquals(pins, RetentionExtension.pins(m, FILE));

        final ByteBuffer b = ByteBuffer.wrap(e.body()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(5, b.getInt(PinsDescriptor.KEEP_LAST_OFFSET));
        assertEquals(policy.keepYoungerThanMillis, b.getLong(PinsDescriptor.KEEP_YOUNGER_THAN_OFFSET));
        assertEquals(3, b.getInt(PinsDescriptor.PIN_COUNT_OFFSET));
        final int first = PinsDescriptor.FIRST_PIN_OFFSET;
        assertEquals(2, b.getLong(first + PinsDescriptor.PIN_GENERATION_OFFSET));
        assertEquals(PinsDescriptor.NEVER, b.getLong(first + PinsDescriptor.PIN_EXPIRES_AT_OFFSET));
        assertEquals(16, b.getShort(first + PinsDescriptor.PIN_LABEL_LENGTH_OFFSET));
        final int second = first + PinsDescriptor.pinLength(16);
        assertEquals(7, b.getLong(second + PinsDescriptor.PIN_GENERATION_OFFSET));
        assertEquals(e.length(), second + PinsDescriptor.pinLength(12) + PinsDescriptor.pinLength(6));
    }

    @Test
    void aManifestWithoutTheExtensionRecordsNoRulesAndNoPins()
    {
        final Manifest m = manifest(null);
        assertNull(RetentionExtension.policy(m, FILE));
        assertEquals(PinSet.NONE, RetentionExtension.pins(m, FILE));
    }

    @Test
    void fieldsALaterVersionAppendsAreIgnored()
    {
        final byte[] body = RetentionExtension.encode(new RetentionPolicy(3, 0),
            PinSet.of(List.of(new Pin(1, "a", PinsDescriptor.NEVER)))).body();
        final Manifest m = manifest(new ManifestExtension(ManifestDescriptor.EXTENSION_PINS,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, Arrays.copyOf(body, body.length + 12)));
        assertEquals("a", RetentionExtension.pins(m, FILE).get(1).label);
    }

    /** Each malformed body is refused as damage naming the manifest. */
    @Test
    void malformedBodiesAreDamage()
    {
        final byte[] good = RetentionExtension.encode(new RetentionPolicy(3, 0), PinSet.of(List.of(
            new Pin(1, "a", PinsDescriptor.NEVER), new Pin(4, "bc", PinsDescriptor.NEVER)))).body();
        final int first = PinsDescriptor.FIRST_PIN_OFFSET;
        final int second = first + PinsDescriptor.pinLength(1);
        assertMalformed(Arrays.copyOf(good, PinsDescriptor.FIRST_PIN_OFFSET - 1), b -> { }, "too short");
        assertMalformed(good, b -> b.putInt(PinsDescriptor.KEEP_LAST_OFFSET, 1), "keeps one");
        assertMalformed(good, b -> b.putLong(PinsDescriptor.KEEP_YOUNGER_THAN_OFFSET, -5), "negative age");
        assertMalformed(good, b -> b.putInt(PinsDescriptor.PIN_COUNT_OFFSET, -1), "negative count");
        assertMalformed(good, b -> b.putInt(PinsDescriptor.PIN_COUNT_OFFSET, PinsDescriptor.MAX_PINS + 1), "count");
        assertMalformed(good, b -> b.putInt(PinsDescriptor.PIN_COUNT_OFFSET, 3), "a pin past the end");
        assertMalformed(good, b -> b.putLong(second + PinsDescriptor.PIN_GENERATION_OFFSET, 1), "not increasing");
        assertMalformed(good, b -> b.putLong(second + PinsDescriptor.PIN_GENERATION_OFFSET, GENERATION + 1),
            "newer than the manifest");
        assertMalformed(good, b -> b.putShort(first + PinsDescriptor.PIN_LABEL_LENGTH_OFFSET, (short)0), "no label");
        assertMalformed(good, b -> b.putShort(first + PinsDescriptor.PIN_LABEL_LENGTH_OFFSET, (short)300), "long");
        assertMalformed(good, b -> b.put(second + PinsDescriptor.PIN_LABEL_OFFSET, (byte)0xC3), "not UTF-8");
    }

    private static void assertMalformed(final byte[] body, final Consumer<ByteBuffer> damage, final String what)
    {
        final byte[] bytes = body.clone();
        if (bytes.length >= PinsDescriptor.FIRST_PIN_OFFSET)
        {
            damage.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        }
        final Manifest m = manifest(new ManifestExtension(ManifestDescriptor.EXTENSION_PINS,
            ManifestDescriptor.EXTENSION_WRITERS_MUST_KNOW, bytes));
        final CorruptStoreException ex = assertThrows(CorruptStoreException.class, () ->
        {
            RetentionExtension.policy(m, FILE);
            RetentionExtension.pins(m, FILE);
        }, what);
        assertEquals(FILE, ex.file(), what);
        assertTrue(ex.getMessage().contains("pins extension"), ex.getMessage());
    }

    @Test
    void labelsAreCheckedBeforeAnythingIsWritten()
    {
        assertEquals(255, Pin.checkLabel("x".repeat(255)));
        assertEquals(254, Pin.checkLabel("\u00e9".repeat(127)));
        for (final String bad : new String[] {null, "", "x".repeat(256), "\u00e9".repeat(128), "a\uD800b", "two\nlines",
            "tab\there"})
        {
            final InvalidEntryException ex = assertThrows(InvalidEntryException.class, () -> Pin.checkLabel(bad),
                String.valueOf(bad));
            assertTrue(ex.getMessage().contains("pin label") || ex.getMessage().contains("label"), ex.getMessage());
        }
    }
}
