package io.memsnap.internal.snapshot;

import io.memsnap.StoreOptions;
import io.memsnap.internal.EngineLogger;
import io.memsnap.internal.index.IndexFile;
import io.memsnap.internal.index.IndexFileCopy;
import io.memsnap.internal.index.IndexFileHeader;
import io.memsnap.internal.index.ReachablePages;

import java.io.IOException;

import static io.memsnap.internal.format.IndexPageDescriptor.BUCKET_SLOTS;
import static io.memsnap.internal.format.IndexPageDescriptor.PAGE_SIZE;

/**
 * Keeps the index file proportional to the live index. Copy-on-write leaves a superseded copy of every page the writer
 * changed at each checkpoint, so the file only grows; once it holds more than {@link StoreOptions#indexCompactionRatio}
 * times the pages a new file would need (and at least {@link StoreOptions#indexCompactionMinBytes}), a new index file
 * generation is written ({@link IndexFileCopy}) from the checkpoint just made: the pages its root reaches, at the same
 * page numbers, then every page from its watermark on, catching up with the checkpoints written meanwhile. Then
 * checkpoints write to the new file ({@link IndexFile#switchTo}), the durable checkpoint names it (so the next manifest
 * does), and the old file is deleted once no retained manifest names it ({@link IndexFileDeleter}).
 *
 * <p>The copy goes in steps of {@link #STEP_PAGES} pages: after each background checkpoint, twice as many pages as that
 * checkpoint wrote (so that the copy gains on the pages it must catch up with even when checkpoints follow each other
 * back to back), one step at a time while no checkpoint is due ({@link #steps}), or all at once after an explicit
 * checkpoint ({@link #finish}). A copy that fails (a full disk, a damaged page) is given up, its file deleted, and
 * tried again only after the current file has grown by half again.
 *
 * <p>Concurrency: every method but {@link #inProgress} runs under the store's checkpoint lock.
 */
public final class IndexCompaction
{
    /** Pages read, written and synced at a time: as a checkpoint's flush step. */
    public static final int STEP_PAGES = IndexCheckpointer.FLUSH_STEP_PAGES;
    private static final System.Logger LOG = EngineLogger.of("io.memsnap");

    private final StoreOptions options;
    private final IndexFile file;
    private final IndexCheckpointer checkpointer;
    private final IndexFileDeleter files;
    /** The copy being written, or null; written under the checkpoint lock. */
    private volatile IndexFileCopy copy;
    /** After a failed copy, the pages the current file must hold before the next attempt. */
    private long retryAtPages;

    public IndexCompaction(final StoreOptions options, final IndexFile file, final IndexCheckpointer checkpointer,
        final IndexFileDeleter files)
    {
        this.options = options;
        this.file = file;
        this.checkpointer = checkpointer;
        this.files = files;
    }

    /** Any thread: whether a new index file is being written. */
    public boolean inProgress()
    {
        return copy != null;
    }

    /**
     * Right after a checkpoint: starts a new index file from the durable checkpoint if the current file is due for
     * it (see the class documentation). Its pages are copied by {@link #steps} or {@link #finish}.
     *
     * @return whether a copy is in progress.
     */
    public boolean startIfDue()
    {
        if (copy != null)
        {
            return true;
        }
        final long held = file.pagesHeld();
        if (file.remapPending() || held * PAGE_SIZE < options.indexCompactionMinBytes() || held < retryAtPages)
        {
            return false;
        }
        final Checkpoint base = checkpointer.durable();
        // The keys need at least this many full buckets: no traversal while the file is not even twice that.
        final long bucketsAtLeast = (base.entryCount + base.stateCount + BUCKET_SLOTS - 1) / BUCKET_SLOTS;
        if (held <= options.indexCompactionRatio() * (2 + bucketsAtLeast))
        {
            return false;
        }
        final int denseFrom = base.indexPages;
        try
        {
            final int[] reached = ReachablePages.of(file, base.rootPage, base.indexPages, denseFrom);
            final long needed = 1 + reached.length;
            if (held <= options.indexCompactionRatio() * needed)
            {
                return false;
            }
            final IndexFileHeader header = new IndexFileHeader(files.nextGeneration(), base.rootPage, denseFrom,
                reached.length);
            copy = IndexFileCopy.start(file.fileSystem(), file.directory(), file.path(), header, reached, STEP_PAGES);
            LOG.log(System.Logger.Level.DEBUG, "writing index file {0}: {1} pages of the {2} that {3} holds",
                copy.path().getFileName(), needed, held, file.path().getFileName());
            return true;
        }
        catch (final IOException | RuntimeException ex)
        {
            failed(ex);
            return false;
        }
    }

    /**
     * Copies one step of the new file; once it has caught up with the durable checkpoint, makes it durable and
     * switches to it.
     *
     * @param betweenSteps run after the step (the store lets a running snapshot's flush go first).
     * @return whether the copy is done (or was given up).
     */
    public boolean step(final Runnable betweenSteps)
    {
        final IndexFileCopy c = copy;
        if (c == null)
        {
            return true;
        }
        try
        {
            final Checkpoint durable = checkpointer.durable();
            final boolean caughtUp = c.step(durable.indexPages);
            betweenSteps.run();
            if (caughtUp)
            {
                c.finish(durable.indexPages);
                c.close();
                file.switchTo(c, c.pagesHeld(durable.indexPages), durable.indexPages);
                checkpointer.movedTo(c.header().generation);
                copy = null;
                files.copyEnded();
                LOG.log(System.Logger.Level.DEBUG, "checkpoints write to index file {0} from now on",
                    c.path().getFileName());
            }
            return caughtUp;
        }
        catch (final IOException | RuntimeException ex)
        {
            failed(ex);
            return true;
        }
    }

    /**
     * Copies steps of the new file, about {@code pages} pages (at least one step), switching to it if it caught up.
     *
     * @return whether the copy is done (or was given up).
     */
    public boolean steps(final int pages, final Runnable betweenSteps)
    {
        for (int copied = 0; copied < pages; copied += STEP_PAGES)
        {
            if (step(betweenSteps))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies what is left of the new file, and switches to it.
     *
     * @return true.
     */
    public boolean finish(final Runnable betweenSteps)
    {
        while (!step(betweenSteps))
        {
            // one step at a time, each synced
        }
        return true;
    }

    /** The store is closing: gives up the copy in progress (the next open would delete its file). */
    public void abandon()
    {
        final IndexFileCopy c = copy;
        copy = null;
        try
        {
            if (c != null)
            {
                c.abandon();
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "could not delete the unfinished index file " + c.path() +
                "; the next open deletes it", ex);
        }
        finally
        {
            files.copyEnded();
        }
    }

    private void failed(final Exception ex)
    {
        retryAtPages = file.pagesHeld() + file.pagesHeld() / 2;
        LOG.log(System.Logger.Level.WARNING, "could not write a new index file for " + file.directory() + " (" + ex +
            "); the store goes on in " + file.path().getFileName() + " and tries again once it has grown by half",
            ex);
        abandon();
    }
}
