package io.memsnap;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link BadInputTest}: opens a store as another process would, prints what happened on one
 * line and exits with a code the test checks.
 *
 * <pre>
 * java -cp ... io.memsnap.LockProbe DIR write|read [ID...]
 * </pre>
 *
 * Exit codes: 0 opened (then prints {@code OPENED generation=G lastSequence=L size=N} and, for each ID,
 * {@code ID=present|absent}), 2 {@link StoreLockedException}, 3 any other exception, 4 bad arguments.
 */
public final class LockProbe
{
    public static final int OPENED = 0;
    public static final int LOCKED = 2;
    public static final int FAILED = 3;
    public static final int USAGE = 4;

    private LockProbe()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length < 2 || !(args[1].equals("write") || args[1].equals("read")))
        {
            System.out.println("usage: LockProbe DIR write|read [ID...]");
            System.exit(USAGE);
        }
        final StoreOptions options = StoreOptions.builder().readOnly(args[1].equals("read")).build();
        int code;
        try (MemoryStore store = MemoryStore.open(Path.of(args[0]), options))
        {
            final StringBuilder sb = new StringBuilder("OPENED generation=")
                .append(store.lastSnapshot().generation())
                .append(" lastSequence=").append(store.lastSequence())
                .append(" size=").append(store.size());
            for (int i = 2; i < args.length; i++)
            {
                sb.append(' ').append(args[i]).append('=').append(store.get(args[i]).isPresent() ? "present" : "absent");
            }
            System.out.println(sb);
            code = OPENED;
        }
        catch (final StoreLockedException ex)
        {
            System.out.println("LOCKED " + ex.getClass().getName() + ": " + ex.getMessage());
            code = LOCKED;
        }
        catch (final RuntimeException ex)
        {
            System.out.println("FAILED " + ex.getClass().getName() + ": " + ex.getMessage());
            code = FAILED;
        }
        System.out.flush();
        System.exit(code);
    }
}
