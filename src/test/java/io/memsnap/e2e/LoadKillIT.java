package io.memsnap.e2e;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code memsnap load} is killed with SIGKILL while it loads; afterwards {@code verify --deep} passes and
 * {@code dump} holds exactly the first K lines of the input, bit for bit, with K at least the entries of the last
 * snapshot line the load printed. Seeded; the seed is in the failure message
 * ({@code -Dmemsnap.e2e.seed=...} replays it).
 */
class LoadKillIT
{
    private static final int LINES = 60_000;
    private static final int ROUNDS = 3;

    @TempDir
    Path tmp;

    @Test
    void killedLoadLeavesAPrefixAtLeastAsLongAsItsLastSnapshotLine() throws Exception
    {
        final long seed = Long.getLong("memsnap.e2e.seed", System.nanoTime());
        final Random random = new Random(seed);
        final Path input = tmp.resolve("input.jsonl");
        final List<String> lines = writeInput(input, seed);
        int killedMidLoad = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path dir = tmp.resolve("store-" + round);
            final String context = "seed=" + seed + " round=" + round;
            final Process load = Tool.start(input, "load", dir.toString(), "--input", "-", "--snapshot-every",
                String.valueOf(1_000 + random.nextInt(4_000)));
            final int killAfterLines = 1 + random.nextInt(6);
            long lastAcknowledged = -1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(load.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                int seen = 0;
                while ((line = out.readLine()) != null)
                {
                    assertTrue(line.startsWith("snapshot generation="), context + ": " + line);
                    lastAcknowledged = Long.parseLong(line.substring(line.indexOf("entries=") + 8));
                    if (++seen == killAfterLines)
                    {
                        Thread.sleep(random.nextInt(200));
                        break;
                    }
                }
            }
            load.destroyForcibly(); // SIGKILL on Linux
            load.waitFor(30, TimeUnit.SECONDS);
            killedMidLoad += load.exitValue() == 137 ? 1 : 0;

            final Tool.Result verify = Tool.run(null, "verify", dir.toString(), "--deep");
            assertEquals(0, verify.exitCode, context + "\n" + verify);
            final Tool.Result dump = Tool.run(null, "dump", dir.toString());
            assertEquals(0, dump.exitCode, context + "\n" + dump);
            final String[] dumped = dump.out.isEmpty() ? new String[0] : dump.out.split("\n");
            assertTrue(dumped.length >= lastAcknowledged, context + ": dump has " + dumped.length +
                " entries but the load acknowledged " + lastAcknowledged);
            assertTrue(dumped.length <= LINES, context);
            final List<String> expected = new ArrayList<>(lines.subList(0, dumped.length));
            expected.sort(null); // ids are zero-padded: string order is the dump's id order
            for (int i = 0; i < dumped.length; i++)
            {
                assertSameEntry(expected.get(i), dumped[i], context);
            }
        }
        assertTrue(killedMidLoad > 0, "seed=" + seed + ": no load was killed before it finished");
    }

    private static List<String> writeInput(final Path input, final long seed) throws IOException
    {
        final SplittableRandom r = new SplittableRandom(seed);
        final List<String> lines = new ArrayList<>(LINES);
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8))
        {
            for (int i = 0; i < LINES; i++)
            {
                final StringBuilder sb = new StringBuilder(512);
                sb.append("{\"id\":\"").append(String.format("e%07d", i)).append("\",\"indices\":[");
                final int nnz = 1 + r.nextInt(40);
                int index = 0;
                for (int k = 0; k < nnz; k++)
                {
                    index += 1 + r.nextInt(5000);
                    sb.append(k == 0 ? "" : ",").append(index);
                }
                sb.append("],\"values\":[");
                for (int k = 0; k < nnz; k++)
                {
                    sb.append(k == 0 ? "" : ",").append(Float.toString((float)r.nextGaussian()));
                }
                sb.append("],\"importance\":").append(Float.toString((float)r.nextDouble()))
                    .append(",\"storedAt\":").append(1_700_000_000_000L + i).append('}');
                lines.add(sb.toString());
                w.write(sb.toString());
                w.newLine();
            }
        }
        return lines;
    }

    /** Compares two JSON entries field by field, floats by their bits. */
    static void assertSameEntry(final String expected, final String actual, final String context) throws IOException
    {
        assertEquals(fields(expected), fields(actual), context + ": " + actual + " vs input " + expected);
    }

    private static List<String> fields(final String json) throws IOException
    {
        final List<String> fields = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json))
        {
            JsonToken t;
            while ((t = p.nextToken()) != null)
            {
                if (t == JsonToken.VALUE_NUMBER_FLOAT)
                {
                    fields.add(Integer.toHexString(Float.floatToRawIntBits(Float.parseFloat(p.getText()))));
                }
                else if (t.isScalarValue() || t == JsonToken.FIELD_NAME)
                {
                    fields.add(p.getText());
                }
            }
        }
        return fields;
    }
}
