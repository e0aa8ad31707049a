package io.memsnap.internal.snapshot;

import io.memsnap.StoreIoException;

/**
 * What {@link CommitCoordinator} tells of each snapshot it attempts: the manifest it committed, or the failure.
 * Called on the thread that took the snapshot, under the commit lock: an implementation must not block or call the
 * store.
 */
public interface SnapshotListener
{
    /** A snapshot committed {@code manifest}. */
    void committed(Manifest manifest);

    /** A snapshot failed; the previous one stays the newest. */
    void failed(StoreIoException failure);
}
