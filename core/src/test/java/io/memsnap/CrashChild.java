package io.memsnap;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

/**
 * The process {@link CrashTest} kills: opens the store, then writes the ops of {@link CrashOps} for ever, syncing
 * and snapshotting now and then, until it is killed.
 *
 * <p>Protocol on stdout, one line each, flushed at once:
 * <ul>
 *     <li>{@code opening}: the store is about to be opened (recovered);</li>
 *     <li>{@code ready <k>}: the store was opened holding ops {@code [0, k)};</li>
 *     <li>{@code batch <end> <size>}: the next {@code size} ops, up to {@code end} (exclusive), are being issued;
 *     </li>
 *     <li>{@code snapshot-start}: a snapshot is about to be taken;</li>
 *     <li>{@code durable <k> sync|snapshot}: printed after {@code sync()} or {@code snapshot()} returned: ops
 *     {@code [0, k)} are durable (the acknowledgement).</li>
 *     <li>{@code handed <k>}: printed after the writes of ops up to {@code k} returned with {@code ON_SYNC} (single
 *     writes or a {@link WriteBatch}): they are handed to the operating system, so a crash of the process keeps
 *     them;</li>
 *     <li>{@code written <k>}: printed after the writes of ops up to {@code k} returned with {@code BUFFERED}: a
 *     crash of the process may lose what the write buffer ({@link #BUFFER_BYTES}) held of them;</li>
 *     <li>{@code pinned <g> <k>}: printed after {@code pin(g)} returned: snapshot {@code g}, holding ops
 *     {@code [0, k)}, must stay until it is unpinned;</li>
 *     <li>{@code unpinning <g>}: printed before {@code unpin(g)} is called.</li>
 * </ul>
 * Any failure prints its stack trace to stderr and exits with status 2.
 *
 * <p>Usage: {@code CrashChild <dir> <seed> <idSpace> <steady|concurrent|burst|recovery|torn|pins|index|batch|buffered>
 * <burstOps>}.
 * <ul>
 *     <li>steady: batches of writes, each followed by a sync or (one in eight) a snapshot on the same thread;</li>
 *     <li>recovery: as steady (the parent kills this one while it opens the store);</li>
 *     <li>torn: as steady with batches of at least 1500 ops (the parent kills this one a moment after a batch
 *     starts, so sometimes in the middle of a record);</li>
 *     <li>concurrent: as steady but syncs only, while another thread takes snapshots under the writes;</li>
 *     <li>burst: first {@code burstOps} writes without a sync, then a snapshot that has all of them to flush,
 *     then steady;</li>
 *     <li>pins: batches of writes, each followed by a snapshot; every third snapshot is pinned, and once three are
 *     pinned the oldest pin is removed first (retention keeps three snapshots besides the pinned ones).</li>
 *     <li>index: as torn, with the options of {@link #indexFileOptions()}: the background thread writes new index
 *     files again and again (the parent kills this one while it writes one).</li>
 *     <li>batch: as torn, each batch of ops written with one {@link MemoryStore#write(WriteBatch)} (the parent kills
 *     this one a moment after a batch starts, so sometimes in the middle of it);</li>
 *     <li>buffered: as steady, with {@link Durability#BUFFERED} and a write buffer of {@link #BUFFER_BYTES}.</li>
 * </ul>
 */
public final class CrashChild
{
    static final int SEGMENT_SIZE = 256 * 1024;
    /** The write buffer of the mode "buffered" (the smallest allowed). */
    static final int BUFFER_BYTES = StoreOptions.MIN_WRITE_BUFFER_BYTES;

    private static final PrintStream OUT = System.out;

    private CrashChild()
    {
    }

    static StoreOptions options()
    {
        return StoreOptions.builder().backgroundCompaction(false)
            .dimension(TestEntries.DIMENSION).segmentSize(SEGMENT_SIZE).build();
    }

    /**
     * The options of the mode "index": background checkpoints every 20,000 records and a new index file once the
     * current one holds twice what a new one would and at least 1 MiB, so that new index files are written again and
     * again.
     */
    static StoreOptions indexFileOptions()
    {
        return options().toBuilder().checkpointRecords(20_000).indexCompactionMinBytes(1 << 20).build();
    }

    public static void main(final String[] args)
    {
        try
        {
            run(Path.of(args[0]), Long.parseLong(args[1]), Integer.parseInt(args[2]), args[3],
                Integer.parseInt(args[4]));
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void run(final Path dir, final long seed, final int idSpace, final String mode,
        final int burstOps)
    {
        say("opening");
        final MemoryStore store = MemoryStore.open(dir, mode.equals("index") ? indexFileOptions() :
            mode.equals("buffered") ? options().toBuilder().durability(Durability.BUFFERED)
                .writeBufferBytes(BUFFER_BYTES).build() : options());
        final long start = store.lastSequence();
        if (start != store.recoveryReport().lastSequence())
        {
            throw new IllegalStateException("lastSequence " + start + " but the recovery report says " +
                store.recoveryReport().lastSequence());
        }
        final CrashOps ops = new CrashOps(seed, idSpace).advanceTo(start);
        final Random rhythm = new Random(seed + start);
        say("ready " + start);
        switch (mode)
        {
            case "steady":
            case "recovery":
                writeForEver(store, ops, rhythm, true, 1);
                break;

            case "torn":
            case "index":
                writeForEver(store, ops, rhythm, true, 1500);
                break;

            case "concurrent":
                final Thread snapshotter = new Thread(() -> snapshotForEver(store, new Random(seed - start)),
                    "snapshotter");
                snapshotter.setDaemon(true);
                snapshotter.start();
                writeForEver(store, ops, rhythm, false, 1);
                break;

            case "burst":
                batch(store, ops, burstOps);
                snapshot(store);
                writeForEver(store, ops, rhythm, true, 1);
                break;

            case "pins":
                pinForEver(store, ops, rhythm);
                break;

            case "batch":
                writeBatchesForEver(store, ops, rhythm);
                break;

            case "buffered":
                writeForEver(store, ops, rhythm, true, 1);
                break;

            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static void writeForEver(final MemoryStore store, final CrashOps ops, final Random rhythm,
        final boolean snapshots, final int minBatch)
    {
        while (true)
        {
            final int size = Math.max(minBatch, 1 + rhythm.nextInt(rhythm.nextInt(10) == 0 ? 3000 : 200));
            batch(store, ops, size);
            if (snapshots && rhythm.nextInt(8) == 0)
            {
                snapshot(store);
            }
            else
            {
                store.sync();
                say("durable " + ops.applied() + " sync");
            }
        }
    }

    /** As {@link #writeForEver} with snapshots, each batch of ops (1500 or more) written as one batch. */
    private static void writeBatchesForEver(final MemoryStore store, final CrashOps ops, final Random rhythm)
    {
        final WriteBatch writes = new WriteBatch();
        while (true)
        {
            final int size = Math.max(1500, 1 + rhythm.nextInt(3000));
            writes.clear();
            for (int i = 0; i < size; i++)
            {
                ops.next().addTo(writes);
            }
            say("batch " + ops.applied() + " " + size);
            store.write(writes);
            say("handed " + ops.applied());
            if (rhythm.nextInt(8) == 0)
            {
                snapshot(store);
            }
            else if (rhythm.nextInt(2) == 0)
            {
                store.sync();
                say("durable " + ops.applied() + " sync");
            }
        }
    }

    private static void pinForEver(final MemoryStore store, final CrashOps ops, final Random rhythm)
    {
        final Deque<Long> pinned = new ArrayDeque<>(); // oldest first
        for (final SnapshotInfo s : store.snapshots())
        {
            if (s.pinLabel().isPresent())
            {
                pinned.addFirst(s.generation()); // pins of the killed runs before
            }
        }
        for (int n = 1; ; n++)
        {
            batch(store, ops, 1 + rhythm.nextInt(200));
            final SnapshotInfo snapshot = snapshot(store);
            if (n % 3 == 0)
            {
                if (pinned.size() >= 3)
                {
                    final long oldest = pinned.removeFirst();
                    say("unpinning " + oldest);
                    store.unpin(oldest);
                }
                store.pin(snapshot.generation(), "kept through kills");
                say("pinned " + snapshot.generation() + " " + snapshot.lastSequence());
                pinned.addLast(snapshot.generation());
            }
        }
    }

    /** Computes {@code size} ops ahead, so that the kill is likely to land inside a write, then writes them. */
    private static void batch(final MemoryStore store, final CrashOps ops, final int size)
    {
        final CrashOps.Op[] batch = new CrashOps.Op[size];
        for (int i = 0; i < size; i++)
        {
            batch[i] = ops.next().prepare();
        }
        say("batch " + ops.applied() + " " + size);
        for (final CrashOps.Op op : batch)
        {
            op.applyTo(store);
        }
        say((store.options().durability() == Durability.BUFFERED ? "written " : "handed ") + ops.applied());
    }

    private static SnapshotInfo snapshot(final MemoryStore store)
    {
        say("snapshot-start");
        final SnapshotInfo info = store.snapshot();
        say("durable " + info.lastSequence() + " snapshot");
        return info;
    }

    private static void snapshotForEver(final MemoryStore store, final Random rhythm)
    {
        try
        {
            while (true)
            {
                Thread.sleep(10 + rhythm.nextInt(120));
                snapshot(store);
            }
        }
        catch (final Throwable t)
        {
            t.printStackTrace();
            System.exit(2);
        }
    }

    private static void say(final String line)
    {
        synchronized (OUT)
        {
            OUT.println(line);
            OUT.flush();
        }
    }
}
