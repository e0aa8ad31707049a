package io.memsnap.internal.snapshot;

import io.memsnap.StoreOptions;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.memory.MemoryRegion;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How much direct memory a writable store's index pages waiting for a checkpoint may hold, and when the background
 * thread checkpoints them: derived once at open from {@link StoreOptions} and the JVM's direct-memory limit.
 *
 * <pre>
 *   limit  = maxResidentIndexBytes, or min(2 * checkpointIndexBytes + RESERVE, JVM limit / 2), at least 16 MiB
 *   due at = min(checkpointIndexBytes, (limit - RESERVE) * 2 / 3), at least one chunk
 * </pre>
 * RESERVE is the chunk being filled and the two chunks one change of the index may add. Checkpointing at two thirds
 * of what is left leaves a third for the pages the writer creates while the checkpoint writes them. Later
 * checkpoints mean fewer: each one freezes the index again, and a put whose bucket is frozen copies it (with 2 million
 * small entries under -Xmx128m, checkpointing at half rather than two thirds wrote an index three times as large;
 * at three quarters, the writer waited for checkpoints more often).
 *
 * <p>Immutable.
 */
public final class IndexMemoryBudget
{
    private static final String MAX_DIRECT_MEMORY_OPTION = "-XX:MaxDirectMemorySize=";
    /** The chunk being filled and up to two more that one change of the index may need. */
    static final long RESERVE_BYTES = 3 * IndexFile.CHUNK_BYTES;

    private final long limitBytes;
    private final long checkpointAtBytes;

    private IndexMemoryBudget(final long limitBytes, final long checkpointAtBytes)
    {
        this.limitBytes = limitBytes;
        this.checkpointAtBytes = checkpointAtBytes;
    }

    /**
     * @param jvmLimitBytes the JVM's direct-memory limit ({@link #jvmDirectMemoryLimit()}).
     * @throws IllegalArgumentException if the limit is not below the JVM's.
     */
    public static IndexMemoryBudget of(final StoreOptions options, final long jvmLimitBytes)
    {
        final long configured = options.maxResidentIndexBytes();
        final long limit = configured != StoreOptions.DERIVED_MAX_RESIDENT_INDEX_BYTES ? configured :
            Math.max(StoreOptions.MIN_MAX_RESIDENT_INDEX_BYTES,
                Math.min(2 * options.checkpointIndexBytes() + RESERVE_BYTES, jvmLimitBytes / 2));
        if (limit >= jvmLimitBytes)
        {
            throw new IllegalArgumentException("maxResidentIndexBytes is " + limit + (configured ==
                StoreOptions.DERIVED_MAX_RESIDENT_INDEX_BYTES ? " (its least value)" : "") + ", not below the " +
                "JVM's direct-memory limit of " + jvmLimitBytes + " bytes: index pages waiting for a checkpoint " +
                "could fail with OutOfMemoryError; lower StoreOptions.maxResidentIndexBytes or raise " +
                "-XX:MaxDirectMemorySize");
        }
        final long dueAt = Math.max(IndexFile.CHUNK_BYTES,
            Math.min(options.checkpointIndexBytes(), (limit - RESERVE_BYTES) * 2 / 3));
        return new IndexMemoryBudget(limit, dueAt);
    }

    /** @return the JVM's limit of direct buffer memory: {@code -XX:MaxDirectMemorySize}, by default the heap's. */
    public static long jvmDirectMemoryLimit()
    {
        // What java.nio.Bits enforces, read without the management API, which loads java.util.logging (on JDK 17
        // to 21; -1 on 22 and later, where reading it would warn).
        final long enforced = MemoryRegion.allocationLimit();
        if (enforced > 0)
        {
            return enforced;
        }
        final java.util.Optional<String[]> arguments = ProcessHandle.current().info().arguments();
        if (arguments.isPresent())
        {
            final long flag = maxDirectMemorySize(System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS"),
                String.join(" ", arguments.get()), System.getenv("_JAVA_OPTIONS"));
            return flag > 0 ? flag : Runtime.getRuntime().maxMemory();
        }
        final com.sun.management.HotSpotDiagnosticMXBean vm =
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        final long flag = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
        return flag > 0 ? flag : Runtime.getRuntime().maxMemory();
    }

    /**
     * @return the {@code -XX:MaxDirectMemorySize} the JVM takes from its options, by its own rule: the last one given
     * wins, the options read in this order: {@code JAVA_TOOL_OPTIONS}, then {@code JDK_JAVA_OPTIONS} and the command
     * line (the launcher puts the first before the second), then {@code _JAVA_OPTIONS}; -1 if none gives it. (An
     * {@code @argfile} on the command line is not read.)
     */
    static long maxDirectMemorySize(final String toolOptions, final String jdkJavaOptions, final String commandLine,
        final String javaOptions)
    {
        long flag = -1;
        flag = lastMaxDirectMemorySize(toolOptions, flag);
        flag = lastMaxDirectMemorySize(jdkJavaOptions, flag);
        flag = lastMaxDirectMemorySize(commandLine, flag);
        return lastMaxDirectMemorySize(javaOptions, flag);
    }

    /**
     * @return the size of the last {@code -XX:MaxDirectMemorySize=SIZE} in {@code options} (a number of bytes with an
     * optional k, m, g or t), or {@code otherwise} if there is none or it does not parse.
     */
    static long lastMaxDirectMemorySize(final String options, final long otherwise)
    {
        if (options == null)
        {
            return otherwise;
        }
        long found = otherwise;
        for (final String option : options.trim().split("\\s+"))
        {
            if (option.startsWith(MAX_DIRECT_MEMORY_OPTION))
            {
                final String size = option.substring(MAX_DIRECT_MEMORY_OPTION.length()).toLowerCase(Locale.ROOT);
                final int units = size.isEmpty() ? -1 : "kmgt".indexOf(size.charAt(size.length() - 1));
                try
                {
                    final long number = Long.parseLong(units < 0 ? size : size.substring(0, size.length() - 1));
                    found = number << (units < 0 ? 0 : 10 * (units + 1));
                }
                catch (final NumberFormatException ignored)
                {
                    // the JVM refuses to start with it; nothing to take from it here
                }
            }
        }
        return found;
    }

    /** @return the most bytes of direct buffers the index's chunks may hold, resident and retired. */
    public long limitBytes()
    {
        return limitBytes;
    }

    /** @return index bytes created since the last checkpoint that make the background thread checkpoint. */
    public long checkpointAtBytes()
    {
        return checkpointAtBytes;
    }

    @Override
    public String toString()
    {
        return "IndexMemoryBudget{limitBytes=" + limitBytes + ", checkpointAtBytes=" + checkpointAtBytes + '}';
    }
}
