package io.memsnap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import static io.memsnap.TestEntries.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Readers beside a writer with {@link Durability#BUFFERED} and the smallest write buffer, so that most of what they
 * read was written moments before and is still in the buffer, which the writer hands off (when full, at a sync) and
 * starts again every few hundred writes: every read, get, contains and forEach sees a whole version of each entry,
 * bit for bit, never one older than a version it saw before nor one not written yet. Then the same store, reopened,
 * holds the last version of each.
 */
class WriteBufferReadersTest
{
    private static final int IDS = 400;
    private static final int ROUNDS = 400;
    private static final int READERS = 2;
    private static final long STORED_AT_BASE = storedAt(0, 0);

    @TempDir
    Path dir;

    @Test
    void readersSeeWholeVersionsOfRecordsStillInTheWriteBuffer() throws Exception
    {
        final StoreOptions options = StoreOptions.builder().backgroundCompaction(false).dimension(DIMENSION)
            .segmentSize(256 * 1024).durability(Durability.BUFFERED)
            .writeBufferBytes(StoreOptions.MIN_WRITE_BUFFER_BYTES).build();
        final SparseVector[] pool = new SparseVector[64];
        for (int i = 0; i < pool.length; i++)
        {
            pool[i] = vector(i, 0);
        }
        /** The version of each id whose put returned; -1 before the first. */
        final AtomicLongArray written = new AtomicLongArray(IDS);
        for (int n = 0; n < IDS; n++)
        {
            written.set(n, -1);
        }
        final AtomicInteger lastId = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            final long[] reads = new long[READERS];
            final List<Thread> readers = new ArrayList<>();
            // Every reader has started before the writer writes: each reads beside the whole run.
            final CountDownLatch started = new CountDownLatch(READERS);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    assertTrue(started.await(60, TimeUnit.SECONDS), "the readers did not start");
                    for (int round = 0; round < ROUNDS && failure.get() == null; round++)
                    {
                        for (int n = 0; n < IDS; n++)
                        {
                            put(store, n, round);
                            written.set(n, round);
                            lastId.set(n);
                        }
                        if (round % 7 == 0)
                        {
                            store.sync(); // a hand-off half way through the buffer
                        }
                    }
                }
                catch (final Throwable t)
                {
                    failure.compareAndSet(null, t);
                }
            }, "writer");
            for (int r = 0; r < READERS; r++)
            {
                final int reader = r;
                readers.add(new Thread(() ->
                {
                    try
                    {
                        started.countDown();
                        reads[reader] = readUntilDone(store, written, lastId, writer, reader);
                    }
                    catch (final Throwable t)
                    {
                        failure.compareAndSet(null, t);
                    }
                }, "reader-" + r));
            }
            writer.start();
            readers.forEach(Thread::start);
            writer.join(TimeUnit.MINUTES.toMillis(5));
            assertFalse(writer.isAlive(), "the writer did not finish");
            for (final Thread t : readers)
            {
                t.join(TimeUnit.MINUTES.toMillis(1));
                assertFalse(t.isAlive(), t.getName() + " did not finish");
            }
            if (failure.get() != null)
            {
                throw new AssertionError("the writer failed, or a reader saw a torn or impossible version",
                    failure.get());
            }
            for (final long count : reads)
            {
                assertTrue(count > 0, "a reader made no read beside the writer");
            }
            assertTrue(store.verify(true).ok());
        }
        try (MemoryStore store = MemoryStore.open(dir, options))
        {
            for (int n = 0; n < IDS; n++)
            {
                assertTrue(matches(store.get(id(n)).orElseThrow(), n, ROUNDS - 1), id(n));
            }
        }
    }

    /** @return the reads made, each checked, until the writer ended. */
    private static long readUntilDone(final MemoryStore store, final AtomicLongArray written,
        final AtomicInteger lastId, final Thread writer, final int reader)
    {
        final SplittableRandom random = new SplittableRandom(reader);
        final long[] seen = new long[IDS];
        java.util.Arrays.fill(seen, -1);
        final MemoryEntry[] visited = new MemoryEntry[1];
        long reads = 0;
        while (writer.isAlive())
        {
            // Mostly the ids written last, which are still in the buffer; now and then any.
            final int n = random.nextInt(8) == 0 ? random.nextInt(IDS) :
                Math.floorMod(lastId.get() - random.nextInt(100), IDS);
            final long floor = seen[n];
            final long before = written.get(n);
            final MemoryEntry e;
            switch (random.nextInt(3))
            {
                case 0:
                    e = store.get(id(n)).orElse(null);
                    break;
                case 1:
                    assertTrue(before < 0 || store.contains(id(n)), id(n) + " is written but not contained");
                    reads++;
                    continue;
                default:
                    visited[0] = null;
                    store.read(id(n), view -> visited[0] = view.toEntry());
                    e = visited[0];
                    break;
            }
            if (e == null)
            {
                assertTrue(before < 0, id(n) + " was written (version " + before + ") but is not found");
            }
            else
            {
                final long version = e.storedAtMillis() - STORED_AT_BASE - n * 1000L;
                final long ceiling = written.get(n) + 1; // the put of the next version may be under way
                assertTrue(version >= Math.max(floor, before) && version <= ceiling, id(n) + " at version " +
                    version + " after " + Math.max(floor, before) + " with " + (ceiling - 1) + " written");
                assertTrue(matches(e, n, version), id(n) + " version " + version + " is not whole: " + e);
                seen[n] = version;
            }
            if (random.nextInt(2000) == 0)
            {
                store.forEach(view ->
                {
                    final MemoryEntry each = view.toEntry();
                    final int k = Integer.parseInt(each.id().substring(4));
                    assertTrue(matches(each, k, each.storedAtMillis() - STORED_AT_BASE - k * 1000L), each.toString());
                });
            }
            reads++;
        }
        return reads;
    }
}
