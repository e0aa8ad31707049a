package io.memsnap.internal.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The seam through which the engine changes the disk: every write, flush, create, rename, delete, truncate, extension
 * and directory sync of a store goes through one instance (Lucene's {@code Directory} is the model). Reads do not: they
 * stay on mappings and plain reads of the same files, so an implementation must make its changes visible to them
 * at once (the production one writes to the real files; a test one may also record what it was asked to do, or
 * fail on purpose).
 *
 * <p>What the engine relies on, which every implementation must keep:
 * <ul>
 * <li>{@link StoreFile#force} makes every byte written to the file before it durable, with the file's length;</li>
 * <li>{@link #rename} is atomic and replaces the target;</li>
 * <li>a create, rename or delete is durable only after a later {@link #syncDirectory} of its directory returns.</li>
 * </ul>
 *
 * <p>Thread safe: the store calls it from its writer, snapshot and checkpoint threads at once.
 */
public interface StoreFileSystem
{
    /** @return the real file system. */
    static StoreFileSystem real()
    {
        return RealFileSystem.INSTANCE;
    }

    /**
     * Creates a new file for reading and writing.
     *
     * @throws java.nio.file.FileAlreadyExistsException if it exists.
     */
    StoreFile create(Path file) throws IOException;

    /**
     * Opens an existing file for reading and writing.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist.
     */
    StoreFile open(Path file) throws IOException;

    /** Opens a file for reading and writing, creating it if it does not exist. */
    StoreFile openOrCreate(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void rename(Path from, Path to) throws IOException;

    /** @return whether the file existed and was deleted. */
    boolean deleteIfExists(Path file) throws IOException;

    /** Makes the creates, renames and deletes done in {@code dir} so far durable (fsync of the directory). */
    void syncDirectory(Path dir) throws IOException;

    /** Creates a directory and any missing parents; nothing if it exists. Not durable before a directory sync. */
    void createDirectories(Path dir) throws IOException;

    /**
     * @return whether the engine may flush two files from two threads at once (a snapshot's records and its manifest
     * slot); false (the default) makes it issue them one after the other, in a fixed order, so that what it asks of
     * this file system does not depend on how its threads are scheduled (test file systems that record or fail
     * operations by their order).
     */
    default boolean flushesInParallel()
    {
        return false;
    }
}
