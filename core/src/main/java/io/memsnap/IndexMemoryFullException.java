package io.memsnap;

/**
 * A write found the index pages waiting for a checkpoint at {@link StoreOptions#maxResidentIndexBytes()}, and the
 * checkpoint that would have written them and made room failed (the disk is full, say: the cause says why), or
 * cannot make room while the writing thread is itself inside a visitor of the store. Nothing was written; the store
 * stays usable, reads go on, the background thread retries the checkpoint, and the write may be retried once the
 * cause is gone.
 */
public class IndexMemoryFullException extends StoreFullException
{
    private static final long serialVersionUID = 1L;

    /**
     * What to do is in the class comment.
     *
     * @param message what could not be written and why, with the limit.
     * @param cause the failure of the checkpoint that would have made room, or null.
     */
    public IndexMemoryFullException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
