package io.memsnap.internal.lifecycle;

import io.memsnap.StoreOptions;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import io.memsnap.internal.segment.Segment;
import io.memsnap.internal.segment.SegmentUsage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writers' wait of {@link CompactionPolicy#behind}, on tables of real segments of {@value #LENGTH} bytes: the
 * segment files compaction emptied that are still on disk, in the log's table (a retained snapshot or the durable
 * checkpoint needs them) or out of it (readers), count as waste against every segment byte on disk, and writers wait
 * only where a pass can help. The default fractions: background compaction at 10 % waste, writers wait past 15 %,
 * segments below 75 % live are copied.
 */
class CompactionPolicyTest
{
    private static final int LENGTH = StoreOptions.MIN_SEGMENT_SIZE;
    private static final int TAIL = 6;

    @TempDir
    Path dir;

    private final Segment[] segments = new Segment[TAIL + 1];
    private final SegmentUsage usage = new SegmentUsage();
    private final CompactionPolicy policy = CompactionPolicy.of(StoreOptions.builder().dimension(16).build());

    @AfterEach
    void unmap()
    {
        for (final Segment s : segments)
        {
            if (s != null)
            {
                s.unmap();
            }
        }
    }

    @Test
    void theDefaultsWaitPastFifteenPercent()
    {
        assertEquals(0.15, policy.stallFraction(), 1e-9);
    }

    /**
     * Sealed segments 2 to 5 and the tail waste 0.4 of 5 segments' bytes, under the bound. The emptied segment 1,
     * still in the table because a retained snapshot or the durable checkpoint needs it, takes the waste to 1.4 of 6:
     * writers wait. Left out of the count, as the policy once did, the store would grow by a whole segment unchecked.
     */
    @Test
    void anEmptiedSegmentInTheTableCountsAgainstTheBound() throws IOException
    {
        table(0.0, 0.6, 1.0, 1.0, 1.0);
        assertTrue(policy.pressure(segments, TAIL, usage, 1, 0, false) == CompactionPolicy.BEHIND);
        assertArrayEquals(new int[0], policy.choose(segments, TAIL, usage, 1, false),
            "compaction itself is not due: its trigger counts only what it can free");
    }

    /** The same table without the emptied segment is under the bound. */
    @Test
    void withoutTheEmptiedSegmentTheSameTableIsUnderTheBound() throws IOException
    {
        table(-1, 0.6, 1.0, 1.0, 1.0);
        assertFalse(policy.pressure(segments, TAIL, usage, 2, 0, false) == CompactionPolicy.BEHIND);
        assertFalse(policy.pressure(segments, TAIL, usage, 2, 0, true) == CompactionPolicy.BEHIND);
    }

    /**
     * Files out of the table and not deleted yet (in their grace period, or a reader pins them) count too: a whole
     * segment's bytes take the waste to 1.4 of 6; a quarter of one, to 0.65 of 5.25, is under the bound.
     */
    @Test
    void retiredFilesNotYetDeletedCountAgainstTheBound() throws IOException
    {
        table(-1, 0.6, 1.0, 1.0, 1.0);
        assertTrue(policy.pressure(segments, TAIL, usage, 1, LENGTH, false) == CompactionPolicy.BEHIND);
        assertFalse(policy.pressure(segments, TAIL, usage, 1, LENGTH / 4, false) == CompactionPolicy.BEHIND);
    }

    /**
     * Over the bound (1.4 of 6) with no segment below the live fraction: writers wait only while the pass running has
     * emptied segments, for it ends once a checkpoint lets them go; otherwise no pass could help and they go on.
     */
    @Test
    void writersWaitOnlyWhereAPassCanHelp() throws IOException
    {
        table(0.0, 0.8, 0.8, 1.0, 1.0);
        assertFalse(policy.pressure(segments, TAIL, usage, 1, 0, false) == CompactionPolicy.BEHIND);
        assertTrue(policy.pressure(segments, TAIL, usage, 1, 0, true) == CompactionPolicy.BEHIND);
    }

    /** Fills segments 1 to 5 with these live fractions (-1: no such segment), and creates an empty tail. */
    private void table(final double... live) throws IOException
    {
        for (int id = 1; id <= TAIL; id++)
        {
            final double fraction = id <= live.length ? live[id - 1] : 0;
            if (fraction >= 0)
            {
                segments[id] = Segment.create(StoreFileSystem.real(), dir, id, LENGTH, id, false);
            }
            if (fraction > 0)
            {
                usage.added(IndexPageDescriptor.address(id, 64), (int)(fraction * LENGTH));
            }
        }
    }
}
