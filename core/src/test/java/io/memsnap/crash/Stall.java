package io.memsnap.crash;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An {@link InterceptingFileSystem.Action} that holds the flushing thread (a stalled disk) until the test
 * {@link #release()}s it, then lets the flush go on or fails it. The hold is bounded by a timeout, so that a test
 * that fails before it releases can still close its store. Thread safe.
 */
public final class Stall implements InterceptingFileSystem.Action
{
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final long timeoutMillis;
    private final String failure;

    /**
     * @param timeoutMillis the longest a flush is held, and a test waits for one to be.
     * @param failure       the message of the {@link IOException} the flush then fails with, or null to let it go on.
     */
    public Stall(final long timeoutMillis, final String failure)
    {
        this.timeoutMillis = timeoutMillis;
        this.failure = failure;
    }

    @Override
    public void beforeForce(final Path file) throws IOException
    {
        held.countDown();
        try
        {
            released.await(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (failure != null)
        {
            throw new IOException(failure + " (injected: stalled flush of " + file.getFileName() + ")");
        }
    }

    /** @return whether a flush was held within the timeout. */
    public boolean awaitHeld() throws InterruptedException
    {
        return held.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Lets the held flush (and any later one) go on. */
    public void release()
    {
        released.countDown();
    }
}
