package io.memsnap.internal.segment;

import io.memsnap.StoreIoException;
import io.memsnap.crash.HookedFileSystem;
import io.memsnap.crash.PreparerWatch;
import io.memsnap.internal.format.IndexPageDescriptor;
import io.memsnap.internal.format.RecordDescriptor;
import io.memsnap.internal.format.SegmentDescriptor;
import io.memsnap.internal.fs.StoreFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The hand-over between the {@link SegmentPreparer} and the writer's roll ({@link SegmentLog}), on real files through
 * a {@link HookedFileSystem} that tells which thread makes each file and can hold or fail it: the roll starts the file
 * prepared for it; makes the file itself when the preparation has not started, or failed, or made another length;
 * waits for a file being made and uses it, but not for its sync, which the segment's flushes wait for instead; and
 * when it cannot make the file either, fails typed with both failures, changing nothing, and rolls once the cause is
 * gone.
 */
class SegmentPreparerTest
{
    private static final int KIB = 1024;
    private static final int MAX = 1024 * KIB;

    @TempDir
    Path dir;

    private final PreparerWatch watch = new PreparerWatch();
    private final HookedFileSystem fs = new HookedFileSystem(StoreFileSystem.real());
    private final List<SegmentPreparer> preparers = new ArrayList<>();
    private SegmentLog log;
    private int next;

    SegmentPreparerTest()
    {
        fs.hook(watch);
    }

    @AfterEach
    void release()
    {
        preparers.forEach(SegmentPreparer::stop);
        if (log != null)
        {
            log.unmapAll();
        }
    }

    @Test
    void aRollStartsTheFilePreparedForIt() throws IOException
    {
        openLog(true);
        watch.awaitPrepared(2);
        final long firstOfTwo = appendUntilSegment(2);
        assertEquals(List.of(), watch.others(), "the writer made no file and synced no directory");
        assertStarted(2, 128 * KIB, firstOfTwo);
    }

    @Test
    void aRollMakesTheFileItselfWhenThePreparationHasNotStarted() throws IOException
    {
        openLog(false); // a preparer whose thread never runs: the request waits for ever
        final long firstOfTwo = appendUntilSegment(2);
        assertStarted(2, 128 * KIB, firstOfTwo);
        assertTrue(watch.others().contains(Thread.currentThread().getName() + ": create segment-0000000002.seg"),
            watch.others().toString());
        assertFalse(Files.exists(dir.resolve(SegmentDescriptor.fileName(3))), "nothing was made ahead");
    }

    @Test
    void aRollWaitsForAFileBeingMadeAndStartsIt() throws Exception
    {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        watch.onPreparer((operation, path) ->
        {
            if (operation.equals(HookedFileSystem.CREATE))
            {
                holding.countDown();
                await(release);
            }
        });
        openLog(true);
        assertTrue(holding.await(1, TimeUnit.MINUTES), "the preparer did not start segment 2");
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final Thread writer = new Thread(() ->
        {
            try
            {
                outcome.set(appendUntilSegment(2));
            }
            catch (final RuntimeException | Error ex)
            {
                outcome.set(ex);
            }
        }, "writer");
        writer.start();
        release.countDown();
        writer.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(writer.isAlive(), "the roll never ended");
        assertTrue(outcome.get() instanceof Long, String.valueOf(outcome.get()));
        assertEquals(List.of(), watch.others(), "the writer made no file of its own");
        assertStarted(2, 128 * KIB, (Long)outcome.get());
    }

    /**
     * The roll takes the file while its sync (fsync, directory fsync) still runs, and waits for nothing; a flush of
     * the segment waits for that sync, and when it failed, fails: no record in the file is acknowledged.
     */
    @Test
    void aRollTakesTheFileBeforeItsSyncAndAFlushOfTheSegmentWaitsForIt() throws Exception
    {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        watch.onPreparer((operation, path) ->
        {
            if (operation.equals(HookedFileSystem.SYNC_DIRECTORY))
            {
                holding.countDown();
                await(release);
                throw new IOException("Input/output error");
            }
        });
        openLog(true);
        assertTrue(holding.await(1, TimeUnit.MINUTES), "the preparer did not sync segment 2");
        final long firstOfTwo = appendUntilSegment(2); // the preparer is held: this rolled without waiting for it
        assertEquals(List.of(), watch.others(), "the writer made no file of its own");
        release.countDown();
        final SegmentFlushException flush = assertThrows(SegmentFlushException.class,
            () -> log.force(log.segment(2)));
        assertTrue(String.valueOf(flush.getCause()).contains("could not be synced"), flush.toString());
        assertThrows(SegmentFlushException.class, log::forceTail, "every flush of the segment fails");
        log.force(log.segment(1)); // the segment before it flushes
        assertTrue(firstOfTwo > 1);
    }

    @Test
    void aFailedPreparationIsThrownToTheRollWhichMakesTheFileItself() throws IOException
    {
        final CountDownLatch failed = new CountDownLatch(1);
        watch.onPreparer((operation, path) ->
        {
            if (operation.equals(HookedFileSystem.CREATE))
            {
                failed.countDown();
                throw new IOException("Input/output error");
            }
        });
        openLog(true);
        await(failed);
        final long firstOfTwo = appendUntilSegment(2);
        assertStarted(2, 128 * KIB, firstOfTwo);
        assertEquals(List.of(Thread.currentThread().getName() + ": create segment-0000000002.seg"),
            watch.others().stream().filter(s -> s.contains("create")).toList());
    }

    @Test
    void whenTheWriterCannotMakeTheFileEitherTheRollFailsTypedWithBothCausesAndRollsLater() throws IOException
    {
        final CountDownLatch preparerFailed = new CountDownLatch(1);
        final AtomicInteger writerCreates = new AtomicInteger();
        fs.hook((operation, path) ->
        {
            if (operation.equals(HookedFileSystem.CREATE) && path.endsWith(SegmentDescriptor.fileName(2)))
            {
                if (Thread.currentThread().getName().startsWith(SegmentPreparer.THREAD_PREFIX))
                {
                    preparerFailed.countDown();
                    throw new IOException("No space left on device (preparer)");
                }
                writerCreates.incrementAndGet();
                throw new IOException("No space left on device (writer)");
            }
        });
        openLog(true);
        await(preparerFailed);
        final long tail = appendUntilFull();
        final StoreIoException refused = assertThrows(StoreIoException.class, this::append);
        assertTrue(refused.getMessage().contains("could not create segment 2"), refused.getMessage());
        assertEquals("No space left on device (writer)", refused.getCause().getMessage());
        assertEquals(1, refused.getCause().getSuppressed().length, "the preparer's failure, kept");
        assertEquals("No space left on device (preparer)", refused.getCause().getSuppressed()[0].getMessage());
        assertEquals(1, writerCreates.get());
        assertEquals(tail, log.tailAddress(), "nothing appended");
        assertFalse(Files.exists(dir.resolve(SegmentDescriptor.fileName(2))));

        fs.hook((operation, path) -> { });
        final long sequence = log.nextSequence();
        append();
        assertStarted(2, 128 * KIB, sequence);
    }

    @Test
    void aRecordLongerThanThePreparedFileGetsAFileOfItsOwnLength() throws IOException
    {
        openLog(true);
        watch.awaitPrepared(2);
        assertEquals(128L * KIB, Files.size(dir.resolve(SegmentDescriptor.fileName(2))), "prepared: 64 KiB doubled");
        final long sequence = log.nextSequence();
        log.appendValue(RecordDescriptor.TYPE_STATE_PUT, "large", 5, new int[0], new float[0], 0f, 0L,
            new byte[200 * KIB]);
        assertStarted(2, 256 * KIB, sequence);
    }

    @Test
    void aRewindsSegmentReplacesTheFilePreparedWithTheSameId() throws IOException
    {
        openLog(true);
        watch.awaitPrepared(2);
        final long sequence = log.nextSequence();
        log.branch(sequence, 7, 0);
        final Segment branched = Segment.open(dir, 2);
        try
        {
            assertEquals(7, branched.timeline());
            assertEquals(sequence, branched.firstSequence());
        }
        finally
        {
            branched.unmap();
        }
        watch.awaitPrepared(3); // and the preparer goes on after it
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A log of 1 MiB segments with its first segment, and a preparer for it ({@code start}: its thread running). */
    private void openLog(final boolean start) throws IOException
    {
        final Segment first = Segment.create(fs, dir, 1, SegmentSizing.first(MAX), 1, false);
        log = new SegmentLog(fs, dir, MAX, false, new Segment[] {null, first});
        log.resume(1, SegmentDescriptor.HEADER_LENGTH, 1, new int[2]);
        watch.clearOthers();
        final SegmentPreparer preparer = new SegmentPreparer(fs, dir, false);
        preparers.add(preparer);
        log.prepareWith(preparer);
        if (start)
        {
            preparer.start();
        }
    }

    /** Appends records until the tail is segment {@code id}. @return the sequence of its first record. */
    private long appendUntilSegment(final int id)
    {
        while (log.tailSegmentId() < id)
        {
            append();
        }
        return log.segment(id).firstSequence();
    }

    /** Appends records while the next one still fits the tail segment. @return the tail address then. */
    private long appendUntilFull()
    {
        final int length = RecordDescriptor.alignedLength((int)RecordDescriptor.recordLength(1, 8, 1000));
        final Segment tail = log.segment(log.tailSegmentId());
        while (IndexPageDescriptor.offset(log.tailAddress()) + length <= tail.length())
        {
            append();
        }
        return log.tailAddress();
    }

    private void append()
    {
        final String key = String.format("key-%04d", next++);
        log.appendValue(RecordDescriptor.TYPE_PUT, key, key.length(), new int[] {next}, new float[] {1f}, 0.5f,
            next, new byte[1000]);
    }

    /** The header of segment {@code id} validates, with this length and first sequence, and its file has it. */
    private void assertStarted(final int id, final int length, final long firstSequence) throws IOException
    {
        assertEquals(length, Files.size(dir.resolve(SegmentDescriptor.fileName(id))));
        final Segment reopened = Segment.open(dir, id);
        try
        {
            assertEquals(length, reopened.length());
            assertEquals(firstSequence, reopened.firstSequence());
        }
        finally
        {
            reopened.unmap();
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            assertTrue(latch.await(1, TimeUnit.MINUTES), "gave up waiting");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
