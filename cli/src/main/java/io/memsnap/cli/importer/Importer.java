package io.memsnap.cli.importer;

import io.memsnap.cli.fs.Directories;

import io.memsnap.internal.fs.StoreFileSystem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Imports all or nothing. The new store is built in a temporary sibling of the target,
 * {@code DIR.importing-RANDOM}; only when the input was read to its end and validated and the store's one snapshot
 * is durable is the temporary directory renamed atomically to {@code DIR} (which must not exist or be an empty
 * directory) and the parent directory forced. On any failure, or when the JVM is shut down (Ctrl-C) first, the
 * temporary directory is deleted, so no half-made store is ever left under either name. (A {@code kill -9} can
 * leave a {@code DIR.importing-*} directory behind, never a half-made {@code DIR}.)
 *
 * <p>Thread safe: stateless; each call works on its own directory.
 */
public final class Importer
{
    /** Marks the temporary directory of an import. */
    public static final String TEMP_INFIX = ".importing-";

    private static final int RUNNING = 0;
    private static final int COMMITTING = 1;
    private static final int DONE = 2;
    private static final int ABORTED = 3;

    private Importer()
    {
    }

    /**
     * @return what was imported, with {@code target} as its directory.
     * @throws InputException if {@code target} exists and is not an empty directory, or the input is bad.
     */
    public static ImportResult run(final Path target, final ImportOptions options, final FormatImporter source)
        throws IOException
    {
        return run(target, options, source, StoreFileSystem.real());
    }

    /**
     * As {@link #run(Path, ImportOptions, FormatImporter)}, with every write, flush, create, rename and directory
     * sync of the import, the new store's included, going through {@code fs} (the crash-state tests record them).
     */
    public static ImportResult run(final Path target, final ImportOptions options, final FormatImporter source,
        final StoreFileSystem fs) throws IOException
    {
        final Path dir = target.toAbsolutePath().normalize();
        if (dir.getParent() == null)
        {
            throw new InputException("cannot import into " + target + ": it has no parent directory");
        }
        requireFreeTarget(target, dir);
        fs.createDirectories(dir.getParent());
        final Path temp = dir.getParent().resolve(dir.getFileName() + TEMP_INFIX + Directories.randomSuffix());
        fs.createDirectories(temp); // a random name: never one that exists
        final AtomicInteger phase = new AtomicInteger(RUNNING);
        final Thread hook = new Thread(() -> onShutdown(phase, temp), "memsnap-import-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        final ImportSink sink = new ImportSink(temp, options, fs);
        try
        {
            source.importInto(sink);
            final ImportResult result = sink.finish(source.format());
            requireFreeTarget(target, dir);
            if (!phase.compareAndSet(RUNNING, COMMITTING))
            {
                throw new InputException("import interrupted: the JVM is shutting down");
            }
            try
            {
                fs.rename(temp, dir);
            }
            catch (final IOException ex)
            {
                throw new InputException("could not rename " + temp + " to " + dir + " (it must not exist or be an " +
                    "empty directory): " + ex, ex);
            }
            finally
            {
                phase.set(DONE);
            }
            fs.syncDirectory(dir.getParent());
            return result.at(dir);
        }
        catch (final Throwable ex)
        {
            sink.abort(ex);
            try
            {
                Directories.deleteRecursively(temp);
            }
            catch (final IOException | RuntimeException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
        finally
        {
            phase.compareAndSet(RUNNING, DONE);
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // shutting down: the hook runs
            }
        }
    }

    private static void requireFreeTarget(final Path target, final Path dir) throws IOException
    {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Directories.isEmptyDirectory(dir))
        {
            throw new InputException("cannot import into " + target + ": it exists and is not an empty directory " +
                "(import creates a new store; remove it or choose another directory)");
        }
    }

    private static void onShutdown(final AtomicInteger phase, final Path temp)
    {
        if (phase.compareAndSet(RUNNING, ABORTED))
        {
            try
            {
                Directories.deleteRecursively(temp);
            }
            catch (final IOException | RuntimeException ex)
            {
                System.err.println("memsnap: could not delete " + temp + ": " + ex);
            }
            return;
        }
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (phase.get() == COMMITTING && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
    }
}
