package io.memsnap.crash;

import io.memsnap.internal.fs.StoreFile;
import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link StoreFileSystem} that runs a test's hook, on the calling thread, before (and after) each create of a file
 * and each directory sync, and forwards to another file system (the real one, or a {@link RecordingFileSystem}). The hook
 * sees which thread is there (a background thread of the store, or a writer): it may tell the test (a latch), hold
 * the thread at a gate, or throw an {@link IOException}, and the operation then fails and does nothing. Files are
 * handed out as the delegate makes them.
 *
 * <p>Thread safe if the hook is: it is read once per operation.
 */
public final class HookedFileSystem extends ForwardingFileSystem
{
    /** What runs before a create or a directory sync. */
    @FunctionalInterface
    public interface Hook
    {
        /**
         * @param operation {@link #CREATE} or {@link #SYNC_DIRECTORY}.
         * @param path      the file created, or the directory synced.
         */
        void before(String operation, Path path) throws IOException;

        /** Runs once the operation returned (not when it failed). */
        default void after(final String operation, final Path path)
        {
        }
    }

    public static final String CREATE = "create";
    public static final String SYNC_DIRECTORY = "sync directory";

    private volatile Hook hook = (operation, path) -> { };

    public HookedFileSystem(final StoreFileSystem delegate)
    {
        super(delegate);
    }

    /** Runs {@code hook} before each create and directory sync from now on. */
    public void hook(final Hook hook)
    {
        this.hook = hook;
    }

    @Override
    StoreFile wrap(final StoreFile file)
    {
        return file;
    }

    @Override
    public StoreFile create(final Path file) throws IOException
    {
        final Hook h = hook;
        h.before(CREATE, file);
        final StoreFile created = super.create(file);
        h.after(CREATE, file);
        return created;
    }

    @Override
    public void syncDirectory(final Path dir) throws IOException
    {
        final Hook h = hook;
        h.before(SYNC_DIRECTORY, dir);
        super.syncDirectory(dir);
        h.after(SYNC_DIRECTORY, dir);
    }
}
