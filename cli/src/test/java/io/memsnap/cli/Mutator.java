package io.memsnap.cli;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random mutations of bytes for the fuzz tests: bit flips, truncations, insertions, deletions, overwrites
 * and inserted whitespace. {@link #describe()} says what the last call did, for failure messages.
 */
public final class Mutator
{
    /**
     * The fuzz tests' base seed. Another run: {@code mvn -o -pl cli test -Dtest='*FuzzTest' -DargLine=-Dfuzz.seed=N}.
     */
    public static final long BASE_SEED = Long.getLong("fuzz.seed", 0x5EED_2026L);

    private final Random random;
    private String last = "";

    public Mutator(final long seed)
    {
        this.random = new Random(seed);
    }

    public Random random()
    {
        return random;
    }

    /** @return a mutated copy of {@code in} (never identical to it unless {@code in} is empty). */
    public byte[] mutate(final byte[] in)
    {
        final int op = random.nextInt(6);
        final int at = in.length == 0 ? 0 : random.nextInt(in.length);
        switch (op)
        {
            case 0:
            {
                final byte[] out = in.clone();
                final int flips = 1 + random.nextInt(3);
                final StringBuilder sb = new StringBuilder("flip");
                for (int i = 0; i < flips && out.length > 0; i++)
                {
                    final int p = i == 0 ? at : random.nextInt(out.length);
                    final int bit = random.nextInt(8);
                    out[p] ^= (byte)(1 << bit);
                    sb.append(' ').append(p).append('.').append(bit);
                }
                last = sb.toString();
                return out;
            }
            case 1:
                last = "truncate to " + at;
                return Arrays.copyOf(in, at);
            case 2:
            {
                final byte[] extra = new byte[1 + random.nextInt(8)];
                random.nextBytes(extra);
                last = "insert " + extra.length + " random bytes at " + at;
                return insert(in, at, extra);
            }
            case 3:
            {
                final int n = Math.min(1 + random.nextInt(8), in.length - at);
                last = "delete " + n + " bytes at " + at;
                final byte[] out = new byte[in.length - n];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + n, out, at, in.length - at - n);
                return out;
            }
            case 4:
            {
                final byte[] out = in.clone();
                final int n = Math.min(1 + random.nextInt(4), in.length - at);
                for (int i = 0; i < n; i++)
                {
                    out[at + i] = (byte)random.nextInt(256);
                }
                last = "overwrite " + n + " bytes at " + at;
                return out;
            }
            default:
            {
                final byte[] ws = {" \n\t\r".getBytes()[random.nextInt(4)]};
                last = "insert whitespace " + (ws[0] & 0xFF) + " at " + at;
                return insert(in, at, ws);
            }
        }
    }

    private static byte[] insert(final byte[] in, final int at, final byte[] extra)
    {
        final byte[] out = new byte[in.length + extra.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(in, at, out, at + extra.length, in.length - at);
        return out;
    }

    /** @return what the last {@link #mutate} did. */
    public String describe()
    {
        return last;
    }
}
