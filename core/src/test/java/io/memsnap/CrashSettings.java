package io.memsnap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much the crash-state explorer explores, from system properties (see {@link CrashStateExplorerTest}), and
 * where it writes crash states: /dev/shm when it exists and has room, else {@code java.io.tmpdir}. Immutable.
 */
final class CrashSettings
{
    private static final long SCRATCH_ROOM = 1L << 30;

    /** Crash states drawn at each persistence point (fewer where nothing is pending: they would all be equal). */
    final int statesPerPoint;
    /** Recoveries per workload whose own crash states are explored (with writes after them). */
    final int recoveries;
    /** Every write is a persistence point too when a journal holds at most this many. */
    final int writePointLimit;
    /** Keep every crash state written (for a repro); otherwise each is deleted once checked. */
    final boolean keepStates;
    final Path scratch;

    private CrashSettings(final int statesPerPoint, final int recoveries, final int writePointLimit,
        final boolean keepStates, final Path scratch)
    {
        this.statesPerPoint = statesPerPoint;
        this.recoveries = recoveries;
        this.writePointLimit = writePointLimit;
        this.keepStates = keepStates;
        this.scratch = scratch;
    }

    static CrashSettings fromSystemProperties()
    {
        final int scale = Integer.getInteger("memsnap.crash.scale", 1);
        return new CrashSettings(Integer.getInteger("memsnap.crash.states", 8) * scale,
            Integer.getInteger("memsnap.crash.recoveries", 8) * scale,
            Integer.getInteger("memsnap.crash.writePoints", 2000) * scale,
            Boolean.getBoolean("memsnap.crash.keep"), newScratch());
    }

    CrashSettings withoutRecoveries()
    {
        return new CrashSettings(statesPerPoint, 0, writePointLimit, keepStates, scratch);
    }

    CrashSettings keepingStates()
    {
        return new CrashSettings(statesPerPoint, recoveries, writePointLimit, true, scratch);
    }

    private static Path newScratch()
    {
        try
        {
            final Path shm = Path.of("/dev/shm");
            final Path parent = Files.isDirectory(shm) && Files.isWritable(shm) &&
                Files.getFileStore(shm).getUsableSpace() > SCRATCH_ROOM ? shm : Path.of(System.getProperty(
                "java.io.tmpdir"));
            return Files.createTempDirectory(parent, "memsnap-crash-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
