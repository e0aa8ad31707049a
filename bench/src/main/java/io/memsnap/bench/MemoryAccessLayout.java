package io.memsnap.bench;

import io.memsnap.internal.format.IndexPageDescriptor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.COUNT_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.PAGE_SIZE;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_ADDRESS_OFFSET;
import static io.memsnap.internal.format.IndexPageDescriptor.SLOT_HASH_OFFSET;

/**
 * The bytes the memory-access benchmarks read, the same for every way of reading them ({@link MemoryAccessBenchmark}
 * and, on JDK 22 and later, {@code MemorySegmentAccessBenchmark}): {@value #PAGES} full index bucket pages laid out
 * as {@link IndexPageDescriptor} says, then {@value #RECORDS} records of a sparse vector of {@value #NNZ} non-zeros,
 * one every {@value #RECORD_STRIDE} bytes: its sorted indices at {@link #INDICES_OFFSET}, its values after them and
 * its ASCII id at {@link #ID_OFFSET}. The region is small (it stays in the CPU's caches) so that the benchmarks
 * measure the instructions of an access, not the memory.
 *
 * <p>Also the queries: a hash no bucket holds (a lookup scans every slot, as a lookup of a new key does), the ids,
 * and a sparse vector that shares half of its indices with each record.
 *
 * <p>Not thread safe: built once per trial and thread, then only read, but for the cursor ({@link #nextPage()},
 * {@link #nextRecord()}) that each benchmark call moves to the next page or record of the region.
 */
public final class MemoryAccessLayout
{
    public static final int PAGES = 256;
    public static final int RECORDS = 512;
    public static final int NNZ = 128;
    public static final int RECORD_STRIDE = 2048;
    public static final int RECORDS_OFFSET = PAGES * PAGE_SIZE;
    public static final int INDICES_OFFSET = 64;
    public static final int VALUES_OFFSET = INDICES_OFFSET + NNZ * Integer.BYTES;
    public static final int ID_OFFSET = VALUES_OFFSET + NNZ * Float.BYTES;
    public static final int REGION_BYTES = RECORDS_OFFSET + RECORDS * RECORD_STRIDE;
    /** The memory the benchmarks of a release allocate and free. */
    public static final int ALLOCATED_BYTES = 64 << 10;
    /** A hash that no slot holds: the random ones are odd. */
    public static final long ABSENT_HASH = 0x5A5A_5A5A_5A5A_5A5AL;

    private final String[] ids = new String[RECORDS];
    private final int[] queryIndices = new int[NNZ];
    private final float[] queryValues = new float[NNZ];
    private final ByteBuffer bytes = ByteBuffer.allocate(REGION_BYTES).order(ByteOrder.nativeOrder());
    private int next;

    public MemoryAccessLayout()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int p = 0; p < PAGES; p++)
        {
            final int o = pageOffset(p);
            bytes.putInt(o + COUNT_OFFSET, BUCKET_SLOTS);
            for (int s = 0; s < BUCKET_SLOTS; s++)
            {
                final int so = o + IndexPageDescriptor.slotOffset(s);
                bytes.putLong(so + SLOT_HASH_OFFSET, random.nextLong() | 1);
                bytes.putLong(so + SLOT_ADDRESS_OFFSET, random.nextLong(1, Long.MAX_VALUE));
            }
        }
        for (int r = 0; r < RECORDS; r++)
        {
            final int o = recordOffset(r);
            for (int i = 0; i < NNZ; i++)
            {
                bytes.putInt(o + INDICES_OFFSET + i * Integer.BYTES, 4 * i + 2 * (r & 1)); // half in the query
                bytes.putFloat(o + VALUES_OFFSET + i * Float.BYTES, (float)random.nextDouble(-1, 1));
            }
            ids[r] = String.format("doc-%012d-chunk-%02d", random.nextLong(1_000_000_000_000L), r % 100);
            for (int i = 0; i < ids[r].length(); i++)
            {
                bytes.put(o + ID_OFFSET + i, (byte)ids[r].charAt(i));
            }
        }
        for (int i = 0; i < NNZ; i++)
        {
            queryIndices[i] = 2 * i; // every even index below 256: the first half of each record's
            queryValues[i] = (float)random.nextDouble(-1, 1);
        }
    }

    public static int pageOffset(final int page)
    {
        return page * PAGE_SIZE;
    }

    public static int recordOffset(final int record)
    {
        return RECORDS_OFFSET + record * RECORD_STRIDE;
    }

    /** @return the offset of the page after the previous one (around the region). */
    public int nextPage()
    {
        next = (next + 1) & (PAGES - 1);
        return pageOffset(next);
    }

    /** @return the number of the record after the previous one (around the region). */
    public int nextRecord()
    {
        next = (next + 1) & (RECORDS - 1);
        return next;
    }

    public String id(final int record)
    {
        return ids[record];
    }

    public int[] queryIndices()
    {
        return queryIndices;
    }

    public float[] queryValues()
    {
        return queryValues;
    }

    /** @return a new direct buffer, in the CPU's byte order, holding the region. */
    public ByteBuffer direct()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(REGION_BYTES).order(ByteOrder.nativeOrder());
        direct.put(0, bytes, 0, REGION_BYTES);
        return direct;
    }

    /** @return a new file in {@link BenchDirs#dataDir()} holding the region, forced, to be mapped. */
    public Path newFile() throws IOException
    {
        final Path file = Files.createTempFile(BenchDirs.dataDir(), "memory-access", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer all = bytes.duplicate().clear();
            while (all.hasRemaining())
            {
                channel.write(all, all.position());
            }
            channel.force(false);
        }
        return file;
    }
}
