package io.memsnap.internal.snapshot;

import io.memsnap.StoreOptions;
import io.memsnap.internal.index.IndexFile;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * How the limit of a writer's index memory and the point where the background thread checkpoints are derived from
 * the options and the JVM's direct-memory limit, and which settings are refused.
 */
class IndexMemoryBudgetTest
{
    private static final long MIB = 1024L * 1024L;

    @Test
    void byDefaultTwiceTheCheckpointBytesAndTheReserveWhenTheJvmHasRoom()
    {
        final IndexMemoryBudget budget = IndexMemoryBudget.of(StoreOptions.ofDimension(8), 4096 * MIB);
        assertEquals(2 * StoreOptions.DEFAULT_CHECKPOINT_INDEX_BYTES + 12 * MIB, budget.limitBytes());
        assertEquals(StoreOptions.DEFAULT_CHECKPOINT_INDEX_BYTES, budget.checkpointAtBytes());
    }

    @Test
    void byDefaultAtMostHalfTheJvmsLimitAndThenCheckpointedAtTwoThirdsOfWhatTheReserveLeaves()
    {
        final IndexMemoryBudget budget = IndexMemoryBudget.of(StoreOptions.ofDimension(8), 128 * MIB);
        assertEquals(64 * MIB, budget.limitBytes(), "-Xmx128m: half of the default direct-memory limit");
        assertEquals(52 * MIB * 2 / 3, budget.checkpointAtBytes());

        final IndexMemoryBudget least = IndexMemoryBudget.of(StoreOptions.ofDimension(8), 20 * MIB);
        assertEquals(StoreOptions.MIN_MAX_RESIDENT_INDEX_BYTES, least.limitBytes());
        assertEquals(IndexFile.MIN_DIRECT_BYTES, least.limitBytes());
        assertEquals(IndexFile.CHUNK_BYTES, least.checkpointAtBytes(), "at least one chunk");
    }

    @Test
    void anExplicitLimitIsKeptAndCheckpointsComeNoLaterThanTheCheckpointBytes()
    {
        final StoreOptions options = StoreOptions.builder().dimension(8).maxResidentIndexBytes(40 * MIB)
            .checkpointIndexBytes(4 * MIB).build();
        final IndexMemoryBudget budget = IndexMemoryBudget.of(options, 1024 * MIB);
        assertEquals(40 * MIB, budget.limitBytes());
        assertEquals(4 * MIB, budget.checkpointAtBytes());
        assertEquals(28 * MIB * 2 / 3, IndexMemoryBudget.of(options.toBuilder().checkpointIndexBytes(64 * MIB).build(),
            1024 * MIB).checkpointAtBytes());
    }

    @Test
    void aLimitNotBelowTheJvmsIsRefusedAtOpenAndOneTooSmallWhenBuilt()
    {
        final StoreOptions options = StoreOptions.builder().dimension(8).maxResidentIndexBytes(64 * MIB).build();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> IndexMemoryBudget.of(options, 64 * MIB));
        assertTrue(ex.getMessage().contains("-XX:MaxDirectMemorySize"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IndexMemoryBudget.of(StoreOptions.ofDimension(8), 16 * MIB));
        assertThrows(IllegalArgumentException.class,
            () -> StoreOptions.builder().maxResidentIndexBytes(StoreOptions.MIN_MAX_RESIDENT_INDEX_BYTES - 1));
        assertEquals(StoreOptions.DERIVED_MAX_RESIDENT_INDEX_BYTES,
            StoreOptions.builder().maxResidentIndexBytes(StoreOptions.DERIVED_MAX_RESIDENT_INDEX_BYTES).build()
                .maxResidentIndexBytes());
    }

    @Test
    void theJvmsLimitIsWhatThisJvmEnforces()
    {
        final com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory
            .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        final long flag = Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
        assertEquals(flag > 0 ? flag : Runtime.getRuntime().maxMemory(), IndexMemoryBudget.jvmDirectMemoryLimit());
    }

    @Test
    void theLastMaxDirectMemorySizeOfTheOptionsWinsWithItsUnit()
    {
        assertEquals(-1, IndexMemoryBudget.lastMaxDirectMemorySize(null, -1));
        assertEquals(-1, IndexMemoryBudget.lastMaxDirectMemorySize("-Xmx1g -XX:+UseSerialGC", -1));
        assertEquals(64 * MIB, IndexMemoryBudget.lastMaxDirectMemorySize("-XX:MaxDirectMemorySize=64m", -1));
        assertEquals(2048 * MIB, IndexMemoryBudget.lastMaxDirectMemorySize(
            " -XX:MaxDirectMemorySize=64M  -Xmx1g -XX:MaxDirectMemorySize=2G ", -1));
        assertEquals(5000, IndexMemoryBudget.lastMaxDirectMemorySize("-XX:MaxDirectMemorySize=5000", -1));
        assertEquals(3 * 1024, IndexMemoryBudget.lastMaxDirectMemorySize("-XX:MaxDirectMemorySize=3k", 7));
        assertEquals(7, IndexMemoryBudget.lastMaxDirectMemorySize("-XX:MaxDirectMemorySize=lots", 7));
    }

    @Test
    void theOptionsAreTakenInTheOrderTheJvmReadsThem()
    {
        final String m = "-XX:MaxDirectMemorySize=";
        assertEquals(-1, IndexMemoryBudget.maxDirectMemorySize(null, null, "-Xmx1g Main", null));
        assertEquals(MIB, IndexMemoryBudget.maxDirectMemorySize(m + "1m", null, "-Xmx1g Main", null));
        assertEquals(2 * MIB, IndexMemoryBudget.maxDirectMemorySize(m + "1m", m + "2m", "-Xmx1g Main", null));
        assertEquals(3 * MIB, IndexMemoryBudget.maxDirectMemorySize(m + "1m", m + "2m", m + "3m Main", null));
        // _JAVA_OPTIONS comes after the command line, and wins over it.
        assertEquals(4 * MIB, IndexMemoryBudget.maxDirectMemorySize(m + "1m", m + "2m", m + "3m Main", m + "4m"));
        assertEquals(3 * MIB, IndexMemoryBudget.maxDirectMemorySize(null, null, m + "3m Main", "-Xss1m"));
    }
}
